import type { LevelThresholds } from '@countersign/governance';
import { LEVEL_ORDER, RiskLevel } from '../shared/enums.js';
import { matchesActionType } from '../delegation/resolve.js';
import { levelWithin, type GrantLimits } from '../grants/scope.js';
import type { FlaggedGrant, MetricsReport } from './report.js';

/** What an alert is about. */
export enum AlertKind {
  /** An approver approves nearly everything, within seconds of being asked. */
  RUBBER_STAMPING = 'RUBBER_STAMPING',
  /** A policy holds requests for approval that are nearly always approved. */
  SYNC_ALWAYS_APPROVED = 'SYNC_ALWAYS_APPROVED',
  /** More and more requests wait for approval. */
  QUEUE_GROWING = 'QUEUE_GROWING',
  /** Decisions take longer and longer. */
  DECISIONS_SLOWING = 'DECISIONS_SLOWING',
  /** One approver carries most of a role's decisions. */
  LOAD_IMBALANCE = 'LOAD_IMBALANCE',
  /** Requests expire with nobody deciding: the actions do not run. */
  REQUESTS_EXPIRING = 'REQUESTS_EXPIRING',
  /** One approver keeps approving the same agent and type: a standing approval with this exact scope would do. */
  SUGGEST_GRANT = 'SUGGEST_GRANT',
  /** Requests a grant let through were flagged in review: the grant should go. */
  REVOKE_GRANT = 'REVOKE_GRANT',
}

export enum AlertSeverity {
  /** The configuration could be tuned. */
  INFO = 'INFO',
  /** Human oversight is weakening. */
  WARNING = 'WARNING',
  /** Work is failing now. */
  CRITICAL = 'CRITICAL',
}

/** A finding about how governance is working, the change to consider, and the numbers behind it. */
export interface Alert {
  kind: AlertKind;
  severity: AlertSeverity;
  /** The approver, policy, role or chain concerned (null: the whole system). */
  subject: string | null;
  message: string;
  suggestion: string;
  evidence: Record<string, unknown>;
  /** SUGGEST_GRANT: the grant suggested, as data. */
  suggestedGrant?: SuggestedGrant;
  /** REVOKE_GRANT: the grant to revoke. */
  grantId?: string;
}

/** A standing approval an alert suggests (DESIGN §12), scoped to what was approved. */
export interface SuggestedGrant {
  /** Who kept approving: they could create it themselves (or an admin). */
  approverId: string;
  approver: string;
  agentId: string;
  agent: string;
  /** Exact: the type approved, never a pattern. */
  actionType: string;
  /** `!has(action.amount)` when the requests approved had no amount (a grant without a ceiling would cover any amount). */
  when: string | null;
  /** The largest amount approved, in its currency (null: the requests had none). */
  maxAmount: { value: number; currency: string } | null;
  /** As many uses as approvals in the window. */
  maxUses: number;
  /** The window, at most the policies' grants.maxTtl, e.g. `24h`. */
  ttl: string;
  ttlSeconds: number;
  /** The CLI command that creates it. */
  command: string;
  /** The createGrant input that creates it (expiresAt: the ttl from when the alert was computed). */
  input: { agentId: string; actionType: string; when?: string; maxAmount?: { value: number; currency: string }; maxUses: number; expiresAt: string; reason: string };
}

