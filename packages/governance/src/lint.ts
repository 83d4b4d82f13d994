import type { CompiledCondition } from './cel.js';
import { Mode } from './enums.js';
import { compileGovernance, type ApproverSelector, type CompiledGovernance, type EscalationChain, type GovernanceDocument } from './document.js';

/** An approver as the linter needs to know them. */
export interface DirectoryApprover {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly active: boolean;
}

/** An agent as the linter needs to know it: its owner may never approve its requests. */
export interface DirectoryAgent {
  readonly name: string;
  /** The approver who owns it (an id of `approvers`), or null. */
  readonly ownerId: string | null;
}

/** Everyone who could be asked to approve, active or not, and the agents whose owners are left out. */
export interface ApproverDirectory {
  readonly approvers: readonly DirectoryApprover[];
  /** Agents with an owner; without them quorums are counted as if no agent had one. */
  readonly agents?: readonly DirectoryAgent[];
}

/**
 * Finds what in a valid document cannot work with the approvers who exist now, so
 * `applyGovernance` can warn before requests get stuck: roles and names nobody has,
 * levels nobody can decide, quorums larger than the people who could give them, policies
 * and routes that can never match, and no catch-all route. Each warning is a sentence
 * naming the thing to fix. Without a directory (an offline lint, which knows no
 * approvers) only the checks of the document alone run.
 *
 * @example
 * lintGovernance(document, { approvers: [{ id: 'a1', name: 'ana', roles: ['finance'], active: true }] });
 * lintGovernance(document); // unreachable rules and a missing catch-all only
 */
export function lintGovernance(doc: GovernanceDocument, directory?: ApproverDirectory): string[] {
  const compiled = compileGovernance(doc);
  const staffing = directory ? [...missingApprovers(doc, directory), ...emptyLevels(doc, directory), ...impossibleQuorums(compiled, directory)] : [];
  return [...staffing, ...unreachableRules(compiled), ...missingCatchAll(compiled)];
}

function missingApprovers(doc: GovernanceDocument, directory: ApproverDirectory): string[] {
  const warnings: string[] = [];
  const heldRoles = new Set(directory.approvers.flatMap((approver) => approver.roles));
  const reportedRoles = new Set<string>();
  const reportedNames = new Set<string>();
  for (const chain of doc.escalationChains) {
    chain.levels.forEach((level, i) => {
      for (const role of level.approvers.roles) {
        if (heldRoles.has(role) || reportedRoles.has(role)) continue;
        reportedRoles.add(role);
        warnings.push(`Role "${role}" (${levelName(chain, i)}) is held by no approver yet.`);
      }
      for (const name of level.approvers.names) {
        if (reportedNames.has(name)) continue;
        const named = directory.approvers.filter((approver) => approver.name === name);
        if (named.some((approver) => approver.active)) continue;
        reportedNames.add(name);
        warnings.push(`Approver "${name}" (${levelName(chain, i)}) ${named.length === 0 ? 'does not exist' : 'is inactive'}.`);
      }
    });
  }
  return warnings;
}

function emptyLevels(doc: GovernanceDocument, directory: ApproverDirectory): string[] {
  const warnings: string[] = [];
  for (const chain of doc.escalationChains) {
    const sizes = chain.levels.map((level) => resolve(level.approvers, directory).size);
    if (sizes.every((size) => size === 0)) {
      warnings.push(`Escalation chain "${chain.name}" has no active approver at any level: requests routed to it expire without anyone deciding.`);
      continue;
    }
    chain.levels.forEach((level, i) => {
      if (sizes[i] === 0) {
        warnings.push(`${capitalize(levelName(chain, i))} (${describeSelector(level.approvers)}) resolves to no active approver, so requests skip it.`);
      }
    });
  }
  return warnings;
}

// Approvals given at one level still count after escalation (one person, one vote), so a
// policy's quorum is possible when the chain as a whole has enough distinct people. An
// agent's owner may never vote on its requests, so a quorum is counted once more for each
// owner who would be among the voters.
function impossibleQuorums(compiled: CompiledGovernance, directory: ApproverDirectory): string[] {
  const warnings: string[] = [];
  const owners = agentsByOwner(directory);
  /** The sentence for `required` approvals from `people`, or null when every agent's requests can reach it. */
  const shortfall = (required: number, people: Set<string>, among: string): string | null => {
    if (people.size === 0) return null;
    if (required > people.size) return `only ${countOf(people.size, 'active approver')} ${among}`;
    // With one approval needed, an owner alone at a level only makes it skipped (emptyLevels' concern).
    if (required < 2) return null;
    for (const [ownerId, agents] of owners) {
      if (!people.has(ownerId) || required <= people.size - 1) continue;
      const owner = directory.approvers.find((approver) => approver.id === ownerId)?.name ?? ownerId;
      const whose = agents.length === 1 ? `agent "${agents[0]}"` : `agents ${agents.map((name) => `"${name}"`).join(', ')}`;
      return `only ${countOf(people.size - 1, 'active approver')} ${among} for requests of ${whose}, whose owner ${owner} may not approve them`;
    }
    return null;
  };
  for (const chain of compiled.chains.values()) {
    chain.levels.forEach((level, i) => {
      const short = shortfall(level.requiredApprovals, resolve(level.approvers, directory), 'can give them');
      if (short) warnings.push(`${capitalize(levelName(chain, i))} requires ${level.requiredApprovals} approvals, but ${short}.`);
    });
  }
  for (const policy of compiled.policies) {
    for (const rule of policy.adjust) {
      if (rule.requiredApprovals === undefined) continue;
      for (const chain of chainsReachableBy(compiled, policy.match)) {
        const people = new Set(chain.levels.flatMap((level) => [...resolve(level.approvers, directory)]));
        const short = shortfall(rule.requiredApprovals, people, 'across its levels');
        if (short) {
          warnings.push(`Policy "${policy.name}" adjust[${rule.index}] requires ${rule.requiredApprovals} approvals, but escalation chain "${chain.name}" has ${short}.`);
        }
      }
    }
  }
  return warnings;
}

