import { useCallback, useState } from 'react';
import { useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { graphql } from '../gql/index.js';
import { useQueueChanges } from '../live.js';
import { money } from '../format.js';
import { Countdown, Empty, ErrorNote, Loading, Quorum, RiskBadge, useListKeys, useNow } from '../components/ui.js';

const QueueQuery = graphql(`
  query ApprovalQueue($first: Int) {
    approvalQueue(first: $first) {
      totalCount
      pageInfo { hasNextPage }
      nodes {
        id
        type
        summary
        deadline
        createdAt
        requiredApprovals
        escalationLevel
        amount { value currency }
        risk { score level }
        agent { id name }
        approvals
        assignees { onBehalfOf { id name } approver { id } }
      }
    }
  }
`);

/** The soonest due first; more on request (the server's queue page is sized for 50). */
const PAGE = 50;

/** `/`: my approval queue, live, soonest deadline first. */
export function Queue() {
  const [shown, setShown] = useState(PAGE);
  const [result, refetch] = useQuery({ query: QueueQuery, variables: { first: shown }, requestPolicy: 'cache-and-network' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // Any change to my queues: read the queue again (the server orders it).
  useQueueChanges(reload);
  const now = useNow();
  const [, navigate] = useLocation();
  const nodes = result.data?.approvalQueue.nodes ?? [];
  const [current, setCurrent] = useListKeys(nodes.length, (i) => navigate(`/actions/${nodes[i].id}`));

  return (
    <section aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Your approval queue</h1>
        {result.data ? (
          <p className="muted" aria-live="polite">
            {result.data.approvalQueue.totalCount === 1 ? '1 request waits' : `${result.data.approvalQueue.totalCount} requests wait`} for you
          </p>
        ) : null}
      </div>
      {result.error && !result.data ? <ErrorNote error={result.error} retry={reload} /> : null}
      {!result.data && !result.error ? <Loading what="Loading your queue" /> : null}
      {result.data && nodes.length === 0 ? (
        <Empty title="Nothing waits for you.">New requests appear here as soon as they are assigned to you. <Link href="/reviews">Review</Link> what ran on its own.</Empty>
      ) : null}
      {nodes.length > 0 ? (
        <>
          <p className="muted hint">
            <kbd>j</kbd>/<kbd>k</kbd> to move, <kbd>Enter</kbd> to open
          </p>
          <ul className="list" aria-label="Requests waiting for you">
            {nodes.map((a, i) => {
              const q = { given: a.approvals, required: a.requiredApprovals };
              const delegatedFrom = a.assignees.find((x) => x.onBehalfOf)?.onBehalfOf?.name;
              return (
                <li key={a.id} data-index={i} className={i === current ? 'item current' : 'item'} onMouseEnter={() => setCurrent(i)}>
                  <Link href={`/actions/${a.id}`} className="item-link">
                    <span className="item-title">{a.summary}</span>
                  </Link>
                  <div className="item-meta">
                    <RiskBadge level={a.risk.level} score={a.risk.score} />
                    <span className="muted">{a.agent.name}</span>
                    <span className="muted code">{a.type}</span>
                    {money(a.amount) ? <span>{money(a.amount)}</span> : null}
                  </div>
                  <div className="item-meta">
                    <span>
                      Due <Countdown deadline={a.deadline} now={now} />
                    </span>
                    {a.requiredApprovals > 1 ? <Quorum {...q} /> : null}
                    {a.escalationLevel && a.escalationLevel > 1 ? <span className="badge">Escalated · level {a.escalationLevel}</span> : null}
                    {delegatedFrom ? <span className="badge">For {delegatedFrom}</span> : null}
                  </div>
                </li>
              );
            })}
          </ul>
          {result.data?.approvalQueue.pageInfo.hasNextPage ? (
            <div className="row wrap more">
              <p className="muted">Showing the {nodes.length} soonest due of {result.data.approvalQueue.totalCount}.</p>
              {shown < 500 ? (
                <button type="button" className="button small" onClick={() => setShown((n) => Math.min(500, n + PAGE))} disabled={result.fetching}>
                  Show {PAGE} more
                </button>
              ) : null}
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
