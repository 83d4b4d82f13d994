import { APPROVERS, CREATE_APPROVER, ME, ROTATE_APPROVER_TOKEN, UPDATE_APPROVER } from '../api/operations.js';
import { collect, walk, type Listing } from '../api/paging.js';
import { resolveApprover } from '../api/resolve.js';
import type { Approver, ApproverWithToken } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import { age, list, timestamp } from '../output/format.js';
import { fields, table, text, toned, type Block } from '../output/view.js';
import { listFooter } from './listing.js';

export interface CreateApproverOptions {
  readonly name: string;
  readonly email?: string;
  readonly role?: readonly string[];
  /** Their Slack member id: Slack approvals reach them by direct message. */
  readonly slackUserId?: string;
}

/** Registers an approver; their roles are what `role:` in escalation levels selects. */
export async function createApprover(ctx: CommandContext, options: CreateApproverOptions): Promise<ApproverWithToken> {
  const api = await ctx.api();
  const { createApprover } = await api.request(CREATE_APPROVER, {
    input: { name: options.name, email: options.email, roles: options.role ? [...options.role] : undefined, slackUserId: options.slackUserId },
  });
  return createApprover;
}

export interface ListApproversOptions {
  readonly limit: number;
  readonly role?: string;
}

/** Approvers, oldest first; `--role` shows who a chain level would reach. */
export async function listApprovers(ctx: CommandContext, options: ListApproversOptions): Promise<Listing<Approver>> {
  const api = await ctx.api();
  return collect(api, APPROVERS, { role: options.role }, (d) => d.approvers, options.limit);
}

export interface UpdateApproverOptions {
  readonly email?: string;
  /** Replaces every role. */
  readonly roles?: readonly string[];
  readonly addRole?: readonly string[];
  readonly removeRole?: readonly string[];
  readonly active?: boolean;
  /** A Slack member id; false (`--no-slack-user-id`) unlinks. */
  readonly slackUserId?: string | false;
}

/**
 * Changes an approver. `--add-role`/`--remove-role` edit the current roles (read first),
 * so granting one role does not mean retyping the others; `--roles` replaces them all.
 */
export async function updateApprover(ctx: CommandContext, ref: string, options: UpdateApproverOptions): Promise<Approver> {
  if (options.roles && (options.addRole || options.removeRole)) {
    throw CliError.usage('Use either --roles (replace all) or --add-role/--remove-role (edit), not both.');
  }
  const api = await ctx.api();
  const target = await resolveApprover(api, ref);
  let roles = options.roles ? [...options.roles] : undefined;
  if (options.addRole || options.removeRole) {
    const current = await findApprover(ctx, target.id);
    const removed = new Set(options.removeRole ?? []);
    roles = [...new Set([...current.roles, ...(options.addRole ?? [])])].filter((role) => !removed.has(role));
  }
  if (options.email === undefined && roles === undefined && options.active === undefined && options.slackUserId === undefined) {
    throw CliError.usage('Nothing to change: give --email, --roles, --add-role, --remove-role, --active, --no-active, --slack-user-id or --no-slack-user-id.');
  }
  const slackUserId = options.slackUserId === false ? null : options.slackUserId;
  const { updateApprover } = await api.request(UPDATE_APPROVER, { id: target.id, input: { email: options.email, roles, active: options.active, slackUserId } });
  return updateApprover;
}

/**
 * Links (or with null unlinks) the caller's own Slack account: an approver may change
 * this one thing about themself. Answers the approver as changed.
 */
export async function linkMySlack(ctx: CommandContext, slackUserId: string | null): Promise<Approver> {
  const api = await ctx.api();
  const { me } = await api.request(ME, {});
  if (me.kind !== 'APPROVER' || !me.id) {
    throw CliError.usage(`This links an approver's own Slack account, and the token is ${me.kind === 'ADMIN' ? 'an admin\'s: use countersign approvers update <approver> --slack-user-id <id>' : 'an agent\'s'}.`);
  }
  return (await api.request(UPDATE_APPROVER, { id: me.id, input: { slackUserId } })).updateApprover;
}

/**
 * Issues an approver a new token; the old one stops working at once, open connections
 * included. The new token is printed once (as by `create`).
 */
export async function rotateApproverToken(ctx: CommandContext, ref: string): Promise<ApproverWithToken> {
  const api = await ctx.api();
  const target = await resolveApprover(api, ref);
  return (await api.request(ROTATE_APPROVER_TOKEN, { id: target.id })).rotateApproverToken;
}

async function findApprover(ctx: CommandContext, id: string): Promise<Approver> {
  const api = await ctx.api();
  for await (const approver of walk(api, APPROVERS, {}, (d) => d.approvers)) {
    if (approver.id === id) return approver;
  }
  throw new CliError(`No approver with id ${id}.`, ExitCode.NOT_FOUND);
}

function approverFields(a: Approver): Block {
  return fields([
    ['ID', a.id],
    ['Name', a.name],
    ['Email', a.email],
    ['Slack', a.slackUserId ?? undefined],
    ['Roles', list(a.roles, '(none)')],
    ['Active', a.active ? 'yes' : toned('no: gets no work and cannot sign in', 'warn')],
    ['Created', timestamp(a.createdAt)],
  ]);
}

export const approverWithTokenPresenter: Presenter<ApproverWithToken> = {
  view: (r) => [
    approverFields(r.approver),
    text(''),
    fields([['Token', toned(r.token, 'accent')]]),
    text(`Give the token to ${r.approver.name} now: it is not shown again. They sign in with: countersign login --token -`, 'warn'),
  ],
};

export const approverPresenter: Presenter<Approver> = {
  view: (a) => [approverFields(a)],
};

export const approversPresenter: Presenter<Listing<Approver>> = {
  view: (r, now) => [
    table(
      ['ID', 'Name', 'Email', { header: 'Roles', flex: true }, 'Active', 'Age'],
      r.nodes.map((a) => [a.id, a.name, a.email ?? '', list(a.roles), a.active ? 'yes' : toned('no', 'warn'), age(a.createdAt, now)]),
      'No approvers yet. Create one: countersign approvers create --name <name> --role <role>',
    ),
    ...listFooter(r, 'approvers'),
  ],
};