/** When each alert fires. Fewer decisions than the minimums say too little about anyone. */
export const ALERT_THRESHOLDS = {
  rubberStamping: {
    minDecisions: 10,
    minApproveRate: 0.95,
    /** An approval this soon after being asked leaves no time to read the request. */
    quickSeconds: 15,
    minQuickShare: 0.8,
  },
  syncAlwaysApproved: { minDecisions: 20, minApprovalRate: 0.95, minLevelDecisions: 5 },
  trend: {
    /** Buckets with data needed to call a trend. */
    minPoints: 4,
    /** The later half must average at least this multiple of the earlier half... */
    minRatio: 1.5,
    /** ...and at least this much more, so that 1 → 2 pending is not a trend. */
    minQueueIncrease: 5,
    minLatencyIncreaseSeconds: 60,
  },
  loadImbalance: {
    minDecisions: 10,
    minMembers: 2,
    /** The top approver's share must be at least this, and 1.5 times a fair share. */
    minShare: 0.6,
  },
  expiring: { criticalRate: 0.1 },
  /** Approvals of one agent and type by one approver, in one currency, before a grant is suggested. */
  suggestGrant: { minApprovals: 5 },
} as const;

export interface AlertContext {
  /** How the period reads in a sentence, e.g. `in the last 24h`. */
  period: string;
  /** The level thresholds in force, to name them in suggestions (null: none known). */
  levels: LevelThresholds | null;
  /** What SUGGEST_GRANT needs beyond the report (absent: no grant is suggested). */
  grants?: GrantAlertContext;
}

/**
 * One approver's decisions on one agent's requests of one type in the window, for one
 * currency (null: no amount), policy and risk level (metrics/grant-queries.ts).
 */
export interface RepeatApproval {
  approverId: string;
  approverName: string;
  agentId: string;
  agentName: string;
  actionType: string;
  currency: string | null;
  policy: string | null;
  level: RiskLevel;
  /** Requests they approved that needed one approval (a grant never covers a quorum). */
  approvals: number;
  /** The largest amount among those (null: none had one). */
  maxAmount: number | null;
  /** Requests of this agent and type anyone denied or sent back in the window. */
  refusalsOfType: number;
}

/** A live grant's scope, to tell whether it already covers a suggestion. */
export interface LiveGrantScope {
  id: string;
  agentId: string;
  actionType: string;
  when: string | null;
  maxAmount: { value: number; currency: string } | null;
  /** Limited to one destination or the very arguments: narrower than any suggestion. */
  narrowed: boolean;
}

export interface GrantAlertContext {
  repeats: readonly RepeatApproval[];
  /** Live grants of the agents in `repeats`. */
  live: readonly LiveGrantScope[];
  /** The `grants` block of each policy in force that has one, by policy name. */
  limits: ReadonlyMap<string, GrantLimits>;
  /** The length of the metrics window. */
  windowSeconds: number;
  now: Date;
}

type Thresholds = typeof ALERT_THRESHOLDS;

/**
 * The approval-fatigue findings of one metrics report, most severe first. Pure: the same
 * numbers always give the same alerts, and every alert carries the numbers that fired it.
 *
 * @example
 * const alerts = detectAlerts(report, { period: 'in the last 24h', levels: governance?.riskModel.levels ?? null });
 */
