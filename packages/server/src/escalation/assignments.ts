import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../db/sql.js';
import type { RowWriter } from '../db/row-writer.js';
import type { RecordOf } from '../shared/record.js';
import type { AuditEntry } from '../audit/entry.js';
import { Assignment, AssignmentKind, GroupAssignment } from './assignment.entity.js';
import { approverSetId, type ApproverSets } from './approver-sets.js';
import type { Assignee } from './levels.js';

// Assignment storage (DESIGN §2 steps 6–7): who holds which request. A level's assignees are
// stored one `assignment` row per person, or — many people reached the same way — one
// `group_assignment` per approver set; a member whose own part ends gets an inactive
// `assignment` row naming the group. This module is the only one that knows: everyone
// else starts, ends and reads assignments through it.

/**
 * Every assignment as one list, for reading statements (the `assignment_entry` view,
 * migration Migration20261127000000_group_assignment): the columns of `assignment`, with
 * `group_id` set on the entries expanded from a group assignment (their `id` is the
 * group's). Filter it by `action_id`: PostgreSQL pushes that into both of its branches.
 * Private: other modules read it through the fragments below.
 */
const ENTRIES = '"assignment_entry"';

/**
 * The rest of a `select` (after the keyword) of the members still in the group
 * assignments of `cte`, a relation with their `id` and `set_id`: each set's members, less
 * those whose own part ended (an `assignment` row with the group's id), as `approver_id`.
 */
const GROUP_MEMBERS = (cte: string) =>
  `m."approver_id" from "${cte}" g join "approver_set" s on s."id" = g."set_id" cross join lateral unnest(s."member_ids") as m("approver_id")
    where not exists (select 1 from "assignment" k where k."group_id" = g."id" and k."approver_id" = m."approver_id")`;

/** How a level's assignees are stored (config: COUNTERSIGN_GROUP_ASSIGNMENT_FROM). */
export interface GroupingOptions {
  /** From how many people reached the same way they are stored as one group assignment. */
  from: number;
  sets: ApproverSets;
}

/** What every assignment of one start shares. */
export interface AssignmentTermsOf {
  kind: AssignmentKind;
  level: number;
  deadline: Date | null;
  now: Date;
}

/** A group of a level's assignees, as its audit event names it. */
export interface AssignedGroup {
  viaRole: string | null;
  set: string;
  size: number;
}

/** What {@link startAssignments} stored, for the audit event that records it. */
export interface StartedAssignments {
  /**
   * How the audit event of the assignment names them: `assignees` one by one, and
   * `groups`, each the members of an approver set reached the same way (`viaRole`, none
   * delegated), by the set's id — its members are in the chain's APPROVER_SET_RECORDED.
   */
  recorded: { assignees: Assignee[]; groups: AssignedGroup[] };
  /** Events to append before the one that records the assignment: the sets stored for the first time. */
  audit: AuditEntry[];
}

/** A level's assignees as they are stored: one row each, or as groups of one approver set each. */
interface StoragePlan {
  from: number;
  single: Assignee[];
  groups: { members: Assignee[]; viaRole: string | null; setId: string }[];
}

/**
 * Plans by the resolution they came from: a resolution remembered with the directory
 * (DirectorySnapshot.resolved) is planned, and its sets hashed, once.
 */
const plans = new WeakMap<readonly Assignee[], StoragePlan>();

function planOf(assignees: readonly Assignee[], from: number): StoragePlan {
  const known = plans.get(assignees);
  if (known && known.from === from) return known;
  const { single, groups } = partition(assignees, from);
  const plan = {
    from,
    single,
    groups: groups.map((members) => ({ members, viaRole: members[0]!.viaRole, setId: approverSetId(members.map((m) => m.approverId)) })),
  };
  plans.set(assignees, plan);
  return plan;
}

/**
 * The assignees stored as groups: those who stand in for nobody, by the role that brought
 * them in (or none), where there are at least `from` of them; the rest one row each.
 */
function partition(assignees: readonly Assignee[], from: number): { single: Assignee[]; groups: Assignee[][] } {
  if (assignees.length < from) return { single: [...assignees], groups: [] };
  const byWay = new Map<string | null, Assignee[]>();
  const single: Assignee[] = [];
  for (const a of assignees) {
    if (a.onBehalfOf !== null) {
      single.push(a);
      continue;
    }
    let same = byWay.get(a.viaRole);
    if (!same) byWay.set(a.viaRole, (same = []));
    same.push(a);
  }
  const groups: Assignee[][] = [];
  for (const same of byWay.values()) {
    if (same.length >= from) groups.push(same);
    else single.push(...same);
  }
  return { single, groups };
}

