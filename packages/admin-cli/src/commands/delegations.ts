import { CREATE_DELEGATION, DELEGATIONS, REVOKE_DELEGATION } from '../api/operations.js';
import { collect, type Listing } from '../api/paging.js';
import { resolveApprover } from '../api/resolve.js';
import type { Delegation } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError } from '../errors.js';
import { list, timestamp } from '../output/format.js';
import { fields, table, toned, type Cell } from '../output/view.js';
import { parseEnd, parseInstant } from '../util/time.js';
import { listFooter } from './listing.js';

export interface CreateDelegationOptions {
  readonly to: string;
  readonly from?: string;
  readonly start?: string;
  readonly end?: string;
  readonly role?: readonly string[];
  readonly actionType?: readonly string[];
  readonly reason?: string;
}

/**
 * "While I am away, X decides for me." `--end` takes a date or a duration from the start
 * (`--end 14d`); `--from` (admins only) delegates on someone else's behalf.
 */
export async function createDelegation(ctx: CommandContext, options: CreateDelegationOptions): Promise<Delegation> {
  const now = ctx.now();
  const start = options.start ? parseInstant(options.start, now) : undefined;
  const end = options.end ? parseEnd(options.end, start ?? now, now) : undefined;
  if (end && end.getTime() <= (start ?? now).getTime()) throw CliError.usage('--end must come after the start.');
  const api = await ctx.api();
  const to = await resolveApprover(api, options.to);
  const from = options.from ? await resolveApprover(api, options.from) : undefined;
  const { createDelegation } = await api.request(CREATE_DELEGATION, {
    input: {
      toApproverId: to.id,
      fromApproverId: from?.id,
      startsAt: start?.toISOString(),
      endsAt: end?.toISOString(),
      roles: options.role ? [...options.role] : undefined,
      actionTypes: options.actionType ? [...options.actionType] : undefined,
      reason: options.reason,
    },
  });
  return createDelegation;
}

export interface ListDelegationsOptions {
  readonly limit: number;
  /** Also show revoked and ended delegations. */
  readonly all?: boolean;
  /** Only those from or to this approver (name or id). */
  readonly approver?: string;
}

/** Delegations in force or scheduled (all of them with `--all`), newest first. */
export async function listDelegations(ctx: CommandContext, options: ListDelegationsOptions): Promise<Listing<Delegation>> {
  const api = await ctx.api();
  const approverId = options.approver ? (await resolveApprover(api, options.approver)).id : undefined;
  const listing = await collect(api, DELEGATIONS, { approverId }, (d) => d.delegations, options.limit);
  if (options.all) return listing;
  const now = ctx.now();
  const nodes = listing.nodes.filter((d) => stateOf(d, now) !== 'revoked' && stateOf(d, now) !== 'ended');
  return { nodes, totalCount: listing.totalCount - (listing.nodes.length - nodes.length) };
}

/** Ends a delegation now; requests it moved go back to the delegator. */
export async function revokeDelegation(ctx: CommandContext, id: string): Promise<Delegation> {
  const api = await ctx.api();
  return (await api.request(REVOKE_DELEGATION, { id })).revokeDelegation;
}

type State = 'active' | 'scheduled' | 'ended' | 'revoked';

/** Whether the delegation is in force now, later, or no longer. */
export function stateOf(d: Delegation, now: Date): State {
  if (d.active) return 'active';
  if (d.revokedAt) return 'revoked';
  if (d.endsAt && new Date(d.endsAt) <= now) return 'ended';
  if (new Date(d.startsAt) > now) return 'scheduled';
  return 'active';
}

function stateCell(d: Delegation, now: Date): Cell {
  const state = stateOf(d, now);
  return toned(state, state === 'active' ? 'good' : state === 'scheduled' ? 'accent' : 'muted');
}

function scope(d: Delegation): string {
  const parts = [d.roles?.length ? `roles: ${list(d.roles)}` : '', d.actionTypes?.length ? `types: ${list(d.actionTypes)}` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'everything';
}

export const delegationPresenter: Presenter<Delegation> = {
  view: (d, now) => [
    fields([
      ['ID', d.id],
      ['From', d.from.name],
      ['To', d.to.name],
      ['State', stateCell(d, now)],
      ['Starts', timestamp(d.startsAt)],
      ['Ends', d.endsAt ? timestamp(d.endsAt) : 'until revoked'],
      ['Scope', scope(d)],
      ['Reason', d.reason],
      ['Revoked', timestamp(d.revokedAt)],
    ]),
  ],
};

export function delegationsPresenter(options: { readonly all?: boolean }): Presenter<Listing<Delegation>> {
  return {
    view: (r, now) => [
      table(
        ['ID', 'From', 'To', 'State', 'Starts', 'Ends', { header: 'Scope', flex: true }, { header: 'Reason', flex: true }],
        r.nodes.map((d) => [d.id, d.from.name, d.to.name, stateCell(d, now), timestamp(d.startsAt), d.endsAt ? timestamp(d.endsAt) : '', scope(d), d.reason ?? '']),
        options.all ? 'No delegations.' : 'No current or scheduled delegations (--all shows past ones).',
      ),
      ...listFooter(r, 'delegations'),
    ],
  };
}
