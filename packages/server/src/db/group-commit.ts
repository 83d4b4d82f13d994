import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ChangeEvent, EventBus } from '../events/event-bus.js';

/** One unit of work: writes through `tx`, and says what to audit and whom to tell. */
export type CommitJob<T> = (tx: EntityManager) => Promise<{ value: T; audit: AuditEntry[]; events: ChangeEvent[] }>;

interface Queued {
  job: CommitJob<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the submission path. Every state change must commit with its audit
 * events, and the audit chain is one strict sequence, so appenders serialise on the chain
 * head — at one transaction per request that caps throughput at one commit (one WAL flush)
 * at a time. Instead, jobs that arrive while a transaction is in flight wait and go
 * together in the next one: one head lock, one multi-row insert per table, one NOTIFY
 * statement and one commit for the whole group. Under no load a group is one job and
 * nothing waits; under load groups grow on their own.
 *
 * A job that fails takes its group's transaction down with it, so the group is then
 * retried one job per transaction: the others commit, and only the failing job's caller
 * sees its error. Jobs therefore create their entities inside the job, not before.
 */
export class GroupCommitter {
  private readonly queue: Queued[] = [];
  private draining = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventBus,
    private readonly maxGroup = 200,
  ) {}

  run<T>(job: CommitJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        try {
          await this.commit(group);
        } catch (error) {
          if (group.length === 1) group[0]!.reject(error);
          else for (const item of group) await this.commit([item]).catch((e: unknown) => item.reject(e));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(group: Queued[]): Promise<void> {
    const values: unknown[] = [];
    const events = await this.orm.em.fork().transactional(async (tx) => {
      const audit: AuditEntry[] = [];
      const changes: ChangeEvent[] = [];
      for (const item of group) {
        const result = await item.job(tx);
        values.push(result.value);
        audit.push(...result.audit);
        changes.push(...result.events);
      }
      await tx.flush();
      // Last, so the chain head is locked only for the append and the commit.
      await appendAudit(tx, audit);
      return this.events.inTransaction(tx, changes);
    });
    this.events.afterCommit(events);
    group.forEach((item, i) => item.resolve(values[i]));
  }
}
