import { AgentStatus } from '../shared/enums.js';
import type { SqlExecutor } from '../db/sql.js';
import { liveGrantsSignatureSql } from '../grants/candidates.js';

/** What must still hold when a submission commits, read once per group ({@link GroupCommitter}). */
export interface CommitFacts {
  governanceVersion: number | null;
  /** The approver directory's version (escalation/directory.ts). */
  directoryVersion: string | null;
  agents: Map<string, {
    suspended: boolean;
    suspendedReason: string | null;
    keyHash: string;
    /** Its live grants' signature (grants/candidates.ts): what a grant was matched on must still hold. */
    grants: string;
  }>;
}

/**
 * Reads the group's agents and the governance version in force, first thing in its
 * transaction. The agents' rows are share-locked until the commit, so a suspension either
 * committed before (and is seen here) or waits for this commit: a submission is never
 * approved after `suspendAgent` has returned.
 */
export async function readCommitFacts(sql: SqlExecutor, agentIds: string[]): Promise<CommitFacts> {
  const rows = await sql.execute<{ id: string; status: string; suspended_reason: string | null; api_key_hash: string; governance_version: number | null; directory_version: string; grants: string }[]>(
    `select a."id", a."status", a."suspended_reason", a."api_key_hash", (select max("version") from "governance_version") as "governance_version",
            ${liveGrantsSignatureSql('a."id"')} as "grants",
            (select "version" from "directory_version" where "id" = 1) as "directory_version"
       from "agent" a where a."id" in (${agentIds.map(() => '?').join(', ')}) for share of a`,
    [new Date(), ...agentIds],
  );
  return {
    // No row: no agent of the group exists any more, and their jobs fail without needing it.
    governanceVersion: rows[0]?.governance_version ?? null,
    directoryVersion: rows[0]?.directory_version === undefined ? null : String(rows[0].directory_version),
    agents: new Map(rows.map((r) => [r.id, { suspended: r.status === AgentStatus.SUSPENDED, suspendedReason: r.suspended_reason, keyHash: r.api_key_hash, grants: r.grants }])),
  };
}