export function detectAlerts(report: MetricsReport, context: AlertContext, thresholds: Thresholds = ALERT_THRESHOLDS): Alert[] {
  const alerts = [
    ...requestsExpiring(report, context, thresholds),
    ...rubberStamping(report, context, thresholds),
    ...queueGrowing(report, context, thresholds),
    ...decisionsSlowing(report, context, thresholds),
    ...loadImbalance(report, context, thresholds),
    ...syncAlwaysApproved(report, context, thresholds),
    ...revokeGrant(report, context),
    ...suggestGrant(report, context, thresholds),
  ];
  const rank = { CRITICAL: 0, WARNING: 1, INFO: 2 } as const;
  return alerts.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

function rubberStamping(report: MetricsReport, context: AlertContext, t: Thresholds): Alert[] {
  const { minDecisions, minApproveRate, quickSeconds, minQuickShare } = t.rubberStamping;
  return report.approvers
    .filter((a) => a.decisions >= minDecisions && (a.approveRate ?? 0) >= minApproveRate && a.approved > 0 && a.quickApprovals / a.approved >= minQuickShare)
    .map((a) => ({
      kind: AlertKind.RUBBER_STAMPING,
      severity: AlertSeverity.WARNING,
      subject: a.name,
      message:
        `${a.name} approved ${a.approved} of ${a.decisions} requests (${percent(a.approveRate)}) ${context.period}, ` +
        `${a.quickApprovals} of them within ${quickSeconds} s of being asked (median ${seconds(a.medianSecondsToDecide)}).`,
      suggestion:
        `Approvals this fast suggest the requests are not being read. If they are routine, let them run under ASYNC_REVIEW ` +
        `(reviewed after the fact) so that the requests still held for approval get real attention; if they are not, ` +
        `check with ${a.name} and consider requiredApprovals: 2 for the riskiest ones.`,
      evidence: {
        approverId: a.approverId, approver: a.name, decisions: a.decisions, approved: a.approved, approveRate: a.approveRate,
        quickApprovals: a.quickApprovals, quickSeconds, medianSecondsToDecide: a.medianSecondsToDecide,
      },
    }));
}

function syncAlwaysApproved(report: MetricsReport, context: AlertContext, t: Thresholds): Alert[] {
  const { minDecisions, minApprovalRate, minLevelDecisions } = t.syncAlwaysApproved;
  return report.policies
    .filter((p) => p.decided >= minDecisions && (p.approvalRate ?? 0) >= minApprovalRate)
    .map((p) => {
      const name = p.policy === null ? 'the defaults (no policy matched)' : `policy ${p.policy}`;
      // The least risky level that is nearly always approved is the one to relax first.
      const level = p.levels
        .filter((l) => l.decided >= minLevelDecisions && (l.approvalRate ?? 0) >= minApprovalRate)
        .map((l) => l.level)
        .sort((a, b) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b))[0];
      return {
        kind: AlertKind.SYNC_ALWAYS_APPROVED,
        severity: AlertSeverity.INFO,
        subject: p.policy,
        message:
          `${capitalize(name)}: ${p.approved} of ${p.decided} requests held for approval (${percent(p.approvalRate)}) were approved ${context.period}` +
          `${p.decisionLatencyP50 === null ? '' : `, after a median wait of ${seconds(p.decisionLatencyP50)}`}.`,
        suggestion: level ? relaxSuggestion(p.policy, level, context.levels) : `Review which requests ${name} holds for approval; most could run under ASYNC_REVIEW. Try the change with simulateGovernance before applying it.`,
        evidence: {
          policy: p.policy, decided: p.decided, approved: p.approved, approvalRate: p.approvalRate, decisionLatencyP50: p.decisionLatencyP50,
          byLevel: p.levels.map((l) => ({ level: l.level, decided: l.decided, approved: l.approved })),
          levelThreshold: level && context.levels ? thresholdOf(level, context.levels) : null,
        },
      };
    });
}

function relaxSuggestion(policy: string | null, level: RiskLevel, levels: LevelThresholds | null): string {
  const where = policy === null ? 'a policy matching these requests' : `policy ${policy}`;
  const threshold = levels ? thresholdOf(level, levels) : null;
  const raise = threshold === null ? `raise riskModel.levels.${level}` : `raise riskModel.levels.${level} above ${threshold}`;
  return (
    `Let ${level} requests run under ASYNC_REVIEW (modes: { ${level}: ASYNC_REVIEW } in ${where}), so that they go ahead and are reviewed after the fact, ` +
    `or ${raise} so that fewer requests reach it. Try the change with simulateGovernance (countersign simulate) before applying it.`
  );
}

function thresholdOf(level: RiskLevel, levels: LevelThresholds): number | null {
  return level === RiskLevel.LOW ? null : levels[level];
}

