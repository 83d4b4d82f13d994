import { AGENTS, CREATE_AGENT, RESUME_AGENT, ROTATE_AGENT_KEY, SUSPEND_AGENT } from '../api/operations.js';
import { collect, type Listing } from '../api/paging.js';
import { resolveAgent, resolveApprover } from '../api/resolve.js';
import type { Agent, AgentStatus, AgentWithKey } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { age, list, status, timestamp } from '../output/format.js';
import { fields, table, text, toned, type View } from '../output/view.js';
import { listFooter } from './listing.js';

export interface CreateAgentOptions {
  readonly name: string;
  readonly description?: string;
  readonly tag?: readonly string[];
  readonly owner?: string;
}

/** Registers an agent; `--owner` (an approver's name or id) can never approve its requests. */
export async function createAgent(ctx: CommandContext, options: CreateAgentOptions): Promise<AgentWithKey> {
  const api = await ctx.api();
  const owner = options.owner ? await resolveApprover(api, options.owner) : undefined;
  const { createAgent } = await api.request(CREATE_AGENT, {
    input: { name: options.name, description: options.description, tags: options.tag ? [...options.tag] : undefined, ownerId: owner?.id },
  });
  return createAgent;
}

export interface ListAgentsOptions {
  readonly limit: number;
  readonly status?: AgentStatus;
}

/** Agents, oldest first (`--status SUSPENDED` finds what the kill switch stopped). */
export async function listAgents(ctx: CommandContext, options: ListAgentsOptions): Promise<Listing<Agent>> {
  const api = await ctx.api();
  return collect(api, AGENTS, { status: options.status }, (d) => d.agents, options.limit);
}

/** The kill switch: every further submission of the agent is DENIED until `resume`. */
export async function suspendAgent(ctx: CommandContext, ref: string, options: { readonly reason?: string }): Promise<Agent> {
  const api = await ctx.api();
  const { id } = await resolveAgent(api, ref);
  return (await api.request(SUSPEND_AGENT, { id, reason: options.reason })).suspendAgent;
}

/** Lifts a suspension: the agent's next submissions are assessed as usual again. */
export async function resumeAgent(ctx: CommandContext, ref: string): Promise<Agent> {
  const api = await ctx.api();
  const { id } = await resolveAgent(api, ref);
  return (await api.request(RESUME_AGENT, { id })).resumeAgent;
}

/** Issues a new API key; the old one stops working at once. */
export async function rotateAgentKey(ctx: CommandContext, ref: string): Promise<AgentWithKey> {
  const api = await ctx.api();
  const { id } = await resolveAgent(api, ref);
  return (await api.request(ROTATE_AGENT_KEY, { id })).rotateAgentKey;
}

function agentFields(agent: Agent): View[number] {
  return fields([
    ['ID', agent.id],
    ['Name', agent.name],
    ['Status', status(agent.status)],
    ['Reason', agent.suspendedReason],
    ['Description', agent.description],
    ['Tags', list(agent.tags)],
    ['Owner', agent.owner?.name],
    ['Created', timestamp(agent.createdAt)],
  ]);
}

/** The key is printed once, with the one warning that matters about it. */
export const agentWithKeyPresenter: Presenter<AgentWithKey> = {
  view: (r) => [
    agentFields(r.agent),
    text(''),
    fields([['API key', toned(r.apiKey, 'accent')]]),
    text('Store the API key now (e.g. as COUNTERSIGN_API_KEY for the agent): it is not shown again.', 'warn'),
  ],
};

export const agentPresenter: Presenter<Agent> = {
  view: (agent) => [agentFields(agent)],
};

export const agentsPresenter: Presenter<Listing<Agent>> = {
  view: (r, now) => [
    table(
      ['ID', 'Name', 'Status', { header: 'Tags', flex: true }, 'Owner', 'Age'],
      r.nodes.map((a) => [a.id, a.name, status(a.status), list(a.tags), a.owner?.name ?? '', age(a.createdAt, now)]),
      'No agents yet. Create one: countersign agents create --name <name>',
    ),
    ...listFooter(r, 'agents'),
  ],
};
