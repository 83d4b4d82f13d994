import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql/index.js';
import { dateTime, percent } from '../format.js';
import { ConfirmDialog, Empty, ErrorNote, Loading } from '../components/ui.js';

const AgentsQuery = graphql(`
  query Agents {
    agents(first: 200) {
      totalCount
      nodes { id name description tags status suspendedReason createdAt owner { name } baseline { requestsLastHour approvalRate } }
    }
  }
`);
const Suspend = graphql(`mutation SuspendAgent($id: ID!, $reason: String) { suspendAgent(id: $id, reason: $reason) { id status suspendedReason } }`);
const Resume = graphql(`mutation ResumeAgent($id: ID!) { resumeAgent(id: $id) { id status suspendedReason } }`);

/** `/agents`: every agent, with the kill switch. */
export default function Agents() {
  const [result, refetch] = useQuery({ query: AgentsQuery, requestPolicy: 'cache-and-network' });
  const [suspending, setSuspending] = useState<{ id: string; name: string } | null>(null);
  const [reason, setReason] = useState('');
  const [suspended, suspend] = useMutation(Suspend);
  const [resumed, resume] = useMutation(Resume);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  if (!result.data) return result.error ? <ErrorNote error={result.error} retry={reload} /> : <Loading what="Loading agents" />;
  const agents = result.data.agents.nodes;
  return (
    <section aria-labelledby="agents-title">
      <div className="page-head">
        <h1 id="agents-title">Agents</h1>
        <p className="muted">Suspending an agent denies everything it asks from then on, until it is resumed.</p>
      </div>
      {suspended.error ? <ErrorNote error={suspended.error} /> : null}
      {resumed.error ? <ErrorNote error={resumed.error} /> : null}
      {agents.length === 0 ? <Empty title="No agents yet.">Create one with <code>pnpm countersign agents create</code>.</Empty> : (
        <ul className="list" aria-label="Agents">
          {agents.map((a) => (
            <li key={a.id} className="item">
              <div className="row wrap spread">
                <span className="item-title">{a.name}</span>
                <span className={`badge ${a.status === 'SUSPENDED' ? 'status-denied' : 'status-approved'}`}>{a.status === 'SUSPENDED' ? 'Suspended' : 'Active'}</span>
              </div>
              {a.description ? <p className="muted">{a.description}</p> : null}
              <div className="item-meta">
                {a.owner ? <span>Owner {a.owner.name}</span> : null}
                <span className="muted">{a.baseline.requestsLastHour} requests in the last hour</span>
                <span className="muted">approved {percent(a.baseline.approvalRate)}</span>
                <span className="muted">since {dateTime(a.createdAt)}</span>
              </div>
              {a.suspendedReason ? <p className="muted">Suspended: {a.suspendedReason}</p> : null}
              {a.status === 'SUSPENDED' ? (
                <button type="button" className="button small" aria-label={`Resume ${a.name}`} disabled={resumed.fetching} onClick={async () => { await resume({ id: a.id }); reload(); }}>Resume</button>
              ) : (
                <button type="button" className="button small danger" aria-label={`Suspend ${a.name}`} onClick={() => { setReason(''); setSuspending({ id: a.id, name: a.name }); }}>Suspend</button>
              )}
            </li>
          ))}
        </ul>
      )}
      {suspending ? (
        <ConfirmDialog
          title={`Suspend ${suspending.name}?`}
          confirmLabel="Suspend"
          tone="danger"
          busy={suspended.fetching}
          onCancel={() => setSuspending(null)}
          onConfirm={async () => { await suspend({ id: suspending.id, reason: reason.trim() || undefined }); setSuspending(null); reload(); }}
        >
          <p>Everything it asks from now on is denied until you resume it.</p>
          <label htmlFor="suspend-reason">Reason</label>
          <input id="suspend-reason" type="text" value={reason} onChange={(e) => setReason(e.target.value)} />
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
