import { CliError, ExitCode } from '../errors.js';
import type { Api } from './client.js';
import { AGENTS, APPROVERS } from './operations.js';
import { walk } from './paging.js';
import type { Ref } from './types.js';

/** Server ids are UUIDs; anything else typed where an id goes is taken as a name. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function byIdOrName(nodes: AsyncIterable<Ref>, ref: string, what: string): Promise<Ref> {
  if (UUID.test(ref)) return { id: ref, name: ref };
  for await (const node of nodes) {
    if (node.name === ref) return node;
  }
  throw new CliError(`No ${what} named "${ref}".`, ExitCode.NOT_FOUND);
}

/**
 * Lets people write `agents suspend invoice-bot` instead of pasting a UUID, as kubectl
 * addresses resources by name. Names are unique on the server, so a match is the one.
 */
export function resolveAgent(api: Api, ref: string): Promise<Ref> {
  return byIdOrName(walk(api, AGENTS, {}, (d) => d.agents), ref, 'agent');
}

/** As {@link resolveAgent}, for approvers (`--owner alice`, `delegations create --to bob`). */
export function resolveApprover(api: Api, ref: string): Promise<Ref> {
  return byIdOrName(walk(api, APPROVERS, {}, (d) => d.approvers), ref, 'approver');
}
