import { RiskLevel, matchRoute, toCelVars, type CompiledGovernance, type EscalationChain, type SubmittedAction } from '@countersign/governance';
import { Operation } from '../shared/enums.js';
import { resolveLevelAssignees, toLevelChain, type ApproverRef } from '../escalation/levels.js';
import type { DelegationRule } from '../delegation/resolve.js';

// "An approver may grant only what they could approve" (DESIGN §12), made concrete: they
// could approve a request when its chain would assign it to them at some level — in their
// own right or as someone's delegate, never as the agent's owner. Pure functions over the
// chain, the directory and the delegations in force.

export interface Reach {
  at: Date;
  actionType: string;
  /** The agent's owner, who may not approve its requests (separation of duties). */
  ownerId: string | null;
  directory: readonly ApproverRef[];
  rules: readonly DelegationRule[];
}

/** Whether any level of `chain` would assign a request to `approverId` now. */
export function chainReaches(chain: EscalationChain, approverId: string, reach: Reach): boolean {
  if (reach.ownerId === approverId) return false;
  const ctx = { at: reach.at, actionType: reach.actionType, excludeApproverIds: reach.ownerId ? [reach.ownerId] : [] };
  return toLevelChain(chain).levels.some((level) => resolveLevelAssignees(level, reach.directory, ctx, reach.rules).some((a) => a.approverId === approverId));
}

/** What an approver asks to grant with createGrant: the requests it would cover, as far as known. */
export interface GrantProbe {
  agent: { name: string; tags: string[] };
  /** Exact, or `prefix.*`. */
  actionType: string;
  amount: { value: number; currency: string } | null;
  destination: { system: string; external: boolean } | null;
}

/**
 * Whether an approver could approve the requests a grant would cover: for a request of
 * its agent and type (a prefix stands for the prefix itself), with its amount and
 * destination when it names them, at each level a grant may cover, the route that
 * request would take names a chain that reaches them. Routes that need more of the
 * request than that to match count as not matching (fail closed): such a grant is for an
 * admin to make. Whatever the grant says, each use is checked again against the route the
 * request actually takes ({@link chainReaches}).
 */
export function couldApprove(compiled: CompiledGovernance | null, approverId: string, probe: GrantProbe, reach: Omit<Reach, 'actionType'>): { ok: true } | { ok: false; reason: string } {
  const type = probe.actionType.endsWith('*') ? probe.actionType.slice(0, -1) : probe.actionType;
  const input: SubmittedAction = {
    type,
    operation: Operation.WRITE,
    dataCategories: [],
    ...(probe.amount ? { amount: probe.amount } : {}),
    ...(probe.destination ? { destination: probe.destination } : {}),
  };
  const routes = new Set<string>();
  for (const level of [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]) {
    const { route } = matchRoute(compiled, toCelVars(input, probe.agent, { score: 0, level }));
    if (!route) continue;
    routes.add(route.name);
    const chain = compiled!.chains.get(route.chain);
    if (chain && chainReaches(chain, approverId, { ...reach, actionType: type })) return { ok: true };
  }
  if (routes.size === 0) return { ok: false, reason: `no route takes ${probe.actionType} requests of agent ${probe.agent.name} to anyone, so you could not approve them` };
  return { ok: false, reason: `${probe.actionType} requests of agent ${probe.agent.name} go by route ${[...routes].join(', ')} to people other than you, so you could not approve them` };
}
