import { useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql/index.js';
import { dateTime, words } from '../format.js';
import { Empty, ErrorNote, Loading } from '../components/ui.js';

const AuditQuery = graphql(`
  query AuditLog($after: String, $subjectId: String) {
    auditLog(first: 100, after: $after, filter: { subjectId: $subjectId }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { seq at kind subjectType subjectId actorType actorId hash }
    }
  }
`);
const VerifyQuery = graphql(`query VerifyAudit { verifyAuditChain { valid checked brokenAt } }`);

/** `/audit`: the hash-chained log, and a check that nothing in it was changed. */
export default function Audit() {
  const [after, setAfter] = useState<string | undefined>();
  const [subject, setSubject] = useState('');
  const [result, refetch] = useQuery({ query: AuditQuery, variables: { after, subjectId: subject.trim() || undefined }, requestPolicy: 'cache-and-network' });
  const [verify, runVerify] = useQuery({ query: VerifyQuery, pause: true, requestPolicy: 'network-only' });
  const v = verify.data?.verifyAuditChain;
  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <p className="muted">Every event is chained to the one before by its hash: a changed, deleted or reordered event breaks the chain.</p>
      </div>
      <div className="card toolbar">
        <button type="button" className="button primary" onClick={() => runVerify()} disabled={verify.fetching}>{verify.fetching ? 'Verifying…' : 'Verify the chain'}</button>
        <span role="status" aria-live="polite">
          {v ? (v.valid ? <strong className="ok">Chain intact: {v.checked} events checked.</strong> : <strong className="bad">Chain broken at event {v.brokenAt} ({v.checked} intact before it).</strong>) : null}
        </span>
        {verify.error ? <ErrorNote error={verify.error} /> : null}
        <label htmlFor="audit-subject" className="visually-hidden">Subject id</label>
        <input id="audit-subject" type="search" placeholder="Filter by subject id" value={subject} onChange={(e) => { setSubject(e.target.value); setAfter(undefined); }} />
      </div>
      {result.error && !result.data ? <ErrorNote error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!result.data && !result.error ? <Loading what="Loading the log" /> : null}
      {result.data && result.data.auditLog.nodes.length === 0 ? <Empty title="No events." /> : null}
      {result.data && result.data.auditLog.nodes.length ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Audit events, oldest first</caption>
            <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Event</th><th scope="col">About</th><th scope="col">By</th></tr></thead>
            <tbody>
              {result.data.auditLog.nodes.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>{dateTime(e.at)}</td>
                  <td>{words(e.kind)}</td>
                  <td>{e.subjectType === 'ACTION' && e.subjectId ? <Link href={`/actions/${e.subjectId}`}>request</Link> : words(e.subjectType)}</td>
                  <td>{words(e.actorType)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="row">
        {after ? <button type="button" className="button" onClick={() => setAfter(undefined)}>Back to the start</button> : null}
        {result.data?.auditLog.pageInfo.hasNextPage ? <button type="button" className="button" onClick={() => setAfter(result.data!.auditLog.pageInfo.endCursor ?? undefined)}>Next 100</button> : null}
      </div>
    </section>
  );
}
