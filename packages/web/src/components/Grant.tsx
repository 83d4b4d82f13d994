import { Link } from 'wouter';
import { graphql } from '../gql/index.js';
import type { GrantFieldsFragment } from '../gql/graphql.js';
import { amountWithCode, countdown, dateTime, grantScopeText } from '../format.js';

/** What every page that shows a grant reads of it. */
export const GrantFields = graphql(`
  fragment GrantFields on Grant {
    id actionType when
    maxAmount { value currency }
    sameDestination destination { system external }
    sameArguments maxUses uses expiresAt revokedAt reason createdAt active
    agent { id name }
    grantedBy { kind id name }
    fromAction { id summary }
  }
`);

export type GrantView = GrantFieldsFragment;

/** Active, Revoked, Used up or Expired: a grant's state in a word. */
export function grantState(g: GrantView, now: number): 'Active' | 'Revoked' | 'Used up' | 'Expired' {
  if (g.revokedAt) return 'Revoked';
  if (g.maxUses !== null && g.maxUses !== undefined && g.uses >= g.maxUses) return 'Used up';
  if (new Date(g.expiresAt).getTime() <= now) return 'Expired';
  return g.active ? 'Active' : 'Expired';
}

export function GrantStateBadge({ grant, now }: { grant: GrantView; now: number }) {
  const state = grantState(grant, now);
  return <span className={`badge ${state === 'Active' ? 'status-approved' : 'status-expired'}`}>{state}</span>;
}

/** "3 of 5 used", "3 used (no limit)". */
export function usesText(g: Pick<GrantView, 'uses' | 'maxUses'>): string {
  return g.maxUses === null || g.maxUses === undefined ? `${g.uses} used (no limit)` : `${g.uses} of ${g.maxUses} used`;
}

/** The requests a grant covers, in one sentence. */
export function grantScopeOf(g: GrantView): string {
  return grantScopeText({
    agent: g.agent.name,
    actionType: g.actionType,
    maxUses: null,
    maxAmount: g.maxAmount ?? null,
    amounts: !!g.maxAmount,
    sameDestination: g.sameDestination,
    destination: g.destination ?? null,
    sameArguments: g.sameArguments,
    when: g.when,
  }, false);
}

/** A grant's scope and life as a list of terms: on the grants page, the request page and in reviews. */
export function GrantTerms({ grant: g, now, covers = false }: { grant: GrantView; now: number; covers?: boolean }) {
  const ends = new Date(g.expiresAt).getTime();
  return (
    <dl className="terms">
      {covers ? <div><dt>Covers</dt><dd>{g.agent.name} · <span className="code">{g.actionType}</span></dd></div> : null}
      <div><dt>Ceiling</dt><dd>{g.maxAmount ? `up to ${amountWithCode(g.maxAmount)}` : 'No amount ceiling'}</dd></div>
      {g.sameDestination ? <div><dt>Destination</dt><dd>{g.destination ? `only ${g.destination.system ?? 'an unnamed system'} (${g.destination.external ? 'outside the organisation' : 'internal'})` : 'only requests with no destination'}</dd></div> : null}
      {g.sameArguments ? <div><dt>Arguments</dt><dd>only the very arguments first approved</dd></div> : null}
      <div><dt>Condition</dt><dd>{g.when ? <code className="wrap">{g.when}</code> : <span className="muted">None</span>}</dd></div>
      <div><dt>Uses</dt><dd>{usesText(g)}</dd></div>
      <div>
        <dt>{g.revokedAt ? 'Revoked' : ends > now ? 'Ends' : 'Ended'}</dt>
        <dd>
          {g.revokedAt ? dateTime(g.revokedAt) : (
            <time dateTime={g.expiresAt} title={new Date(g.expiresAt).toLocaleString()}>{ends > now ? `${countdown(g.expiresAt, now)} (${dateTime(g.expiresAt)})` : dateTime(g.expiresAt)}</time>
          )}
        </dd>
      </div>
      <div><dt>Granted by</dt><dd>{g.grantedBy.name}{g.grantedBy.kind === 'ADMIN' ? ' (admin)' : ''}, {dateTime(g.createdAt)}</dd></div>
      <div><dt>Reason</dt><dd>{g.reason ?? <span className="muted">None given</span>}</dd></div>
      {g.fromAction ? <div><dt>Granted with</dt><dd><Link href={`/actions/${g.fromAction.id}`}>{g.fromAction.summary}</Link></dd></div> : null}
    </dl>
  );
}
