import { useCallback, useState } from 'react';
import { Link } from 'wouter';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql/index.js';
import { CHANNEL_WORDS, dateTime, deliveryTarget, deliveryTitle } from '../format.js';
import { Empty, ErrorNote, Loading, useRefreshWhileVisible } from '../components/ui.js';

const DeliveriesQuery = graphql(`
  query Deliveries($filter: NotificationDeliveryFilter, $first: Int) {
    notificationDeliveries(filter: $filter, first: $first) {
      totalCount
      nodes {
        id channel event actionId status attempts lastError lastStatusCode nextAttemptAt deliveredAt bouncedAt createdAt
        recipient { id name }
        webhook { id url }
      }
    }
  }
`);
const RetryDelivery = graphql(`mutation RetryDelivery($id: ID!) { retryNotificationDelivery(id: $id) { id status attempts nextAttemptAt } }`);

type Channel = keyof typeof CHANNEL_WORDS;
type Show = 'FAILED' | 'BOUNCED' | 'PENDING' | 'ALL';

const SHOW: Record<Show, string> = { FAILED: 'Failed', BOUNCED: 'Bounced mail', PENDING: 'Waiting to be sent', ALL: 'Everything' };
const PAGE = 100;
/** How often the open page reads the log again. */
const REFRESH_MS = 10_000;

function filterOf(show: Show, channel: Channel | ''): Record<string, unknown> {
  return {
    ...(channel ? { channel } : {}),
    ...(show === 'FAILED' ? { status: 'FAILED' } : show === 'PENDING' ? { status: 'PENDING' } : show === 'BOUNCED' ? { bounced: true } : {}),
  };
}

type Delivery = { status: string; attempts: number; bouncedAt: string | null };

function stateOf(d: Delivery): { label: string; tone: string } {
  if (d.status === 'DELIVERED') return { label: 'Delivered', tone: 'status-approved' };
  if (d.status === 'FAILED') return { label: d.bouncedAt ? 'Bounced' : 'Failed', tone: 'status-denied' };
  return { label: d.attempts > 0 ? 'Retrying' : 'Waiting', tone: 'status-pending' };
}

/**
 * `/deliveries` (admins): what was sent to approvers and integrations on every channel —
 * webhooks, email, Slack — newest first, failures first by default, with why the last
 * attempt failed (an HTTP status, an SMTP reply, a bounce, Slack's refusal) and Retry.
 */
export default function Deliveries() {
  const [show, setShow] = useState<Show>('FAILED');
  const [channel, setChannel] = useState<Channel | ''>('');
  const [result, refetch] = useQuery({ query: DeliveriesQuery, variables: { filter: filterOf(show, channel), first: PAGE }, requestPolicy: 'cache-and-network' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  useRefreshWhileVisible(reload, REFRESH_MS);
  const [retried, retry] = useMutation(RetryDelivery);
  const [done, setDone] = useState<string | null>(null);
  const log = result.data?.notificationDeliveries;

  async function sendAgain(id: string, to: string) {
    setDone(null);
    const r = await retry({ id });
    if (r.error) return;
    setDone(`Sent again to ${to}: it is on its way with a fresh round of attempts.`);
    reload();
  }

  return (
    <section aria-labelledby="deliveries-title">
      <div className="page-head">
        <h1 id="deliveries-title">Deliveries</h1>
        <p className="muted">Notifications to approvers and integrations — email, Slack, webhooks — and why any failed.</p>
      </div>
      <div className="toolbar toolbar-plain">
        <label className="inline">
          <span>Show</span>
          <select value={show} onChange={(e) => { setDone(null); setShow(e.target.value as Show); }}>
            {(Object.keys(SHOW) as Show[]).map((key) => <option key={key} value={key}>{SHOW[key]}</option>)}
          </select>
        </label>
        <label className="inline">
          <span>Channel</span>
          <select value={channel} onChange={(e) => { setDone(null); setChannel(e.target.value as Channel | ''); }}>
            <option value="">All channels</option>
            {(Object.keys(CHANNEL_WORDS) as Channel[]).map((key) => <option key={key} value={key}>{CHANNEL_WORDS[key]}</option>)}
          </select>
        </label>
      </div>
      {done ? <p role="status" className="note success">{done}</p> : null}
      {retried.error ? <ErrorNote error={retried.error} /> : null}
      {!log ? (result.error ? <ErrorNote error={result.error} retry={reload} /> : <Loading what="Loading deliveries" />) : log.nodes.length === 0 ? (
        <Empty title={show === 'ALL' ? 'Nothing sent yet.' : `No deliveries: ${SHOW[show].toLowerCase()}.`}>{show === 'FAILED' ? 'Every notification went through.' : null}</Empty>
      ) : (
        <>
          <p className="muted">{log.totalCount > log.nodes.length ? `The newest ${log.nodes.length} of ${log.totalCount}.` : `${log.totalCount} in all.`}</p>
          <ul className="list" aria-label="Deliveries">
            {log.nodes.map((d) => {
              const state = stateOf(d);
              const to = deliveryTarget(d) ?? 'its Slack messages';
              return (
                <li key={d.id} className="item">
                  <div className="row wrap spread">
                    <span className="item-title">{deliveryTitle(d)}</span>
                    <span className={`badge ${state.tone}`}>{state.label}</span>
                  </div>
                  <div className="item-meta">
                    <span className="muted">{d.attempts === 1 ? '1 attempt' : `${d.attempts} attempts`}</span>
                    <span className="muted">created {dateTime(d.createdAt)}</span>
                    {d.deliveredAt && d.status === 'DELIVERED' ? <span className="muted">delivered {dateTime(d.deliveredAt)}</span> : null}
                    {d.bouncedAt ? <span className="muted">bounced {dateTime(d.bouncedAt)}</span> : null}
                    {d.nextAttemptAt ? <span className="muted">next attempt {dateTime(d.nextAttemptAt)}</span> : null}
                    {d.actionId ? <Link href={`/actions/${d.actionId}`}>The request</Link> : null}
                  </div>
                  {d.lastError ? <p className="muted break">{d.status === 'DELIVERED' ? 'Last problem' : 'Last error'}: {d.lastError}</p> : null}
                  {d.status === 'FAILED' ? (
                    <button type="button" className="button small" aria-label={`Retry the ${CHANNEL_WORDS[d.channel as Channel] ?? d.channel} delivery to ${to}`} disabled={retried.fetching} onClick={() => void sendAgain(d.id, to)}>
                      Retry
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
