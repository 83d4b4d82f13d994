import { ChangeOp } from './enums.js';
import type { GovernanceDocument, Policy } from './document.js';

export type GovernanceChangeKind = 'riskModel' | 'policy' | 'grants' | 'escalationChain' | 'route';

/** One entry that a new document creates, changes or removes. */
export interface GovernanceChange {
  kind: GovernanceChangeKind;
  /** The entry's name; `riskModel` for the risk model. */
  name: string;
  op: ChangeOp;
}

interface Named {
  readonly name: string;
}

interface Ranked extends Named {
  readonly priority: number;
}

/**
 * What applying `next` over `prev` changes, entry by entry, so an admin sees the effect
 * before applying. Documents are compared in normal form, so `15m` and `900` are the same.
 * The order is stable: risk model, policies, chains, routes; within a kind, entries in
 * `next`'s order, then removed ones in `prev`'s. Swapping two policies (or routes) of
 * equal priority changes which one wins, so both count as updated.
 *
 * @example
 * diffGovernance(null, document); // everything CREATE
 */
export function diffGovernance(prev: GovernanceDocument | null, next: GovernanceDocument): GovernanceChange[] {
  const riskModel: GovernanceChange[] =
    prev === null
      ? [{ kind: 'riskModel', name: 'riskModel', op: ChangeOp.CREATE }]
      : isDeepEqual(prev.riskModel, next.riskModel)
        ? []
        : [{ kind: 'riskModel', name: 'riskModel', op: ChangeOp.UPDATE }];
  return [
    ...riskModel,
    ...diffEntries('policy', prev?.policies ?? [], next.policies, tieOrderFlips(prev?.policies ?? [], next.policies)),
    ...diffGrants(prev?.policies ?? [], next.policies),
    ...diffEntries('escalationChain', prev?.escalationChains ?? [], next.escalationChains, new Set()),
    ...diffEntries('route', prev?.routes ?? [], next.routes, tieOrderFlips(prev?.routes ?? [], next.routes)),
  ];
}

function diffEntries<T extends Named>(kind: GovernanceChangeKind, before: readonly T[], after: readonly T[], reordered: ReadonlySet<string>): GovernanceChange[] {
  const previous = new Map(before.map((entry) => [entry.name, entry]));
  const remaining = new Set(after.map((entry) => entry.name));
  const changes: GovernanceChange[] = [];
  for (const entry of after) {
    const old = previous.get(entry.name);
    if (old === undefined) changes.push({ kind, name: entry.name, op: ChangeOp.CREATE });
    else if (!isDeepEqual(old, entry) || reordered.has(entry.name)) changes.push({ kind, name: entry.name, op: ChangeOp.UPDATE });
  }
  for (const entry of before) {
    if (!remaining.has(entry.name)) changes.push({ kind, name: entry.name, op: ChangeOp.DELETE });
  }
  return changes;
}

/**
 * What standing approvals a new document opens, changes or closes, named by policy
 * (DESIGN §12): a `grants` block that appears is CREATE, one that goes (or whose policy
 * goes) is DELETE, one that changes is UPDATE — a policy's own UPDATE does not say that
 * requests may now pass without anyone deciding them.
 */
function diffGrants(before: readonly Policy[], after: readonly Policy[]): GovernanceChange[] {
  const previous = new Map(before.map((policy) => [policy.name, policy.grants]));
  const changes: GovernanceChange[] = [];
  for (const policy of after) {
    const old = previous.get(policy.name);
    if (policy.grants && !old) changes.push({ kind: 'grants', name: policy.name, op: ChangeOp.CREATE });
    else if (!policy.grants && old) changes.push({ kind: 'grants', name: policy.name, op: ChangeOp.DELETE });
    else if (policy.grants && old && !isDeepEqual(old, policy.grants)) changes.push({ kind: 'grants', name: policy.name, op: ChangeOp.UPDATE });
  }
  const remaining = new Set(after.map((policy) => policy.name));
  for (const policy of before) if (policy.grants && !remaining.has(policy.name)) changes.push({ kind: 'grants', name: policy.name, op: ChangeOp.DELETE });
  return changes;
}

/** Names of entries that kept an equal priority with another entry but swapped document order with it. */
function tieOrderFlips(before: readonly Ranked[], after: readonly Ranked[]): Set<string> {
  const previous = new Map(before.map((entry, index) => [entry.name, { entry, index }]));
  const flipped = new Set<string>();
  after.forEach((a, i) => {
    for (const b of after.slice(i + 1)) {
      const oldA = previous.get(a.name);
      const oldB = previous.get(b.name);
      if (!oldA || !oldB || a.priority !== b.priority || oldA.entry.priority !== oldB.entry.priority) continue;
      if (oldA.index > oldB.index) flipped.add(a.name).add(b.name);
    }
  });
  return flipped;
}

/** Structural equality of JSON-like data; a key holding undefined counts as absent. */
function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => isDeepEqual(item, b[i]));
  }
  const left = definedEntries(a);
  const right = new Map(definedEntries(b));
  return left.length === right.size && left.every(([key, value]) => right.has(key) && isDeepEqual(value, right.get(key)));
}

function definedEntries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, item]) => item !== undefined);
}
