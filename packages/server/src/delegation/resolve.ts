// Delegation resolution (DESIGN §2 step 7): who actually decides when an approver has
// handed their approvals to someone else for a while.

/** One delegation as stored: `fromApproverId` hands over to `toApproverId` for a window. */
export type DelegationRule = {
  id: string;
  fromApproverId: string;
  toApproverId: string;
  startsAt: Date;
  /** Exclusive; `null` for "until revoked". */
  endsAt: Date | null;
  /** Applies only to requests that reached the approver through one of these roles; `null` for all. */
  roles: string[] | null;
  /** Exact action types or prefix patterns such as `payments.*`; `null` for all. */
  actionTypes: string[] | null;
  revokedAt: Date | null;
};

/** The request being routed, as far as delegation cares. */
export type DelegationContext = {
  at: Date;
  actionType: string;
  /** The role that brought the approver in, or `null` when the chain names them directly. */
  viaRole: string | null;
};

/** Who decides, and for whom. */
export type ResolvedDelegate = {
  /** The person who will decide. */
  approverId: string;
  /** The approver originally assigned, when someone else ends up deciding; otherwise `null`. */
  onBehalfOf: string | null;
  /** Everyone the request passed through, from the original approver to the decider. */
  path: string[];
};

/**
 * Follows delegations from `approverId` to whoever will decide in their place.
 *
 * A rule applies when it is not revoked by `at`, `at` lies in `[startsAt, endsAt)`, its
 * `roles` are unscoped or include `viaRole` (a role-scoped delegation does not cover an
 * approver the chain names directly), and its `actionTypes` are unscoped or match.
 * When several rules of one approver apply, the most specific wins — an exact action
 * type over the longest matching prefix over none, then a role scope over none — then
 * the latest to start, then the lowest id, so the answer never depends on storage order.
 *
 * Chains are followed transitively with the same `viaRole`. They stop at a delegate who is
 * not active (`isActive` false): the request stays with the last active person on the
 * path, since an inactive account cannot pass on authority it cannot use. A cycle means
 * nobody settled who decides, so the request falls back to the original approver.
 * Whether the original approver may decide at all is the caller's concern.
 */
export function resolveDelegate(
  approverId: string,
  ctx: DelegationContext,
  rules: readonly DelegationRule[],
  isActive: (approverId: string) => boolean,
): ResolvedDelegate {
  const path = [approverId];
  const visited = new Set(path);
  for (;;) {
    const current = path[path.length - 1];
    const rule = chooseRule(rules.filter((r) => r.fromApproverId === current && applies(r, ctx)), ctx.actionType);
    if (rule === undefined || !isActive(rule.toApproverId)) break;
    if (visited.has(rule.toApproverId)) return { approverId, onBehalfOf: null, path: [approverId] };
    visited.add(rule.toApproverId);
    path.push(rule.toApproverId);
  }
  const decider = path[path.length - 1];
  return { approverId: decider, onBehalfOf: decider === approverId ? null : approverId, path };
}

/** Whether `actionType` is covered by `pattern`: the same type, or `prefix*` it starts with. */
export function matchesActionType(pattern: string, actionType: string): boolean {
  return pattern.endsWith('*') ? actionType.startsWith(pattern.slice(0, -1)) : pattern === actionType;
}

function applies(rule: DelegationRule, { at, actionType, viaRole }: DelegationContext): boolean {
  const t = at.getTime();
  if (rule.revokedAt !== null && rule.revokedAt.getTime() <= t) return false;
  if (t < rule.startsAt.getTime() || (rule.endsAt !== null && t >= rule.endsAt.getTime())) return false;
  if (rule.roles !== null && (viaRole === null || !rule.roles.includes(viaRole))) return false;
  return rule.actionTypes === null || rule.actionTypes.some((p) => matchesActionType(p, actionType));
}

function chooseRule(candidates: DelegationRule[], actionType: string): DelegationRule | undefined {
  return candidates.sort((a, b) => compareRules(a, b, actionType))[0];
}

/** Most specific first, then the latest to start, then by id. */
function compareRules(a: DelegationRule, b: DelegationRule, actionType: string): number {
  return (
    actionTypeSpecificity(b, actionType) - actionTypeSpecificity(a, actionType) ||
    Number(b.roles !== null) - Number(a.roles !== null) ||
    b.startsAt.getTime() - a.startsAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Unscoped 0; a prefix pattern by its length; an exact type above any prefix. */
function actionTypeSpecificity(rule: DelegationRule, actionType: string): number {
  if (rule.actionTypes === null) return 0;
  let best = 0;
  for (const pattern of rule.actionTypes) {
    if (pattern === actionType) return Number.MAX_SAFE_INTEGER;
    if (matchesActionType(pattern, actionType)) best = Math.max(best, pattern.length);
  }
  return best;
}
