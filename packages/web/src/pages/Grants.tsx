import { useCallback, useEffect, useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { useSearch } from 'wouter';
import { graphql } from '../gql/index.js';
import { ConfirmDialog, Empty, ErrorNote, Loading, useNow, useRefreshWhileVisible } from '../components/ui.js';
import { GrantStateBadge, GrantTerms, grantScopeOf, grantState, type GrantView } from '../components/Grant.js';

const GrantsQuery = graphql(`
  query Grants($filter: GrantFilter, $first: Int) {
    grants(filter: $filter, first: $first) {
      totalCount
      pageInfo { hasNextPage }
      nodes { ...GrantFields }
    }
  }
`);

const RevokeGrant = graphql(`
  mutation RevokeGrant($id: ID!) {
    revokeGrant(id: $id) { ...GrantFields }
  }
`);

const PAGE = 50;
/** How often the open page reads the grants again. */
const REFRESH_MS = 10_000;

/**
 * `/grants`: standing approvals (DESIGN §12) — an approver's own, or every one for an
 * admin (the server decides which) — with what each covers, its uses and its end, and
 * Revoke. `?grant=<id>` (the request page links so) shows ended ones too and marks that one.
 */
export default function Grants({ admin }: { admin: boolean }) {
  const marked = new URLSearchParams(useSearch()).get('grant');
  const [ended, setEnded] = useState(!!marked);
  const [shown, setShown] = useState(PAGE);
  const [result, refetch] = useQuery({ query: GrantsQuery, variables: { filter: ended ? null : { active: true }, first: shown }, requestPolicy: 'cache-and-network' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // Uses go up as agents' requests go through: the page keeps up while it is open.
  useRefreshWhileVisible(reload, REFRESH_MS);
  const [revoking, setRevoking] = useState<GrantView | null>(null);
  const [revoked, revoke] = useMutation(RevokeGrant);
  const [revokeError, setRevokeError] = useState<CombinedError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const now = useNow();
  const nodes = result.data?.grants.nodes ?? [];

  useEffect(() => {
    if (!marked || !result.data) return;
    const item = document.getElementById(`grant-${marked}`);
    item?.scrollIntoView({ block: 'center' });
    item?.focus({ preventScroll: true });
  }, [marked, result.data]);

  async function confirmRevoke(grant: GrantView) {
    setDone(null);
    const r = await revoke({ id: grant.id });
    setRevokeError(r.error ?? null);
    if (r.error) return;
    setRevoking(null);
    setDone(`Revoked: ${grant.agent.name}'s ${grant.actionType} requests wait for a person again.`);
    reload();
  }

  return (
    <section aria-labelledby="grants-title">
      <div className="page-head">
        <h1 id="grants-title">Grants</h1>
        <p className="muted">
          {admin ? 'Every standing approval.' : 'Standing approvals you gave.'} While one is active, the requests it covers are approved at once and put in
          {admin ? ' its granter’s' : ' your'} review queue.
        </p>
      </div>
      <div className="row wrap spread toolbar-plain">
        <label className="check">
          <input type="checkbox" checked={ended} onChange={(e) => setEnded(e.target.checked)} /> Show expired, used-up and revoked grants
        </label>
        {result.data ? <span className="muted" aria-live="polite">{result.data.grants.totalCount} {ended ? 'in all' : 'active'}</span> : null}
      </div>
      {done ? <p className="note success" role="status">{done}</p> : null}
      {result.error && !result.data ? <ErrorNote error={result.error} retry={reload} /> : null}
      {!result.data && !result.error ? <Loading what="Loading grants" /> : null}
      {result.data && nodes.length === 0 ? (
        <Empty title={ended ? 'No grants yet.' : 'No active grants.'}>
          On a request you may approve, “Approve and allow similar…” lets the next few like it through within the limits you set.
        </Empty>
      ) : null}
      {nodes.length ? (
        <ul className="list" aria-label="Grants">
          {nodes.map((g) => {
            const state = grantState(g, now);
            return (
              <li key={g.id} id={`grant-${g.id}`} tabIndex={-1} className={g.id === marked ? 'item current' : 'item'} aria-labelledby={`grant-title-${g.id}`}>
                <div className="row wrap spread">
                  <span className="item-title" id={`grant-title-${g.id}`}>{g.agent.name} · <span className="code">{g.actionType}</span></span>
                  <GrantStateBadge grant={g} now={now} />
                </div>
                <GrantTerms grant={g} now={now} />
                {state === 'Active' ? (
                  <button type="button" className="button small danger" aria-describedby={`grant-title-${g.id}`} onClick={() => { setRevokeError(null); setRevoking(g); }}>
                    Revoke
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      {result.data?.grants.pageInfo.hasNextPage ? (
        <div className="row wrap more">
          <p className="muted">Showing the {nodes.length} newest of {result.data.grants.totalCount}.</p>
          <button type="button" className="button small" onClick={() => setShown((n) => n + PAGE)} disabled={result.fetching}>Show {PAGE} more</button>
        </div>
      ) : null}
      {revoking ? (
        <ConfirmDialog title="Revoke this grant?" confirmLabel="Revoke" tone="danger" busy={revoked.fetching} onCancel={() => setRevoking(null)} onConfirm={() => void confirmRevoke(revoking)}>
          <p>From now on, {grantScopeOf(revoking).replace(/^any of /, '')} wait for a person again.</p>
          <p className="muted">It let {revoking.uses === 1 ? 'one request' : `${revoking.uses} requests`} through so far; those stay approved.</p>
          {revokeError ? <ErrorNote error={revokeError} /> : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
