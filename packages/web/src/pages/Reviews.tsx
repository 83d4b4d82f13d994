import { useCallback, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { graphql } from '../gql/index.js';
import { dateTime, money } from '../format.js';
import { Countdown, Empty, ErrorNote, Loading, RiskBadge, useListKeys, useNow } from '../components/ui.js';
import { usesText } from '../components/Grant.js';
import { useQueueChanges } from '../live.js';

const ReviewQueueQuery = graphql(`
  query ReviewQueue($first: Int) {
    reviewQueue(first: $first) {
      totalCount
      nodes {
        id type summary createdAt deadline statusReason amount { value currency } risk { score level } agent { name } policy
        breakGlass { justification used reviewOverdueSince }
        grant { id uses maxUses grantedBy { id name } }
      }
    }
  }
`);

const Review = graphql(`
  mutation Review($input: ReviewInput!) {
    review(input: $input) { id reviewStatus }
  }
`);

/** `/reviews`: what ran under ASYNC_REVIEW and waits for me; acknowledge or flag several at once. */
export default function Reviews() {
  const [result, refetch] = useQuery({ query: ReviewQueueQuery, variables: { first: 100 }, requestPolicy: 'cache-and-network' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  useQueueChanges(reload);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [comment, setComment] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [failures, setFailures] = useState<string[]>([]);
  const [{ fetching }, review] = useMutation(Review);
  const [, navigate] = useLocation();
  // Break-glass first: it ran with nobody asked, and its review is owed by a deadline.
  const nodes = useMemo(() => {
    const all = result.data?.reviewQueue.nodes ?? [];
    return [...all.filter((n) => n.breakGlass?.used), ...all.filter((n) => !n.breakGlass?.used)];
  }, [result.data]);
  const now = useNow();
  const [current] = useListKeys(nodes.length, (i) => navigate(`/actions/${nodes[i].id}`));
  const chosen = nodes.filter((n) => selected.has(n.id));

  function toggle(id: string, on: boolean) {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function apply(verdict: 'ACKNOWLEDGE' | 'FLAG') {
    setDone(null);
    const errors: string[] = [];
    for (const n of chosen) {
      const r = await review({ input: { actionId: n.id, verdict, comment: comment.trim() || undefined } });
      if (r.error) errors.push(`${n.summary}: ${r.error.graphQLErrors[0]?.message ?? r.error.message}`);
    }
    setFailures(errors);
    const ok = chosen.length - errors.length;
    setDone(`${verdict === 'FLAG' ? 'Flagged' : 'Acknowledged'} ${ok} request${ok === 1 ? '' : 's'}.`);
    setSelected(new Set());
    setComment('');
    reload();
  }

  return (
    <section aria-labelledby="reviews-title">
      <div className="page-head">
        <h1 id="reviews-title">Review what ran</h1>
        <p className="muted">These ran without waiting for a person — under review, through a grant you gave, or by break-glass: acknowledge what looks right, flag what does not.</p>
      </div>
      {done ? <p className="note success" role="status">{done}</p> : null}
      {failures.map((f) => <ErrorNote key={f} error={f} />)}
      {result.error && !result.data ? <ErrorNote error={result.error} retry={reload} /> : null}
      {!result.data && !result.error ? <Loading what="Loading the review queue" /> : null}
      {result.data && nodes.length === 0 ? <Empty title="Nothing to review.">Requests that ran under review and were routed to you appear here.</Empty> : null}
      {nodes.length > 0 ? (
        <>
          <div className="card toolbar">
            <label className="check">
              <input type="checkbox" checked={chosen.length === nodes.length} onChange={(e) => setSelected(e.target.checked ? new Set(nodes.map((n) => n.id)) : new Set())} /> Select all
            </label>
            <label htmlFor="review-comment" className="visually-hidden">Comment</label>
            <input id="review-comment" type="text" placeholder="Comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} />
            <div className="row">
              <button type="button" className="button primary" disabled={chosen.length === 0 || fetching} onClick={() => void apply('ACKNOWLEDGE')}>Acknowledge</button>
              <button type="button" className="button danger" disabled={chosen.length === 0 || fetching} onClick={() => void apply('FLAG')}>Flag</button>
            </div>
            <span className="muted small" aria-live="polite">{chosen.length} selected</span>
          </div>
          <ul className="list" aria-label="Requests to review">
            {nodes.map((a, i) => (
              <li key={a.id} data-index={i} className={`item selectable${a.breakGlass?.used ? ' break-glass-item' : ''}${i === current ? ' current' : ''}`}>
                <input type="checkbox" aria-label={`Select ${a.summary}`} checked={selected.has(a.id)} onChange={(e) => toggle(a.id, e.target.checked)} />
                <div>
                  <Link href={`/actions/${a.id}`} className="item-link"><span className="item-title">{a.summary}</span></Link>
                  {a.breakGlass?.used ? (
                    <div className="break-glass-note">
                      <div className="item-meta">
                        <span className="badge break-glass">Break-glass</span>
                        {a.breakGlass.reviewOverdueSince ? <strong>Review overdue since {dateTime(a.breakGlass.reviewOverdueSince)}</strong> : <span>Review due <Countdown deadline={a.deadline} now={now} /></span>}
                      </div>
                      <blockquote className="justification" aria-label="Justification">{a.breakGlass.justification}</blockquote>
                    </div>
                  ) : null}
                  {a.grant ? (
                    <div className="item-meta">
                      <span className="badge granted">Approved by grant</span>
                      <span>{a.grant.grantedBy.name}'s grant · {usesText(a.grant)}</span>
                      <Link href={`/grants?grant=${a.grant.id}`}>See the grant<span className="visually-hidden"> that let “{a.summary}” through</span></Link>
                    </div>
                  ) : null}
                  <div className="item-meta">
                    <RiskBadge level={a.risk.level} score={a.risk.score} />
                    <span className="muted">{a.agent.name}</span>
                    {money(a.amount) ? <span>{money(a.amount)}</span> : null}
                    <span className="muted">ran {dateTime(a.createdAt)}</span>
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
