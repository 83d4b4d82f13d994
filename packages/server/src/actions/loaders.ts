import DataLoader from 'dataloader';
import { activeAssignmentsOf } from '../escalation/assignments.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/principal.js';
import { readableBy } from './access.js';
import { supersededAmong } from './relations.js';
import { Agent } from '../principals/agent.entity.js';
import { Approver } from '../principals/approver.entity.js';
import { ACTION_COLUMNS, toActionView, toDate, type ActionRow } from './action.view.js';
import { ActionRequestType, AssigneeType, DecisionType, ReviewType } from './action.types.js';
import type { ReviewVerdict, Verdict } from '../shared/enums.js';
import { toAuditRecord, type AuditRow } from '../audit/audit.service.js';
import type { AuditEventRecord } from '../audit/chain.js';
import type { ActionDigestType, AgentBaselineType } from './context.types.js';
import {
  loadBaselines, loadRecentActions, loadSimilarActions, type RecentActionsKey, type SimilarActions, type SimilarActionsKey,
} from './context.service.js';
import { loadBreakGlass, type BreakGlassView } from '../break-glass/break-glass.service.js';

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

function groupBy<T>(rows: T[], ids: readonly string[], key: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) map.get(key(row))?.push(row);
  return ids.map((id) => map.get(id)!);
}

function list(ids: readonly string[]): string {
  return ids.map(() => '?').join(', ');
}

interface DecisionRow {
  id: string;
  action_id: string;
  approver_id: string;
  on_behalf_of_id: string | null;
  verdict: Verdict;
  comment: string | null;
  modified_payload: unknown;
  escalation_level: number | null;
  candidate: number;
  at: Date | string;
}

interface ReviewRow {
  id: string;
  action_id: string;
  approver_id: string;
  on_behalf_of_id: string | null;
  verdict: ReviewVerdict;
  comment: string | null;
  at: Date | string;
}

/**
 * Per-request batch loaders: a page of 50 requests with their agents, assignees,
 * decisions, audit trails and context costs one query per relation, not one per request.
 * Requests and their relations are read as plain rows into the API's views (instances of
 * the GraphQL types, which type-graphql passes to field resolvers without copying): they
 * are only shown, and ORM entities cost far more to hydrate than a page costs to render.
 * Agents and approvers stay entities (few per page; other resolvers rely on them).
 */
export function createLoaders(em: EntityManager, principal: Principal | null) {
  return {
    agent: new DataLoader<string, Agent | null>(async (ids) => byId(await em.find(Agent, { id: { $in: [...ids] } }), ids)),
    approver: new DataLoader<string, Approver | null>(async (ids) => byId(await em.find(Approver, { id: { $in: [...ids] } }), ids)),
    // A request by id as the caller may see it (actions/access.ts): null when they may not.
    action: new DataLoader<string, ActionRequestType | null>(async (ids) => {
      const readable = readableBy(principal);
      const rows = await em.execute<ActionRow[]>(`select ${ACTION_COLUMNS} from "action_request" a where a."id" in (${list(ids)}) and ${readable.sql}`, [...ids, ...readable.params]);
      return byId(rows.map(toActionView), ids);
    }),
    activeAssignments: new DataLoader<string, AssigneeType[]>(async (ids) => {
      const views = (await activeAssignmentsOf(em, ids)).map((a) => ({
        action: a.actionId,
        view: Object.assign(new AssigneeType(), { approverId: a.approverId, onBehalfOfId: a.onBehalfOfId, viaRole: a.viaRole, level: a.level }),
      }));
      return groupBy(views, ids, (v) => v.action).map((group) => group.map((v) => v.view));
    }),
    decisions: new DataLoader<string, (DecisionType & { actionId: string })[]>(async (ids) => {
      const rows = await em.execute<DecisionRow[]>(
        `select "id", "action_id", "approver_id", "on_behalf_of_id", "verdict", "comment", "modified_payload", "escalation_level", "candidate", "at" from "decision"
         where "action_id" in (${list(ids)}) order by "candidate", "at"`,
        [...ids],
      );
      // The latest candidate of each request: approvals of an earlier one no longer count.
      const latest = new Map<string, number>();
      for (const d of rows) latest.set(d.action_id, Math.max(latest.get(d.action_id) ?? 0, d.candidate));
      const views = rows.map((d) =>
        Object.assign(new DecisionType(), {
          id: d.id, actionId: d.action_id, verdict: d.verdict, comment: d.comment, modifiedPayload: d.modified_payload, escalationLevel: d.escalation_level,
          at: toDate(d.at), candidate: d.candidate, superseded: supersededAmong([{ candidate: latest.get(d.action_id)! }], d), approverId: d.approver_id, onBehalfOfId: d.on_behalf_of_id,
        }),
      );
      return groupBy(views, ids, (d) => d.actionId);
    }),
    reviews: new DataLoader<string, (ReviewType & { actionId: string })[]>(async (ids) => {
      const rows = await em.execute<ReviewRow[]>(
        `select "id", "action_id", "approver_id", "on_behalf_of_id", "verdict", "comment", "at" from "review"
         where "action_id" in (${list(ids)}) order by "at"`,
        [...ids],
      );
      const views = rows.map((r) =>
        Object.assign(new ReviewType(), {
          id: r.id, actionId: r.action_id, verdict: r.verdict, comment: r.comment, at: toDate(r.at), approverId: r.approver_id, onBehalfOfId: r.on_behalf_of_id,
        }),
      );
      return groupBy(views, ids, (r) => r.actionId);
    }),
    auditTrail: new DataLoader<string, AuditEventRecord[]>(async (ids) => {
      const rows = await em.execute<AuditRow[]>(
        `select "seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "prev_hash", "hash" from "audit_event" where "subject_id" in (${list(ids)}) order by "seq"`,
        [...ids],
      );
      return groupBy(rows.map(toAuditRecord), ids, (e) => e.subjectId ?? '');
    }),
    // Context for approvers (actions/context.service.ts), of the requests the caller may see.
    recentActions: new DataLoader<RecentActionsKey, ActionDigestType[], string>((keys) => loadRecentActions(em, keys, principal), {
      cacheKeyFn: (k) => `${k.agentId}:${k.limit}`,
    }),
    similarActions: new DataLoader<SimilarActionsKey, SimilarActions, string>((keys) => loadSimilarActions(em, keys, principal), {
      cacheKeyFn: (k) => `${k.id}:${k.limit}`,
    }),
    agentBaseline: new DataLoader<string, AgentBaselineType>((ids) => loadBaselines(em, ids, new Date())),
    breakGlass: new DataLoader<string, BreakGlassView | null>((ids) => loadBreakGlass(em, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