function queueGrowing(report: MetricsReport, context: AlertContext, t: Thresholds): Alert[] {
  const found = risingTrend(report.series.map((p) => p.queueDepth), t.trend.minPoints, t.trend.minRatio, t.trend.minQueueIncrease);
  if (!found) return [];
  return [{
    kind: AlertKind.QUEUE_GROWING,
    severity: AlertSeverity.WARNING,
    subject: null,
    message: `The approval queue grew ${context.period}: from ${round(found.earlier)} to ${round(found.later)} waiting requests on average (${report.pending} now).`,
    suggestion:
      'Requests are held faster than they are decided. Add approvers to the first level of the busiest chains, set up delegations for absent approvers, ' +
      'or let routine requests run under ASYNC_REVIEW; if held requests are nearly always approved, the thresholds are too strict.',
    evidence: { ...found, bucket: report.bucket, pendingNow: report.pending, oldestPendingSince: report.oldestPendingSince?.toISOString() ?? null },
  }];
}

function decisionsSlowing(report: MetricsReport, context: AlertContext, t: Thresholds): Alert[] {
  const found = risingTrend(report.series.map((p) => p.decisionLatencyP50), t.trend.minPoints, t.trend.minRatio, t.trend.minLatencyIncreaseSeconds);
  if (!found) return [];
  return [{
    kind: AlertKind.DECISIONS_SLOWING,
    severity: AlertSeverity.WARNING,
    subject: null,
    message: `Decisions are getting slower ${context.period}: the median time to a decision rose from ${seconds(found.earlier)} to ${seconds(found.later)}.`,
    suggestion:
      'Agents wait longer for each approval. Check that approvers are notified when work arrives, spread the load across more approvers, ' +
      'and shorten the first level\'s timeout so that requests escalate sooner; fewer requests held for approval also means faster decisions on the rest.',
    evidence: { ...found, bucket: report.bucket, decisionLatency: report.decisionLatency },
  }];
}

function loadImbalance(report: MetricsReport, context: AlertContext, t: Thresholds): Alert[] {
  const { minDecisions, minMembers, minShare } = t.loadImbalance;
  return report.roles.flatMap((role) => {
    const top = role.shares[0];
    if (!top || role.decisions < minDecisions || role.members < minMembers) return [];
    if (top.share < Math.max(minShare, 1.5 / role.members)) return [];
    return [{
      kind: AlertKind.LOAD_IMBALANCE,
      severity: AlertSeverity.WARNING,
      subject: role.role,
      message: `${top.name} made ${top.decisions} of the ${role.decisions} decisions (${percent(top.share)}) for role ${role.role} ${context.period}, a role ${role.members} active approvers hold.`,
      suggestion:
        `One person is the bottleneck and a single point of failure for ${role.role}. Check that the others holding ${role.role} are notified and available, ` +
        'set up delegations for absences, or add a level with a backup approver to the chains that use the role.',
      evidence: { role: role.role, members: role.members, decisions: role.decisions, shares: role.shares },
    }];
  });
}

function requestsExpiring(report: MetricsReport, context: AlertContext, t: Thresholds): Alert[] {
  if (report.expired === 0) return [];
  const chains = report.chains.filter((c) => c.expired > 0).sort((a, b) => b.expired - a.expired);
  const where = chains.map((c) => `${c.chain === null ? '(no chain)' : `chain ${c.chain}`}: ${c.expired}`).join(', ');
  const timedOut = chains.filter((c) => c.timedOut > 0).map((c) => c.chain ?? '(no chain)');
  const nobody = chains.filter((c) => c.noApproversAvailable > 0).map((c) => c.chain ?? '(no chain)');
  const advice = [
    timedOut.length > 0 ? `Lengthen the timeouts of ${list(timedOut)}, or add a level or more approvers, and make sure assignees are notified before the deadline.` : null,
    nobody.length > 0 ? `Nobody was available in ${list(nobody)}: give its roles to active approvers or name people directly.` : null,
  ].filter((s): s is string => s !== null);
  return [{
    kind: AlertKind.REQUESTS_EXPIRING,
    severity: (report.expiryRate ?? 0) >= t.expiring.criticalRate ? AlertSeverity.CRITICAL : AlertSeverity.WARNING,
    subject: chains.length === 1 ? chains[0]!.chain : null,
    message: `${report.expired} of ${report.decided + report.expired} requests held for approval (${percent(report.expiryRate)}) expired with nobody deciding ${context.period} (${where}).`,
    suggestion: `An expired request is an action that did not run. ${advice.join(' ')}`,
    evidence: {
      expired: report.expired, resolved: report.decided + report.expired, expiryRate: report.expiryRate,
      byChain: chains.map((c) => ({ chain: c.chain, expired: c.expired, timedOut: c.timedOut, noApproversAvailable: c.noApproversAvailable, resolved: c.resolved })),
    },
  }];
}

