import type { RiskLevel } from '../shared/enums.js';
import type { GrantLimits } from '../grants/scope.js';
import type { LiveGrantScope, RepeatApproval } from './alerts.js';
import { FLAGGED_ACTIONS_LISTED, rate, type FlaggedGrant, type GrantMetrics } from './report.js';

/*
 * The rows of metrics/grant-queries.ts and what metrics makes of them (no I/O): the grant
 * figures of the report, and what SUGGEST_GRANT reads.
 */

export interface GrantCountsRow { uses: number; granted: number; active: number; created: number; revoked: number; reviews: number; flagged: number }

export interface FlaggedGrantRow {
  grant_id: string; agent_id: string; agent_name: string; action_type: string; granted_by_name: string; active: boolean; uses: number;
  flagged: number; action_ids: string[]; comments: string[] | null;
}

export interface RepeatApprovalRow {
  approver_id: string; approver_name: string; agent_id: string; agent_name: string; action_type: string; currency: string | null; policy: string | null;
  level: RiskLevel; approvals: number; max_amount: number | string | null; refusals_of_type: number;
}

export interface LiveGrantRow {
  id: string; agent_id: string; action_type: string; when: string | null; max_amount_value: number | string | null; max_amount_currency: string | null;
  same_destination: boolean; payload_hash: string | null;
}

/** The report's grant figures; `syncSubmitted`: SYNC_APPROVAL requests submitted in the window. */
export function grantMetrics(counts: GrantCountsRow, flagged: readonly FlaggedGrantRow[], syncSubmitted: number): GrantMetrics {
  return {
    uses: counts.uses,
    granted: counts.granted,
    grantedShare: rate(counts.granted, syncSubmitted),
    active: counts.active,
    created: counts.created,
    revoked: counts.revoked,
    reviews: counts.reviews,
    flagged: counts.flagged,
    flaggedGrants: flagged.map(flaggedGrant).sort((a, b) => b.flagged - a.flagged || a.grantId.localeCompare(b.grantId)),
  };
}

function flaggedGrant(row: FlaggedGrantRow): FlaggedGrant {
  return {
    grantId: row.grant_id,
    agentId: row.agent_id,
    agentName: row.agent_name,
    actionType: row.action_type,
    grantedBy: row.granted_by_name,
    active: row.active,
    uses: row.uses,
    flagged: row.flagged,
    // Two reviewers may flag the same request: it is named once, at its first flag.
    flaggedActionIds: [...new Set(row.action_ids)].slice(0, FLAGGED_ACTIONS_LISTED),
    comments: (row.comments ?? []).filter((c) => c.trim() !== ''),
  };
}

export function repeatApproval(row: RepeatApprovalRow): RepeatApproval {
  return {
    approverId: row.approver_id,
    approverName: row.approver_name,
    agentId: row.agent_id,
    agentName: row.agent_name,
    actionType: row.action_type,
    currency: row.currency,
    policy: row.policy,
    level: row.level,
    approvals: row.approvals,
    maxAmount: row.max_amount === null ? null : Number(row.max_amount),
    refusalsOfType: row.refusals_of_type,
  };
}

export function liveGrantScope(row: LiveGrantRow): LiveGrantScope {
  return {
    id: row.id,
    agentId: row.agent_id,
    actionType: row.action_type,
    when: row.when,
    maxAmount: row.max_amount_value === null || row.max_amount_currency === null ? null : { value: Number(row.max_amount_value), currency: row.max_amount_currency },
    narrowed: row.same_destination || row.payload_hash !== null,
  };
}

/** The `grants` blocks of the policies in force, by policy name. */
export function grantLimitsByPolicy(compiled: { readonly policies: readonly { readonly name: string; readonly grants?: GrantLimits }[] } | null): Map<string, GrantLimits> {
  return new Map((compiled?.policies ?? []).flatMap((p) => (p.grants ? [[p.name, p.grants] as const] : [])));
}