/** The names of the agents each owner owns, owners and agents in name order. */
function agentsByOwner(directory: ApproverDirectory): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const agent of [...(directory.agents ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    if (agent.ownerId === null) continue;
    owners.set(agent.ownerId, [...(owners.get(agent.ownerId) ?? []), agent.name]);
  }
  return owners;
}

// The chains a policy's requests could be routed to, over-approximated: every route in
// evaluation order, stopping after the first that surely holds for them (one that is always
// true, or whose condition is the policy's own match, word for word).
function chainsReachableBy(compiled: CompiledGovernance, match: CompiledCondition): Set<EscalationChain> {
  const reachable = new Set<EscalationChain>();
  for (const route of compiled.routes) {
    if (route.when.constant === false) continue;
    const chain = compiled.chains.get(route.chain);
    if (chain) reachable.add(chain);
    if (route.when.constant === true || route.when.source === match.source) break;
  }
  return reachable;
}

interface Rule {
  readonly name: string;
  readonly condition: CompiledCondition;
}

function unreachableRules(compiled: CompiledGovernance): string[] {
  const warnings = shadowed('Policy', 'match', compiled.policies.map((policy) => ({ name: policy.name, condition: policy.match })));
  for (const policy of compiled.policies) {
    for (const rule of policy.adjust) {
      if (rule.when.constant === false) warnings.push(`Policy "${policy.name}" adjust[${rule.index}] can never apply: its condition is always false.`);
    }
    // Break-glass only ever opens a request that would wait for approval (DESIGN §12).
    const waits = Object.values(policy.modes).includes(Mode.SYNC_APPROVAL) || policy.adjust.some((rule) => rule.mode === Mode.SYNC_APPROVAL);
    if (policy.breakGlass?.allowed && !waits) {
      warnings.push(`Policy "${policy.name}" allows break-glass, but none of its requests waits for approval (no mode is SYNC_APPROVAL), so it never applies.`);
    }
  }
  warnings.push(...shadowed('Route', 'when', compiled.routes.map((route) => ({ name: route.name, condition: route.when }))));
  return warnings;
}

/** Rules (in evaluation order) that can never be the first to hold: always false, behind a catch-all, or behind the same condition. */
function shadowed(kind: 'Policy' | 'Route', field: 'match' | 'when', rules: readonly Rule[]): string[] {
  const warnings: string[] = [];
  const firstWithSource = new Map<string, Rule>();
  let catchAll: Rule | null = null;
  for (const rule of rules) {
    const cannot = `${kind} "${rule.name}" can never match`;
    const sameSource = firstWithSource.get(rule.condition.source);
    if (catchAll !== null) {
      warnings.push(`${cannot}: ${kind.toLowerCase()} "${catchAll.name}" is tried before it and matches every request.`);
    } else if (rule.condition.constant === false) {
      warnings.push(`${cannot}: its ${field} is always false.`);
    } else if (sameSource !== undefined) {
      warnings.push(`${cannot}: ${kind.toLowerCase()} "${sameSource.name}" is tried before it with the same ${field}.`);
    }
    if (rule.condition.constant === true) catchAll ??= rule;
    if (!firstWithSource.has(rule.condition.source)) firstWithSource.set(rule.condition.source, rule);
  }
  return warnings;
}

function missingCatchAll(compiled: CompiledGovernance): string[] {
  if (compiled.routes.some((route) => route.when.constant === true)) return [];
  return ["No route is a catch-all (when: 'true'): requests that need a human and match no route are DENIED with NO_ROUTE."];
}

/** The ids of the active approvers a level's selector brings in. */
function resolve(selector: ApproverSelector, directory: ApproverDirectory): Set<string> {
  const ids = new Set<string>();
  for (const approver of directory.approvers) {
    if (!approver.active) continue;
    if (selector.names.includes(approver.name) || approver.roles.some((role) => selector.roles.includes(role))) ids.add(approver.id);
  }
  return ids;
}

function levelName(chain: EscalationChain, index: number): string {
  return `escalation chain "${chain.name}" level ${index + 1}`;
}

function describeSelector(selector: ApproverSelector): string {
  const parts: string[] = [];
  if (selector.roles.length > 0) parts.push(`${selector.roles.length === 1 ? 'role' : 'roles'} ${selector.roles.join(', ')}`);
  if (selector.names.length > 0) parts.push(`${selector.names.length === 1 ? 'name' : 'names'} ${selector.names.join(', ')}`);
  return parts.join('; ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