/**
 * SUGGEST_GRANT: one approver approved at least `minApprovals` requests of one agent and
 * type in the window, in one currency, and nobody denied or sent back a request of that
 * agent and type. Only requests a grant could have covered count: held under a policy
 * whose `grants` allow it, at or under its `maxLevel` (never CRITICAL), needing one
 * approval. The suggestion is exactly what was approved: that agent, that type, a ceiling
 * of the largest amount in that currency (never mixing currencies), as many uses as
 * approvals, for the window (at most the policies' maxTtl). No suggestion where a live
 * grant already covers that scope, nor where a grant of that agent and type had requests
 * flagged in the window (REVOKE_GRANT's ground: it would undo a revocation).
 */
export function suggestGrant(report: Pick<MetricsReport, 'grants'>, context: AlertContext, t: Thresholds = ALERT_THRESHOLDS): Alert[] {
  const grants = context.grants;
  if (!grants) return [];
  const flagged = report.grants.flaggedGrants;
  const groups = new Map<string, { first: RepeatApproval; approvals: number; maxAmount: number | null; policies: Set<string>; levels: Set<RiskLevel>; maxTtl: number }>();
  for (const r of grants.repeats) {
    const limits = r.policy === null ? undefined : grants.limits.get(r.policy);
    if (r.refusalsOfType > 0 || r.approvals === 0 || !limits?.allowed || !levelWithin(r.level, limits.maxLevel)) continue;
    const key = JSON.stringify([r.approverId, r.agentId, r.actionType, r.currency]);
    const group = groups.get(key) ?? { first: r, approvals: 0, maxAmount: null, policies: new Set<string>(), levels: new Set<RiskLevel>(), maxTtl: limits.maxTtl };
    group.approvals += r.approvals;
    if (r.maxAmount !== null) group.maxAmount = Math.max(group.maxAmount ?? r.maxAmount, r.maxAmount);
    group.policies.add(r.policy!);
    group.levels.add(r.level);
    group.maxTtl = Math.min(group.maxTtl, limits.maxTtl);
    groups.set(key, group);
  }
  const alerts: Alert[] = [];
  for (const { first: r, approvals, maxAmount, policies, levels, maxTtl } of groups.values()) {
    if (approvals < t.suggestGrant.minApprovals) continue;
    // A currency with no amount recorded cannot happen; a request without an amount is matched by a condition instead of a ceiling.
    const ceiling = r.currency !== null && maxAmount !== null ? { value: maxAmount, currency: r.currency } : null;
    const when = ceiling === null ? NO_AMOUNT : null;
    if (grants.live.some((g) => coversSuggestion(g, r.agentId, r.actionType, ceiling, when))) continue;
    if (flagged.some((g) => g.agentId === r.agentId && matchesActionType(g.actionType, r.actionType))) continue;
    const ttlSeconds = Math.min(maxTtl, grants.windowSeconds);
    const ttl = formatDuration(ttlSeconds);
    const reason = `Suggested by oversight: ${r.approverName} approved ${approvals} such requests ${context.period}.`;
    const command = grantCommand({ agent: r.agentName, actionType: r.actionType, when, maxAmount: ceiling, maxUses: approvals, ttl, reason });
    const what = `${r.actionType} requests of agent ${r.agentName}`;
    const amount = ceiling === null ? 'none with an amount' : `the largest ${amountText(ceiling)}`;
    const scope = `agent ${r.agentName}, type ${r.actionType}, ${ceiling === null ? 'only requests without an amount' : `amounts up to ${amountText(ceiling)}`}, at most ${approvals} uses within ${ttl}`;
    alerts.push({
      kind: AlertKind.SUGGEST_GRANT,
      severity: AlertSeverity.INFO,
      subject: r.approverName,
      message: `${r.approverName} approved ${approvals} ${what} ${context.period} (${amount}), and nobody denied or sent one back.`,
      suggestion:
        `Approving the same thing again and again is how attention wears out. A standing approval with this exact scope would let such requests through at once ` +
        `and send each to review after the fact: ${scope}. ${r.approverName} (who could approve them) or an admin can create it: ${command}`,
      evidence: {
        approverId: r.approverId, approver: r.approverName, agentId: r.agentId, agent: r.agentName, actionType: r.actionType, approvals,
        currency: r.currency, maxAmount, policies: [...policies].sort(), levels: LEVEL_ORDER.filter((l) => levels.has(l)), minApprovals: t.suggestGrant.minApprovals,
      },
      suggestedGrant: {
        approverId: r.approverId, approver: r.approverName, agentId: r.agentId, agent: r.agentName, actionType: r.actionType, when, maxAmount: ceiling,
        maxUses: approvals, ttl, ttlSeconds, command,
        input: {
          agentId: r.agentId, actionType: r.actionType, ...(when === null ? {} : { when }), ...(ceiling === null ? {} : { maxAmount: ceiling }), maxUses: approvals,
          expiresAt: new Date(grants.now.getTime() + ttlSeconds * 1000).toISOString(), reason,
        },
      },
    });
  }
  return alerts.sort((a, b) => (b.evidence.approvals as number) - (a.evidence.approvals as number) || (a.subject ?? '').localeCompare(b.subject ?? ''));
}

