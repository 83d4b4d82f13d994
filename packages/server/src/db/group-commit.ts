import type { MikroORM } from '@mikro-orm/postgresql';
import { appendAudit, type AuditEntry } from '../audit/audit.service.js';
import type { ChangeEvent, EventBus } from '../events/event-bus.js';
import { rawTransaction } from './sql.js';
import { isDatabaseUnavailable } from './faults.js';
import { RowBatch, RowShapes } from './row-batch.js';

/**
 * One unit of work: adds its records to `tx`, and says what to audit and whom to tell.
 * `facts` is what the group read for all its jobs at the start of the transaction (see
 * {@link GroupCommitter}'s `prepare`).
 */
export type CommitJob<T, F> = (tx: RowBatch, facts: F) => Promise<{ value: T; audit: AuditEntry[]; events: ChangeEvent[] }>;

/** Reads, first thing in a group's transaction, what its jobs must see as of the commit; `keys` are theirs. */
export type Prepare<F> = (tx: RowBatch, keys: string[]) => Promise<F>;

interface Queued<F> {
  key: string;
  job: CommitJob<unknown, F>;
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
 * sees its error. Jobs therefore create their records inside the job, not before.
 *
 * Each job comes with a key (the submitting agent), and the group's transaction starts
 * with `prepare` over the keys: one read for the whole group of what must hold at the
 * commit (the agent's status, its key, the governance version in force), so that jobs
 * can decide on what was read before the transaction and still commit only what is true
 * when it commits.
 */
export class GroupCommitter<F> {
  private readonly queue: Queued<F>[] = [];
  private inFlight = 0;
  private readonly shapes: RowShapes;

  /**
   * Jobs add plain records to a {@link RowBatch} (one multi-row INSERT per table for the
   * group) and statements go to `pg` directly ({@link rawTransaction}): the submission
   * path's writes without the ORM's per-entity and per-statement cost.
   */
  constructor(
    private readonly orm: MikroORM,
    private readonly prepare: Prepare<F>,
    private readonly events: EventBus,
    /**
     * Groups whose transactions may be open at once. They serialise only where they must
     * (the audit head, at the end); the rest of each — its reads and inserts — overlaps
     * with the others', so a busy event loop's delay on every round trip is not paid by
     * one group after another.
     */
    private readonly concurrency = 1,
    private readonly maxGroup = 200,
  ) {
    this.shapes = new RowShapes(orm);
  }

  run<T>(key: string, job: CommitJob<T, F>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ key, job: job as CommitJob<unknown, F>, resolve: resolve as (value: unknown) => void, reject });
      this.startGroups();
    });
  }

  /** Starts a group for what is queued, while fewer than `concurrency` are in flight. */
  private startGroups(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroup);
      this.inFlight += 1;
      void this.settle(group).finally(() => {
        this.inFlight -= 1;
        this.startGroups();
      });
    }
  }

  private async settle(group: Queued<F>[]): Promise<void> {
    try {
      await this.commit(group);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        // The database is down or not answering: retrying the group's jobs one by one, or
        // starting the queued ones, would only wait out the same timeout again for each.
        // Every waiter hears now (no id is handed out for what may not have committed).
        for (const item of [...group, ...this.queue.splice(0)]) item.reject(error);
      } else if (group.length === 1) group[0]!.reject(error);
      else for (const item of group) await this.commit([item]).catch((e: unknown) => item.reject(e));
    }
  }

  private async commit(group: Queued<F>[]): Promise<void> {
    const values: unknown[] = [];
    const events = await rawTransaction(this.orm, async (sql) => {
      const tx = new RowBatch(this.shapes, sql);
      const audit: AuditEntry[] = [];
      const changes: ChangeEvent[] = [];
      const facts = await this.prepare(tx, [...new Set(group.map((item) => item.key))]);
      for (const item of group) {
        const result = await item.job(tx, facts);
        values.push(result.value);
        audit.push(...result.audit);
        changes.push(...result.events);
      }
      await tx.flush();
      // The NOTIFY goes out at commit wherever it stands: before the append, which is last
      // so that the chain head is locked only for the append and the commit.
      const notified = await this.events.inTransaction(tx, changes);
      await appendAudit(tx, audit);
      return notified;
    });
    this.events.afterCommit(events);
    group.forEach((item, i) => item.resolve(values[i]));
  }
}
