import { CREATE_GRANT, GRANTS, REVOKE_GRANT } from '../api/operations.js';
import { collect, type Listing } from '../api/paging.js';
import { resolveAgent, resolveApprover } from '../api/resolve.js';
import type { Grant } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError } from '../errors.js';
import { money, timestamp } from '../output/format.js';
import { fields, table, toned, type Cell } from '../output/view.js';
import { parseEnd } from '../util/time.js';
import { listFooter } from './listing.js';

export interface CreateGrantOptions {
  readonly agent: string;
  readonly actionType: string;
  readonly when?: string;
  /** `500 USD` or `500USD`. */
  readonly maxAmount?: string;
  /** `stripe` or `stripe:external`. */
  readonly destination?: string;
  readonly maxUses?: number;
  /** A date, or a duration from now (`8h`). */
  readonly expires?: string;
  readonly reason?: string;
}

/** `500 USD` → `{ value: 500, currency: 'USD' }`. */
export function parseAmount(text: string): { value: number; currency: string } {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]{3})\s*$/.exec(text);
  if (!match) throw CliError.usage(`--max-amount "${text}" is not an amount such as "500 USD".`);
  return { value: Number(match[1]), currency: match[2]!.toUpperCase() };
}

/** `stripe` (internal) or `stripe:external`. */
export function parseDestination(text: string): { system: string; external: boolean } {
  const [system, where] = text.split(':');
  if (!system || (where !== undefined && where !== 'external' && where !== 'internal')) {
    throw CliError.usage(`--destination "${text}" is not a destination such as "stripe" or "swift:external".`);
  }
  return { system, external: where === 'external' };
}

/**
 * A standing approval (DESIGN §12): later requests of the agent within this scope are
 * approved at once and put in your review queue. Approvers may grant only what they could
 * approve; the server says why when not.
 */
export async function createGrant(ctx: CommandContext, options: CreateGrantOptions): Promise<Grant> {
  const now = ctx.now();
  const expiresAt = options.expires ? parseEnd(options.expires, now, now) : undefined;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw CliError.usage('--expires must be in the future.');
  const maxAmount = options.maxAmount ? parseAmount(options.maxAmount) : undefined;
  const destination = options.destination ? parseDestination(options.destination) : undefined;
  const api = await ctx.api();
  const agent = await resolveAgent(api, options.agent);
  const { createGrant } = await api.request(CREATE_GRANT, {
    input: { agentId: agent.id, actionType: options.actionType, when: options.when, maxAmount, destination, maxUses: options.maxUses, expiresAt: expiresAt?.toISOString(), reason: options.reason },
  });
  return createGrant;
}

export interface ListGrantsOptions {
  readonly limit: number;
  /** Also show expired, used up and revoked grants. */
  readonly all?: boolean;
  readonly agent?: string;
  /** Admins: only this approver's grants (name or id). */
  readonly grantedBy?: string;
}

/** Live grants (all of them with `--all`), newest first: yours, or everyone's for an admin. */
export async function listGrants(ctx: CommandContext, options: ListGrantsOptions): Promise<Listing<Grant>> {
  const api = await ctx.api();
  const agentId = options.agent ? (await resolveAgent(api, options.agent)).id : undefined;
  const grantedBy = options.grantedBy ? (await resolveApprover(api, options.grantedBy)).id : undefined;
  return collect(api, GRANTS, { filter: { agentId, grantedBy, active: options.all ? undefined : true } }, (d) => d.grants, options.limit);
}

/** Ends a grant now. */
export async function revokeGrant(ctx: CommandContext, id: string): Promise<Grant> {
  const api = await ctx.api();
  return (await api.request(REVOKE_GRANT, { id })).revokeGrant;
}

/** What the grant covers, in a line: `≤ 500.00 USD; to stripe; same arguments; when …`. */
export function scopeOf(g: Grant): string {
  const parts = [
    g.maxAmount ? `≤ ${money(g.maxAmount)}` : '',
    g.sameDestination ? (g.destination ? `to ${g.destination.system ?? ''}${g.destination.external ? ' (external)' : ''}` : 'no destination') : '',
    g.sameArguments ? 'same arguments' : '',
    g.when ? `when ${g.when}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'any';
}

function usesOf(g: Grant): string {
  return g.maxUses === null ? `${g.uses}` : `${g.uses}/${g.maxUses}`;
}

function stateCell(g: Grant, now: Date): Cell {
  if (g.active) return toned('active', 'good');
  if (g.revokedAt) return toned('revoked', 'muted');
  if (new Date(g.expiresAt) <= now) return toned('expired', 'muted');
  return toned('used up', 'muted');
}

const granter = (g: Grant) => (g.grantedBy.kind === 'ADMIN' ? `${g.grantedBy.name} (admin)` : g.grantedBy.name);

export const grantPresenter: Presenter<Grant> = {
  view: (g, now) => [
    fields([
      ['ID', g.id],
      ['Agent', g.agent.name],
      ['Action type', g.actionType],
      ['Scope', scopeOf(g)],
      ['State', stateCell(g, now)],
      ['Uses', g.maxUses === null ? `${g.uses} (no limit)` : `${g.uses} of ${g.maxUses}`],
      ['Expires', timestamp(g.expiresAt)],
      ['Granted by', granter(g)],
      ['From request', g.fromAction?.id],
      ['Reason', g.reason],
      ['Revoked', timestamp(g.revokedAt)],
    ]),
  ],
};

export function grantsPresenter(options: { readonly all?: boolean }): Presenter<Listing<Grant>> {
  return {
    view: (r, now) => [
      table(
        ['ID', 'Agent', 'Type', 'State', { header: 'Uses', align: 'right' }, 'Expires', 'Granted by', { header: 'Scope', flex: true }],
        r.nodes.map((g) => [g.id, g.agent.name, g.actionType, stateCell(g, now), usesOf(g), timestamp(g.expiresAt), granter(g), scopeOf(g)]),
        options.all ? 'No grants.' : 'No active grants (--all shows expired, used up and revoked ones).',
      ),
      ...listFooter(r, 'grants'),
    ],
  };
}
