import type { SqlExecutor } from '../db/sql.js';
import { DIRECTORY_VERSION_SQL } from '../escalation/directory.js';
import type { GrantTerms } from './scope.js';

// The grants a submission matches before its transaction, kept per agent so that a
// submission does not read them again each time. What is kept is only a guess: the
// submission's transaction reads the agent's live-grant signature with its commit facts
// ({@link liveGrantsSignatureSql}) and judges again when it differs from the one the guess
// was made on, and counting a use re-checks in the same statement that the grant is
// still live. A grant created, revoked or expired elsewhere is therefore never missed or
// used wrongly; this instance only forgets its own changes at once to spare that
// re-judgement.

/** A grant as stored, with what an answer shows of it and of who granted it. */
export interface CandidateGrant extends GrantTerms {
  grantedByKind: string;
  grantedByApproverId: string | null;
  grantedByAdminId: string | null;
  grantedByName: string;
  reason: string | null;
  fromActionId: string | null;
  /** The granting approver as read with it (null for an admin's grant, or an approver since deleted). */
  granter: GranterRow | null;
}

export interface GranterRow {
  id: string;
  name: string;
  email: string | null;
  slackUserId: string | null;
  roles: string[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** An agent's grants not revoked and not expired when read, oldest first. */
export interface AgentGrants {
  grants: CandidateGrant[];
  /** The approver directory's version when they were read: {@link CandidateGrant.granter} is as of it. */
  directoryVersion: string;
}

interface Row {
  id: string;
  agent_id: string;
  action_type: string;
  when: string | null;
  max_amount_value: string | number | null;
  max_amount_currency: string | null;
  same_destination: boolean;
  destination_system: string | null;
  destination_external: boolean | null;
  payload_hash: string | null;
  max_uses: number | null;
  uses: number;
  expires_at: Date | string;
  created_at: Date | string;
  granted_by_kind: string;
  granted_by_approver_id: string | null;
  granted_by_admin_id: string | null;
  granted_by_name: string;
  reason: string | null;
  from_action_id: string | null;
  granter: { id: string; name: string; email: string | null; slackUserId: string | null; roles: string[]; active: boolean; createdAt: string; updatedAt: string } | null;
  directory_version: string | number;
}

/** Which grants are live (not revoked, not expired), over alias `g`, with `now` as an SQL expression. */
const LIVE_NOW = (g: string, now: string) => `${g}."revoked_at" is null and ${g}."expires_at" > ${now}`;

/**
 * An agent's live-grant signature as an SQL expression over an expression for its id, with
 * one parameter (the moment, by this server's clock, as the submission's own checks use),
 * for the submission's commit facts: how many grants of the agent are live then, and when
 * the newest was created. A grant created, revoked or expired since a guess was made
 * changes it (an index range on `standing_grant_live_idx`).
 */
export const liveGrantsSignatureSql = (agentId: string) =>
  `(select count(*)::int || ':' || coalesce((extract(epoch from max(g."created_at")) * 1000)::bigint::text, '')
      from "standing_grant" g where g."agent_id" = ${agentId} and ${LIVE_NOW('g', '?::timestamptz')})`;

/** {@link liveGrantsSignatureSql} of grants known to be the agent's live ones, at `now`. */
export function signatureOf(grants: readonly CandidateGrant[], now: Date): string {
  let count = 0;
  let newest: number | null = null;
  for (const g of grants) {
    if (g.revokedAt !== null || g.expiresAt.getTime() <= now.getTime()) continue;
    count += 1;
    newest = Math.max(newest ?? 0, g.createdAt.getTime());
  }
  return `${count}:${newest ?? ''}`;
}

/**
 * Each agent's grants as last read by this instance (see the top of this file), the most
 * recently read `maxEntries` agents. Uses counted here are written back into what is kept,
 * so a grant used up here is not tried again; elsewhere, the count's own check decides.
 */
export class GrantCandidates {
  private readonly entries = new Map<string, AgentGrants>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The agent's grants live at `now`, as kept, or read when not kept. */
  async of(sql: SqlExecutor, agentId: string, now: Date): Promise<AgentGrants> {
    const kept = this.entries.get(agentId);
    if (kept) return kept;
    const read = await readGrants(sql, agentId, now);
    this.entries.delete(agentId);
    this.entries.set(agentId, read);
    // Maps iterate in insertion order: the first key is the least recently read.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return read;
  }

  /** Drops what is kept of an agent's grants (one was created or revoked, or the guess proved stale). */
  forget(agentId: string): void {
    this.entries.delete(agentId);
  }
}

async function readGrants(sql: SqlExecutor, agentId: string, now: Date): Promise<AgentGrants> {
  const rows = await sql.execute<Row[]>(
    `select g."id", g."agent_id", g."action_type", g."when", g."max_amount_value", g."max_amount_currency", g."same_destination", g."destination_system",
            g."destination_external", g."payload_hash", g."max_uses", g."uses", g."expires_at", g."created_at", g."granted_by_kind", g."granted_by_approver_id",
            g."granted_by_admin_id", g."granted_by_name", g."reason", g."from_action_id",
            case when p."id" is null then null else json_build_object('id', p."id", 'name', p."name", 'email', p."email", 'slackUserId', p."slack_user_id", 'roles', p."roles",
              'active', p."active", 'createdAt', p."created_at", 'updatedAt', p."updated_at") end as "granter",
            d."v" as "directory_version"
       from (select ${DIRECTORY_VERSION_SQL} as "v") d
       left join "standing_grant" g on g."agent_id" = ? and ${LIVE_NOW('g', '?')}
       left join "approver" p on p."id" = g."granted_by_approver_id"
      order by g."created_at", g."id"`,
    [agentId, now],
  );
  return {
    directoryVersion: String(rows[0]?.directory_version ?? ''),
    grants: rows.filter((r) => r.id !== null).map(toCandidate),
  };
}

function toCandidate(row: Row): CandidateGrant {
  return {
    id: row.id,
    agentId: row.agent_id,
    actionType: row.action_type,
    when: row.when,
    maxAmount: row.max_amount_value === null || row.max_amount_currency === null ? null : { value: Number(row.max_amount_value), currency: row.max_amount_currency },
    sameDestination: row.same_destination,
    destination: row.destination_external === null ? null : { system: row.destination_system, external: row.destination_external },
    payloadHash: row.payload_hash,
    maxUses: row.max_uses,
    uses: row.uses,
    expiresAt: new Date(row.expires_at),
    revokedAt: null,
    createdAt: new Date(row.created_at),
    grantedByKind: row.granted_by_kind,
    grantedByApproverId: row.granted_by_approver_id,
    grantedByAdminId: row.granted_by_admin_id,
    grantedByName: row.granted_by_name,
    reason: row.reason,
    fromActionId: row.from_action_id,
    granter: row.granter === null ? null : { ...row.granter, createdAt: new Date(row.granter.createdAt), updatedAt: new Date(row.granter.updatedAt) },
  };
}
