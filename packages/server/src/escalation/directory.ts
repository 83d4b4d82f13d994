import type { SqlExecutor } from '../db/sql.js';
import type { ApproverRef, Assignee } from './levels.js';

/** The active approvers at one version of the directory, and what was resolved from them. */
export interface DirectorySnapshot {
  version: string;
  approvers: ApproverRef[];
  /**
   * A level's assignees as resolved from these approvers with no delegation in force, by
   * level and owner (escalation.service.ts): with nothing else to depend on, the same
   * question has the same answer until the directory changes.
   */
  resolved: Map<string, Assignee[]>;
}

/** Resolutions remembered per version; a directory that stays the same long sees few distinct levels. */
const MAX_RESOLVED = 256;

/**
 * The approver directory as routing needs it, read again only when its version changes.
 * The version (`directory_version`, migration Migration20261127010000_directory_version)
 * is raised by the transaction of any change to an approver, so the directory kept for a
 * version is exactly what a read in a snapshot with that version returns: a submission
 * reads the version with its other facts, first thing in its transaction, and uses the
 * directory of that moment.
 */
export class DirectoryCache {
  private current: DirectorySnapshot | null = null;

  /** The directory at `version` (null: not known, read it), reading it only when this instance has not. */
  async at(sql: SqlExecutor, version: string | null): Promise<DirectorySnapshot> {
    const kept = this.current;
    if (kept && version !== null && kept.version === version) {
      if (kept.resolved.size > MAX_RESOLVED) kept.resolved.clear();
      return kept;
    }
    const read = await readDirectory(sql);
    // Versions only grow: keep the newest read (a slower reader may bring an older one).
    if (!kept || BigInt(read.version) >= BigInt(kept.version)) this.current = read;
    return read;
  }
}

/** The directory's version, as an SQL expression: a statement that reads it with other facts tells which directory they go with. */
export const DIRECTORY_VERSION_SQL = '(select "version" from "directory_version" where "id" = 1)';

/** The active approvers and the directory's version, in one statement (one snapshot), oldest approver first. */
export async function readDirectory(sql: SqlExecutor): Promise<DirectorySnapshot> {
  const rows = await sql.execute<{ version: string; id: string | null; name: string; roles: string[]; active: boolean }[]>(
    `select v."version", a."id", a."name", a."roles", a."active"
       from "directory_version" v left join "approver" a on a."active"
      where v."id" = 1
      order by a."created_at", a."id"`,
  );
  return {
    version: String(rows[0]?.version ?? ''),
    approvers: rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, name: r.name, roles: r.roles, active: r.active })),
    resolved: new Map(),
  };
}

/** Everyone who could be assigned, as the level logic needs them. */
export async function loadDirectory(sql: SqlExecutor): Promise<ApproverRef[]> {
  return (await readDirectory(sql)).approvers;
}
