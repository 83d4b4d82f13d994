import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Agent } from '../principals/agent.entity.js';
import { Approver } from '../principals/approver.entity.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { Decision } from '../decisions/decision.entity.js';
import { Review } from '../decisions/review.entity.js';
import { Assignment } from '../escalation/assignment.entity.js';
import { toAuditRecord, type AuditRow } from '../audit/audit.service.js';
import type { AuditEventRecord } from '../audit/chain.js';
import type { ActionDigestType, AgentBaselineType } from '../actions/context.types.js';
import {
  loadBaselines, loadRecentActions, loadSimilarActions, type RecentActionsKey, type SimilarActions, type SimilarActionsKey,
} from '../actions/context.service.js';

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

function groupBy<T>(rows: T[], ids: readonly string[], key: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) map.get(key(row))?.push(row);
  return ids.map((id) => map.get(id)!);
}

/**
 * Per-request batch loaders: a page of 50 requests with their agents, assignees,
 * decisions, audit trails and context costs one query per relation, not one per request.
 */
export function createLoaders(em: EntityManager) {
  return {
    agent: new DataLoader<string, Agent | null>(async (ids) => byId(await em.find(Agent, { id: { $in: [...ids] } }), ids)),
    approver: new DataLoader<string, Approver | null>(async (ids) => byId(await em.find(Approver, { id: { $in: [...ids] } }), ids)),
    action: new DataLoader<string, ActionRequest | null>(async (ids) => byId(await em.find(ActionRequest, { id: { $in: [...ids] } }), ids)),
    activeAssignments: new DataLoader<string, Assignment[]>(async (ids) =>
      groupBy(await em.find(Assignment, { action: { $in: [...ids] }, active: true }, { orderBy: { createdAt: 'asc' } }), ids, (a) => a.action.id),
    ),
    decisions: new DataLoader<string, Decision[]>(async (ids) =>
      groupBy(await em.find(Decision, { action: { $in: [...ids] } }, { orderBy: { at: 'asc' } }), ids, (d) => d.action.id),
    ),
    reviews: new DataLoader<string, Review[]>(async (ids) =>
      groupBy(await em.find(Review, { action: { $in: [...ids] } }, { orderBy: { at: 'asc' } }), ids, (r) => r.action.id),
    ),
    auditTrail: new DataLoader<string, AuditEventRecord[]>(async (ids) => {
      const rows = await em.execute<AuditRow[]>(
        `select "seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "prev_hash", "hash" from "audit_event" where "subject_id" in (${ids.map(() => '?').join(', ')}) order by "seq"`,
        [...ids],
      );
      return groupBy(rows.map(toAuditRecord), ids, (e) => e.subjectId ?? '');
    }),
    // Context for approvers (actions/context.service.ts): one query per page for each.
    recentActions: new DataLoader<RecentActionsKey, ActionDigestType[], string>((keys) => loadRecentActions(em, keys), {
      cacheKeyFn: (k) => `${k.agentId}:${k.limit}`,
    }),
    similarActions: new DataLoader<SimilarActionsKey, SimilarActions, string>((keys) => loadSimilarActions(em, keys), {
      cacheKeyFn: (k) => `${k.id}:${k.limit}`,
    }),
    agentBaseline: new DataLoader<string, AgentBaselineType>((ids) => loadBaselines(em, ids, new Date())),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