/** Starts a level's assignments of request `actionId`: one row each, or grouped (see {@link GroupingOptions}). */
export async function startAssignments(
  writer: RowWriter,
  actionId: string,
  assignees: readonly Assignee[],
  terms: AssignmentTermsOf,
  grouping: GroupingOptions,
): Promise<StartedAssignments> {
  const { single, groups } = planOf(assignees, grouping.from);
  startEach(writer, actionId, single, terms);
  const started: StartedAssignments = { recorded: { assignees: single, groups: [] }, audit: [] };
  const action = { id: actionId };
  for (const { members, viaRole, setId } of groups) {
    const set = await grouping.sets.store(writer, members.map((m) => m.approverId), terms.now, setId);
    if (set.audit) started.audit.push(set.audit);
    writer.add(GroupAssignment, {
      id: randomUUID(), action, set: { id: set.id }, viaRole, kind: terms.kind, level: terms.level, active: true, deadline: terms.deadline, createdAt: terms.now, endedAt: null,
    } satisfies RecordOf<GroupAssignment, 'action' | 'set'>);
    started.recorded.groups.push({ viaRole, set: set.id, size: members.length });
  }
  return started;
}

/** Starts one assignment row per assignee (a delegate standing in, say), never grouped. */
export function startEach(writer: RowWriter, actionId: string, assignees: readonly Assignee[], terms: AssignmentTermsOf): void {
  const action = { id: actionId };
  for (const assignee of assignees) {
    // Spelled out rather than spread: this runs once per person of a role on the submission path.
    writer.add(Assignment, {
      id: randomUUID(), kind: terms.kind, level: terms.level, viaRole: assignee.viaRole, active: true, deadline: terms.deadline, createdAt: terms.now, endedAt: null,
      action, approver: { id: assignee.approverId }, onBehalfOf: assignee.onBehalfOf ? { id: assignee.onBehalfOf } : null, group: null,
    } satisfies RecordOf<Assignment, 'action' | 'approver' | 'onBehalfOf' | 'group'>);
  }
}

/** Ends a request's active assignments, stored one by one or as groups; returns whose queues lost it. */
export async function endAssignments(sql: SqlExecutor, actionId: string, now: Date): Promise<string[]> {
  const rows = await sql.execute<{ approver_id: string }[]>(
    `with "rows" as (
       update "assignment" set "active" = false, "ended_at" = ? where "action_id" = ? and "active" returning "approver_id"
     ), "groups" as (
       update "group_assignment" set "active" = false, "ended_at" = ? where "action_id" = ? and "active" returning "id", "set_id"
     )
     select "approver_id" from "rows" union select ${GROUP_MEMBERS('groups')}`,
    [now, actionId, now, actionId],
  );
  return rows.map((r) => r.approver_id);
}

/** One person's active assignment to a request, as {@link endMembers} ends it. */
export interface HeldAssignment extends Assignee {
  assignmentId: string;
  /** The group assignment the person is in, when they are in one. */
  groupId: string | null;
  createdAt: Date;
}

/**
 * Ends these people's own parts of a request's level: their rows end; a member of a group
 * assignment leaves it with an inactive row of their own (the group stays for the others).
 */
export async function endMembers(writer: RowWriter, actionId: string, ended: readonly HeldAssignment[], terms: AssignmentTermsOf): Promise<void> {
  const rows = ended.filter((a) => a.groupId === null).map((a) => a.assignmentId);
  if (rows.length > 0) {
    await writer.execute(`update "assignment" set "active" = false, "ended_at" = ? where "id" in (${rows.map(() => '?').join(', ')})`, [terms.now, ...rows]);
  }
  const action = { id: actionId };
  for (const member of ended.filter((a) => a.groupId !== null)) {
    writer.add(Assignment, {
      id: randomUUID(), action, approver: { id: member.approverId }, onBehalfOf: null, viaRole: member.viaRole, kind: terms.kind, level: terms.level,
      deadline: terms.deadline, active: false, createdAt: member.createdAt, endedAt: terms.now, group: { id: member.groupId! },
    } satisfies RecordOf<Assignment, 'action' | 'approver' | 'onBehalfOf' | 'group'>);
  }
}

