// Reading assignments whichever way they are stored (escalation/assignment.entity.ts): one
// `assignment` row per person, or one `group_assignment` per approver set.

/**
 * Every assignment as one list (the `assignment_entry` view, migration
 * Migration20261127000000_group_assignment): the columns of `assignment`, with `group_id`
 * set on the entries expanded from a group assignment (their `id` is the group's).
 * Filter it by `action_id`: PostgreSQL pushes that into both of its branches.
 */
export const ENTRIES = '"assignment_entry"';

/**
 * The rest of a `select` (after the keyword) of the members still in the group
 * assignments of `cte`, a relation with their `id` and `set_id`: each set's members, less
 * those whose own part ended (an `assignment` row with the group's id), as `approver_id`.
 */
export const GROUP_MEMBERS = (cte: string) =>
  `m."approver_id" from "${cte}" g join "approver_set" s on s."id" = g."set_id" cross join lateral unnest(s."member_ids") as m("approver_id")
    where not exists (select 1 from "assignment" k where k."group_id" = g."id" and k."approver_id" = m."approver_id")`;