/** The condition of a grant for requests without an amount: one with no ceiling would cover any amount. */
export const NO_AMOUNT = '!has(action.amount)';

/**
 * Whether a live grant already lets through everything a suggestion would: same agent, a
 * type pattern that takes the type, a ceiling at least as high in the same currency (or
 * none, when the suggestion is for requests without an amount), and no narrower condition,
 * destination or arguments.
 */
export function coversSuggestion(g: LiveGrantScope, agentId: string, actionType: string, ceiling: { value: number; currency: string } | null, when: string | null): boolean {
  if (g.agentId !== agentId || !matchesActionType(g.actionType, actionType) || g.narrowed) return false;
  if (g.when !== null && g.when !== when) return false;
  if (g.maxAmount === null) return true;
  return ceiling !== null && g.maxAmount.currency.toUpperCase() === ceiling.currency.toUpperCase() && g.maxAmount.value >= ceiling.value;
}

/** The `countersign grants create` command line of a suggestion (values quoted for a POSIX shell where needed). */
export function grantCommand(g: { agent: string; actionType: string; when: string | null; maxAmount: { value: number; currency: string } | null; maxUses: number; ttl: string; reason?: string }): string {
  const args = ['countersign', 'grants', 'create', '--agent', g.agent, '--action-type', g.actionType];
  if (g.when !== null) args.push('--when', g.when);
  if (g.maxAmount !== null) args.push('--max-amount', `${g.maxAmount.value} ${g.maxAmount.currency}`);
  args.push('--max-uses', String(g.maxUses), '--expires', g.ttl);
  if (g.reason) args.push('--reason', g.reason);
  return args.map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** REVOKE_GRANT: a grant still live whose requests were flagged in review in the window. */
function revokeGrant(report: MetricsReport, context: AlertContext): Alert[] {
  return report.grants.flaggedGrants.filter((g) => g.active && g.flagged > 0).map((g) => revokeAlert(g, context));
}

function revokeAlert(g: FlaggedGrant, context: AlertContext): Alert {
  const requests = g.flagged === 1 ? '1 request' : `${g.flagged} requests`;
  const said = g.comments.length === 0 ? '' : ` Reviewers said: ${g.comments.slice(0, 3).map((c) => JSON.stringify(c)).join('; ')}.`;
  return {
    kind: AlertKind.REVOKE_GRANT,
    severity: AlertSeverity.WARNING,
    subject: g.grantId,
    message:
      `${capitalize(requests)} that grant ${g.grantId} let through (agent ${g.agentName}, ${g.actionType}, granted by ${g.grantedBy}) ` +
      `${g.flagged === 1 ? 'was' : 'were'} flagged in review ${context.period}: ${g.flaggedActionIds.join(', ')}.`,
    suggestion:
      `A grant whose requests reviewers flag lets through what a person would have stopped. Revoke it (countersign grants revoke ${g.grantId}, ` +
      `or revokeGrant(id: "${g.grantId}")) and look at the flagged requests; ask for approval again until the agent behaves.${said}`,
    evidence: {
      grantId: g.grantId, agentId: g.agentId, agent: g.agentName, actionType: g.actionType, grantedBy: g.grantedBy, uses: g.uses, flagged: g.flagged,
      flaggedActionIds: g.flaggedActionIds, comments: g.comments,
    },
    grantId: g.grantId,
  };
}

function amountText(a: { value: number; currency: string }): string {
  return `${a.value} ${a.currency}`;
}

/** Whole seconds as the largest unit that divides them, days as hours: `24h`, `8h`, `90m`, `45s` (what parseDuration reads). */
export function formatDuration(totalSeconds: number): string {
  for (const [unit, size] of [['h', 3600], ['m', 60]] as const) {
    if (totalSeconds >= size && totalSeconds % size === 0) return `${totalSeconds / size}${unit}`;
  }
  return `${totalSeconds}s`;
}

/** How a series moved: averages of its earlier and later halves and the least-squares slope per bucket. */
export interface Trend {
  points: number;
  earlier: number;
  later: number;
  slopePerBucket: number;
}

/**
 * A series rising: enough buckets with data, the later half averaging at least `minRatio`
 * times the earlier half and `minIncrease` more, a positive slope, and the last value still
 * above the earlier average (a spike that has passed is not a trend). Null otherwise.
 */
export function risingTrend(values: readonly (number | null)[], minPoints: number, minRatio: number, minIncrease: number): Trend | null {
  const points = values.map((y, x) => ({ x, y })).filter((p): p is { x: number; y: number } => p.y !== null);
  if (points.length < minPoints) return null;
  const half = Math.floor(points.length / 2);
  const earlier = mean(points.slice(0, half).map((p) => p.y));
  const later = mean(points.slice(points.length - half).map((p) => p.y));
  const slopePerBucket = slope(points);
  const last = points.at(-1)!.y;
  const rising = later >= earlier * minRatio && later - earlier >= minIncrease && slopePerBucket > 0 && last > earlier;
  return rising ? { points: points.length, earlier, later, slopePerBucket } : null;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function slope(points: readonly { x: number; y: number }[]): number {
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  const num = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value * 100)}%`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** `4 s`, `2.5 min`, `3.1 h`. */
export function seconds(value: number | null): string {
  if (value === null) return 'n/a';
  if (value < 90) return `${round(Math.round(value * 10) / 10)} s`;
  if (value < 90 * 60) return `${round(Math.round((value / 60) * 10) / 10)} min`;
  return `${round(Math.round((value / 3600) * 10) / 10)} h`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function list(items: readonly string[]): string {
  return new Intl.ListFormat('en', { style: 'long', type: 'conjunction' }).format(items.map((i) => (i === '(no chain)' ? i : `chain ${i}`)));
}