/**
 * A voter's part ends as they decide: parts of one statement for the caller's single write
 * of a decision (decisions.service.ts), so the vote and its effect on queues commit
 * together in one round trip. `ctes` go among the caller's CTEs, with {@link params} in
 * their place; `endedSelect` selects whose queues lost the request.
 */
export const voterLeaves = {
  ctes: `"ended" as (
         update "assignment" set "active" = false, "ended_at" = ? where "action_id" = ? and "active" and (? or "id" = ?) returning "approver_id"
       ), "groups" as (
         update "group_assignment" set "active" = false, "ended_at" = ? where ? and "action_id" = ? and "active" returning "id", "set_id"
       ), "left_group" as (
         insert into "assignment" ("id", "action_id", "approver_id", "on_behalf_of_id", "via_role", "kind", "level", "active", "deadline", "created_at", "ended_at", "group_id")
         select ?::uuid, g."action_id", ?::uuid, null, g."via_role", g."kind", g."level", false, g."deadline", g."created_at", ?::timestamptz, g."id" from "group_assignment" g where ?::boolean and g."id" = ?::uuid
         returning "approver_id"
       )`,
  endedSelect: `select "approver_id" from "ended" union all select "approver_id" from "left_group" union all select ${GROUP_MEMBERS('groups')}`,
  /**
   * `everyone`: the request ends, and every assignment with it; otherwise only the voter's
   * own (`mine`: their assignment, and the group assignment they are in, if any).
   */
  params(p: { actionId: string; approverId: string; mine: { id: string; groupId: string | null }; everyone: boolean; now: Date }): unknown[] {
    const leavesGroup = !p.everyone && p.mine.groupId !== null;
    return [
      p.now, p.actionId, p.everyone, p.mine.id,
      p.now, p.everyone, p.actionId,
      randomUUID(), p.approverId, p.now, leavesGroup, p.mine.groupId,
    ];
  },
};

/**
 * A subquery, for the caller's own reading statement, of someone's active assignment to a
 * request as JSON `{id, onBehalfOfId, groupId}` (null when none); its parameters, in
 * order: the request's id, the approver's id, the kind.
 */
export const HELD_BY_SQL = `(select json_build_object('id', x."id", 'onBehalfOfId', x."on_behalf_of_id", 'groupId', x."group_id") from ${ENTRIES} x
           where x."action_id" = ? and x."approver_id" = ? and x."kind" = ? and x."active" limit 1)`;

/** Whose part (if anyone's) `approverId` holds of a request for `kind`, active or not; undefined when never assigned. */
export async function seatOf(sql: SqlExecutor, actionId: string, approverId: string, kind: AssignmentKind): Promise<{ onBehalfOf: string | null } | undefined> {
  const [row] = await sql.execute<{ on_behalf_of_id: string | null }[]>(
    `select "on_behalf_of_id" from ${ENTRIES} where "action_id" = ? and "approver_id" = ? and "kind" = ? limit 1`,
    [actionId, approverId, kind],
  );
  return row === undefined ? undefined : { onBehalfOf: row.on_behalf_of_id };
}

/**
 * Gives `approverIds` the request back at its current level: a new active assignment each,
 * on the terms of the one they decided through (their delegator, role, level), unless they
 * hold it now anyway. Returns whose queues gained it.
 */
export async function restartMembers(sql: SqlExecutor, actionId: string, approverIds: readonly string[], level: number, deadline: Date | string | null, now: Date): Promise<string[]> {
  const rows = await sql.execute<{ approver_id: string }[]>(
    `insert into "assignment" ("id", "action_id", "approver_id", "on_behalf_of_id", "via_role", "kind", "level", "active", "deadline", "created_at")
     select gen_random_uuid(), x."action_id", x."approver_id", x."on_behalf_of_id", x."via_role", x."kind", x."level", true, ?::timestamptz, ?::timestamptz
     from (select distinct on (k."approver_id") k.* from "assignment" k
           where k."action_id" = ? and k."kind" = ? and k."level" = ? and not k."active" and k."approver_id" = any(?::uuid[])
           order by k."approver_id", k."created_at" desc) x
     where not exists (select 1 from ${ENTRIES} e where e."action_id" = x."action_id" and e."approver_id" = x."approver_id" and e."active")
     returning "approver_id"`,
    [deadline, now, actionId, AssignmentKind.APPROVAL, level, `{${approverIds.join(',')}}`],
  );
  return rows.map((r) => r.approver_id);
}

