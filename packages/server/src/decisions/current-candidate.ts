import type { SqlExecutor } from '../db/sql.js';
import type { Verdict } from '../shared/enums.js';
import { candidateAfter, type Candidate } from './quorum.js';

/**
 * The payload a request's approvals are for now (decisions/quorum.ts), read from its
 * decisions: for a channel that shows a request outside the GraphQL API (a Slack message)
 * and must say which payload its Approve is for. Null when the request does not exist.
 */
export async function currentCandidate(sql: SqlExecutor, actionId: string): Promise<Candidate | null> {
  const [row] = await sql.execute<{ payload: unknown; votes: { approverId: string; verdict: Verdict; modifiedPayload: unknown; candidate: number }[] }[]>(
    `select a."payload",
       (select coalesce(json_agg(json_build_object('approverId', coalesce(d."on_behalf_of_id", d."approver_id"), 'verdict', d."verdict",
          'modifiedPayload', d."modified_payload", 'candidate', d."candidate") order by d."candidate", d."modified_payload" is null, d."at", d."id"), '[]'::json)
          from "decision" d where d."action_id" = a."id") as "votes"
     from "action_request" a where a."id" = ?`,
    [actionId],
  );
  // By round, and within a round the modifications first: the order candidateAfter reads stored votes in.
  return row ? candidateAfter(row.payload, row.votes).candidate : null;
}
