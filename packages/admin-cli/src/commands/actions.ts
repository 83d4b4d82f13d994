import { ACTIONS } from '../api/operations.js';
import { collect, type Listing } from '../api/paging.js';
import { resolveAgent } from '../api/resolve.js';
import type { ActionFilter, ActionStatus, ActionSummary, Mode, RiskLevel } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError } from '../errors.js';
import { age, risk, status } from '../output/format.js';
import { table, text } from '../output/view.js';
import { parseInstant, parseSince } from '../util/time.js';
import { listFooter } from './listing.js';

export const ACTION_STATUSES = ['PENDING', 'APPROVED', 'DENIED', 'CHANGES_REQUESTED', 'EXPIRED', 'CANCELLED'] as const satisfies readonly ActionStatus[];
export const MODES = ['AUTO', 'ASYNC_REVIEW', 'SYNC_APPROVAL', 'BLOCK'] as const satisfies readonly Mode[];
export const RISK_LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const satisfies readonly RiskLevel[];

export interface ActionsOptions {
  readonly status?: readonly string[];
  readonly mode?: readonly string[];
  readonly level?: readonly string[];
  readonly type?: string;
  readonly agent?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
}

/** Each value of a repeatable option must be one of `allowed` (upper-cased, so `--status pending` works). */
function oneOf<T extends string>(option: string, values: readonly string[] | undefined, allowed: readonly T[]): T[] | undefined {
  if (!values || values.length === 0) return undefined;
  const isAllowed = (value: string): value is T => (allowed as readonly string[]).includes(value);
  return values.map((v) => {
    const upper = v.toUpperCase();
    if (!isAllowed(upper)) throw CliError.usage(`--${option} ${upper.toLowerCase()} is not one of ${allowed.join(', ')}.`);
    return upper;
  });
}

/** Every request (admins), newest first, with the filters of the API's `actions` query. */
export async function listActions(ctx: CommandContext, options: ActionsOptions): Promise<Listing<ActionSummary>> {
  const now = ctx.now();
  const filter: ActionFilter = {
    status: oneOf('status', options.status, ACTION_STATUSES),
    mode: oneOf('mode', options.mode, MODES),
    level: oneOf('level', options.level, RISK_LEVELS),
    type: options.type,
    since: options.since ? parseSince(options.since, now).toISOString() : undefined,
    until: options.until ? parseInstant(options.until, now).toISOString() : undefined,
  };
  const api = await ctx.api();
  const agentId = options.agent ? (await resolveAgent(api, options.agent)).id : undefined;
  return collect(api, ACTIONS, { filter: { ...filter, agentId } }, (d) => d.actions, options.limit);
}

export const actionsPresenter: Presenter<Listing<ActionSummary>> = {
  view: (r, now) => [
    table(
      ['ID', 'Risk', 'Type', 'Agent', 'Status', 'Mode', { header: 'Summary', flex: true }, 'Age'],
      r.nodes.map((a) => [a.id, risk(a.risk), a.type, a.agent.name, status(a.status), a.mode, a.summary, age(a.createdAt, now)]),
      'No requests match.',
    ),
    ...listFooter(r, 'requests'),
    ...(r.nodes.length > 0 ? [text('Next: countersign show <id>.', 'muted')] : []),
  ],
};