/** An active assignment as the API shows it. */
export interface ActiveAssignment {
  actionId: string;
  approverId: string;
  onBehalfOfId: string | null;
  viaRole: string | null;
  level: number;
}

/** The active assignments of these requests, oldest first, each person once per assignment. */
export async function activeAssignmentsOf(sql: SqlExecutor, actionIds: readonly string[]): Promise<ActiveAssignment[]> {
  const rows = await sql.execute<{ action_id: string; approver_id: string; on_behalf_of_id: string | null; via_role: string | null; level: number }[]>(
    `select "action_id", "approver_id", "on_behalf_of_id", "via_role", "level" from ${ENTRIES}
     where "action_id" in (${actionIds.map(() => '?').join(', ')}) and "active" order by "created_at"`,
    [...actionIds],
  );
  return rows.map((r) => ({ actionId: r.action_id, approverId: r.approver_id, onBehalfOfId: r.on_behalf_of_id, viaRole: r.via_role, level: r.level }));
}

/**
 * The active APPROVAL assignments of PENDING requests (`only`: a condition on request
 * `r`, with `params`), each person as held: in their own right, or through a group.
 */
export async function pendingApprovalsOf(sql: SqlExecutor, only: string, params: readonly unknown[]): Promise<(HeldAssignment & { actionId: string })[]> {
  const rows = await sql.execute<{
    id: string; action_id: string; approver_id: string; on_behalf_of_id: string | null; via_role: string | null; group_id: string | null; created_at: Date | string;
  }[]>(
    `select a."id", a."action_id", a."approver_id", a."on_behalf_of_id", a."via_role", a."group_id", a."created_at"
       from "action_request" r join ${ENTRIES} a on a."action_id" = r."id"
      where r."status" = 'PENDING' and a."kind" = 'APPROVAL' and a."active" ${only}`,
    [...params],
  );
  return rows.map((a) => ({
    actionId: a.action_id, assignmentId: a.id, groupId: a.group_id, createdAt: new Date(a.created_at), approverId: a.approver_id, onBehalfOf: a.on_behalf_of_id, viaRole: a.via_role,
  }));
}

/** A condition on request `alias`: it has an active APPROVAL assignment, stored either way. */
export const hasActiveApproval = (alias: string) =>
  `(exists (select 1 from "assignment" a where a."action_id" = ${alias}."id" and a."kind" = 'APPROVAL' and a."active")
             or exists (select 1 from "group_assignment" a where a."action_id" = ${alias}."id" and a."kind" = 'APPROVAL' and a."active"))`;

/**
 * Who holds a request now, as it is stored: the people with a row of their own, and each
 * group by its approver set, less the members whose own part ended — not a thousand names
 * for a role of a thousand.
 */
export async function holdersOf(sql: SqlExecutor, actionId: string): Promise<{ assignees: string[]; groups: { viaRole: string | null; set: string; size: number; excluded: string[] }[] }> {
  const [holders] = await sql.execute<{ assignees: string[]; groups: { viaRole: string | null; set: string; size: number; excluded: string[] }[] }[]>(
    `select (select coalesce(json_agg(r."approver_id" order by r."approver_id"), '[]'::json) from "assignment" r where r."action_id" = ? and r."active") as "assignees",
            (select coalesce(json_agg(json_build_object('viaRole', g."via_role", 'set', g."set_id", 'size', s."size",
                      'excluded', (select coalesce(json_agg(k."approver_id" order by k."approver_id"), '[]'::json) from "assignment" k where k."group_id" = g."id"))
                    order by g."set_id"), '[]'::json)
               from "group_assignment" g join "approver_set" s on s."id" = g."set_id" where g."action_id" = ? and g."active") as "groups"`,
    [actionId, actionId],
  );
  return holders!;
}

/**
 * Parts of one statement that ends every active assignment of the requests in CTE
 * `requests` (their `id`s), for a caller ending many requests at once (the kill switch):
 * `ctes` go among the caller's CTEs, with {@link params}; `lost` is then a relation of
 * (`action_id`, `approver_id`): whose queues lost which request.
 */
