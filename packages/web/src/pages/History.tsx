import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql/index.js';
import { dateTime, words } from '../format.js';
import { Empty, ErrorNote, Loading, RiskBadge } from '../components/ui.js';

const HistoryQuery = graphql(`
  query MyDecisions($first: Int) {
    myDecisions(first: $first) {
      totalCount
      nodes {
        id summary type status
        risk { level score }
        agent { name }
        decisions { verdict comment at approver { id } onBehalfOf { name } }
      }
    }
  }
`);

/** `/history`: what I decided, most recent verdict first. */
export default function History({ myId }: { myId: string | null }) {
  const [result, refetch] = useQuery({ query: HistoryQuery, variables: { first: 50 }, requestPolicy: 'cache-and-network' });
  const nodes = result.data?.myDecisions.nodes ?? [];
  return (
    <section aria-labelledby="history-title">
      <div className="page-head">
        <h1 id="history-title">What you decided</h1>
        {result.data ? <p className="muted">{result.data.myDecisions.totalCount} verdicts</p> : null}
      </div>
      {result.error && !result.data ? <ErrorNote error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!result.data && !result.error ? <Loading what="Loading your history" /> : null}
      {result.data && nodes.length === 0 ? <Empty title="No verdicts yet.">Requests you approve, deny or send back appear here.</Empty> : null}
      {nodes.length ? (
        <ul className="list" aria-label="Your verdicts">
          {nodes.map((a) => {
            const d = a.decisions.find((x) => x.approver.id === myId);
            return (
              <li key={a.id} className="item">
                <Link href={`/actions/${a.id}`} className="item-link"><span className="item-title">{a.summary}</span></Link>
                <div className="item-meta">
                  {d ? <strong className={`verdict verdict-${d.verdict.toLowerCase()}`}>You: {words(d.verdict)}</strong> : null}
                  <RiskBadge level={a.risk.level} score={a.risk.score} />
                  <span className="muted">{a.agent.name}</span>
                  {d ? <span className="muted">{dateTime(d.at)}</span> : null}
                  {d?.onBehalfOf ? <span className="badge">For {d.onBehalfOf.name}</span> : null}
                  <span className="muted">Now: {words(a.status).toLowerCase()}</span>
                </div>
                {d?.comment ? <q className="block">{d.comment}</q> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