export function requestsLeaveQueues(requests: string): { ctes: string; lost: string; params: (now: Date) => unknown[] } {
  return {
    ctes: `"rows" as (
       update "assignment" set "active" = false, "ended_at" = ? where "action_id" in (select "id" from "${requests}") and "active" returning "action_id", "approver_id"
     ), "groups" as (
       update "group_assignment" set "active" = false, "ended_at" = ? where "action_id" in (select "id" from "${requests}") and "active" returning "id", "action_id", "set_id"
     ), "lost" as (
       select "action_id", "approver_id" from "rows"
       union
       select g."action_id", ${GROUP_MEMBERS('groups')}
     )`,
    lost: '"lost"',
    params: (now) => [now, now],
  };
}

/**
 * A condition on request `alias`: `?` (an approver, passed twice) holds or held it, in
 * their own right, for someone, or as a member of a group assignment.
 */
export function everAssigned(alias: string): { sql: string; params: (approverId: string) => unknown[] } {
  return {
    sql: `exists(select 1 from "assignment" r where r."action_id" = ${alias}."id" and (r."approver_id" = ? or r."on_behalf_of_id" = ?))
          or exists(select 1 from "group_assignment" rg join "approver_set" rs on rs."id" = rg."set_id" where rg."action_id" = ${alias}."id" and rs."member_ids" @> array[?::uuid])`,
    params: (approverId) => [approverId, approverId, approverId],
  };
}

/**
 * An approver's queue of one kind, for the caller's keyset page: `count` counts the active
 * assignments they hold (own rows, and group assignments they have not left); `page`
 * selects up to `limit` of them as (`assignment_id`, `action_id`, `sort_at`) in
 * (`sort`, id) order after the cursor `seek` adds. Each branch walks its own index in
 * order, so a page costs the same however long the queue.
 */
export function queueOf(
  approverId: string,
  kind: AssignmentKind,
  sort: (alias: string) => string,
  seek: (alias: string) => string,
  seekParams: readonly unknown[],
  limit: number,
): { count: [string, unknown[]]; page: [string, unknown[]] } {
  // The sets the approver is a member of, and their group assignments not left on their own.
  const mySets = `select "id" from "approver_set" where "member_ids" @> array[?::uuid]`;
  const inGroup = (alias: string) => `not exists (select 1 from "assignment" k where k."group_id" = ${alias}."id" and k."approver_id" = ?)`;
  return {
    count: [
      `select (select count(*) from "assignment" where "approver_id" = ? and "kind" = ? and "active")::int
          + (select count(*) from "group_assignment" g where g."set_id" in (${mySets}) and g."kind" = ? and g."active" and ${inGroup('g')})::int as "n"`,
      [approverId, kind, approverId, kind, approverId],
    ],
    page: [
      `select * from (
         (select s."id" as "assignment_id", s."action_id", ${sort('s')} as "sort_at" from "assignment" s
          where s."approver_id" = ? and s."kind" = ? and s."active" ${seek('s')}
          order by ${sort('s')}, s."id" limit ?)
         union all
         select g."assignment_id", g."action_id", g."sort_at" from (${mySets}) m cross join lateral (
           select g."id" as "assignment_id", g."action_id", ${sort('g')} as "sort_at" from "group_assignment" g
           where g."set_id" = m."id" and g."kind" = ? and g."active" ${seek('g')} and ${inGroup('g')}
           order by ${sort('g')}, g."id" limit ?
         ) g
       ) q`,
      [approverId, kind, ...seekParams, limit, approverId, kind, ...seekParams, approverId, limit],
    ],
  };
}

// Fragments for other modules' reading statements (issue 18): they read assignments only
// through these, so how assignments are stored stays this module's own.

/**
 * A scalar subquery of the active assignments of request `actionRef` (a column or
 * parameter) as a JSON array (`[]` when none), each the JSON `element` over entry `x`,
 * oldest first; `joins` adds the caller's joins (to approvers, say) on `x`.
 */
export function activeAssignmentsJsonSql(actionRef: string, element: string, joins: string): string {
  return `(select coalesce(json_agg(${element} order by x."created_at"), '[]'::json)
   from ${ENTRIES} x ${joins}
   where x."action_id" = ${actionRef} and x."active")`;
}

/** A scalar subquery of who holds request `actionRef` now: a JSON array of approver ids, `[]` when none. */
export function activeHoldersJsonSql(actionRef: string): string {
  return `(select coalesce(json_agg(x."approver_id"), '[]'::json) from ${ENTRIES} x where x."action_id" = ${actionRef} and x."active")`;
}

/**
 * A `select` (for a lateral join) of the APPROVAL assignment through which decision
 * `decision` (an alias with `action_id`, `approver_id`, `at`) was made: the latest one
 * before it, as (`created_at`, `via_role`).
 */
export function assignmentOfDecisionSql(decision: string): string {
  return `select x."created_at", x."via_role" from ${ENTRIES} x
           where x."action_id" = ${decision}."action_id" and x."approver_id" = ${decision}."approver_id" and x."kind" = 'APPROVAL' and x."created_at" <= ${decision}."at"
           order by x."created_at" desc limit 1`;
}

/**
 * A `select` of everyone ever routed to approve one of `count` requests (the parameters,
 * their ids), at any level, active or not: (`action_id`, `approver_id`, `on_behalf_of_id`).
 */
export function approvalRoutingSql(count: number): string {
  return `select "action_id", "approver_id", "on_behalf_of_id" from ${ENTRIES} where "kind" = 'APPROVAL' and "action_id" in (${Array.from({ length: count }, () => '?').join(', ')})`;
}

/**
 * A scalar subquery: the ids (text[]) of those approver sets among `?` (a uuid[] literal)
 * that approver `approver` (an alias with `id`) is a member of.
 */
export function setsHoldingSql(approver: string): string {
  return `array(select s."id" from "approver_set" s where s."id" = any(?::uuid[]) and ${approver}."id" = any(s."member_ids"))::text[]`;
}

/** A `select` of the members' ids of the approver sets in `?` (a uuid[] literal), for `in (…)`. */
export function setMembersSql(): string {
  return `select unnest(s."member_ids") from "approver_set" s where s."id" = any(?::uuid[])`;
}

/** A scalar subquery: how many requests wait for a review, held in their own right or by a group. */
export function reviewBacklogSql(): string {
  return `(select count(distinct "action_id") from (select "action_id" from "assignment" where "active" and "kind" = 'REVIEW'
          union all select "action_id" from "group_assignment" where "active" and "kind" = 'REVIEW') r)::int`;
}

/**
 * Each approver's assignment load, as (`approver_id`, `pending`, `to_review`, `assigned`):
 * active APPROVAL and REVIEW assignments now, and APPROVAL assignments made in
 * [`since`, `until`). Rows one by one; group assignments counted per set, then once for
 * each member, less the groups a member's own part of ended (their inactive row is among
 * the rows). Returns the statement and its parameters.
 */
export function assignmentLoadSql(since: Date, until: Date): [string, unknown[]] {
  return [
    `with "g" as (
         select "id", "set_id", "active" and "kind" = 'APPROVAL' as "p", "active" and "kind" = 'REVIEW' as "r",
                "kind" = 'APPROVAL' and "created_at" >= ? and "created_at" < ? as "w"
         from "group_assignment" where "active" or ("created_at" >= ? and "created_at" < ?)
       ), "per_set" as (
         select "set_id", count(*) filter (where "p") as "p", count(*) filter (where "r") as "r", count(*) filter (where "w") as "w" from "g" group by 1
       )
       select "approver_id", sum("p")::int as "pending", sum("r")::int as "to_review", sum("w")::int as "assigned" from (
         select "approver_id",
           count(*) filter (where "active" and "kind" = 'APPROVAL') as "p",
           count(*) filter (where "active" and "kind" = 'REVIEW') as "r",
           count(*) filter (where "kind" = 'APPROVAL' and "created_at" >= ? and "created_at" < ?) as "w"
         from "assignment" where "active" or ("created_at" >= ? and "created_at" < ?)
         group by 1
         union all
         select m."approver_id", ps."p", ps."r", ps."w"
         from "per_set" ps join "approver_set" s on s."id" = ps."set_id" cross join lateral unnest(s."member_ids") as m("approver_id")
         union all
         select k."approver_id", -count(*) filter (where g."p"), -count(*) filter (where g."r"), -count(*) filter (where g."w")
         from "g" join "assignment" k on k."group_id" = g."id"
         group by 1
       ) t
       group by 1`,
    [since, until, since, until, since, until, since, until],
  ];
}
