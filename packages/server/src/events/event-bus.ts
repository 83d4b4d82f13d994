import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { SqlExecutor } from '../db/sql.js';
import type { Logger } from '../logger.js';

/**
 * What changed, small enough for a NOTIFY payload: subscribers re-read the state they show
 * from the database, so an event only has to say where to look.
 */
export interface ChangeEvent {
  /** The request that changed. */
  actionId: string;
  /** Its agent (agents subscribe to their own requests). */
  agentId: string;
  /** Approvers whose queue gained or lost this request. */
  queueChanged: string[];
  /** On each part of an event split over several payloads: the same id, so subscribers can read the change once for all parts. */
  change?: string;
}

const CHANNEL = 'countersign_events';
/** Agents whose key or status changed: instances drop what they cached of them. */
const PRINCIPAL_CHANNEL = 'countersign_principals';
/** Web sessions that ended (signed out, replaced, revoked): instances close their sockets. */
const SESSION_CHANNEL = 'countersign_sessions';

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; stay well below. */
const MAX_PAYLOAD_BYTES = 7000;

/**
 * One event as NOTIFY payloads. A request assigned to a large role changes hundreds of
 * queues at once: its approver list is split over as many payloads as it takes, each a
 * complete event for its share of the queues (subscribers to the request itself re-read
 * it, so receiving the request's change more than once costs nothing but a read).
 */
export function toPayloads(event: ChangeEvent): string[] {
  const whole = JSON.stringify(event);
  if (whole.length <= MAX_PAYLOAD_BYTES) return [whole];
  const payloads: string[] = [];
  event = { ...event, change: randomUUID() };
  let chunk: string[] = [];
  let size = JSON.stringify({ ...event, queueChanged: [] }).length;
  const base = size;
  for (const approverId of event.queueChanged) {
    if (size + approverId.length + 3 > MAX_PAYLOAD_BYTES && chunk.length > 0) {
      payloads.push(JSON.stringify({ ...event, queueChanged: chunk }));
      chunk = [];
      size = base;
    }
    chunk.push(approverId);
    size += approverId.length + 3;
  }
  payloads.push(JSON.stringify({ ...event, queueChanged: chunk }));
  return payloads;
}

/**
 * Delivers change events to the subscribers on this instance, whichever instance made
 * the change. With PostgreSQL, events are sent with NOTIFY inside the transaction that
 * made the change — so they are delivered only if it commits, and only after — and each
 * instance LISTENs on one dedicated connection and fans out in process. In embedded mode
 * (PGlite: NOTIFY does not cross connections, and there is one instance) events travel
 * in process, after commit.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private listener: pg.Client | null = null;
  private closed = false;
  /** Events on their way to approvers' queues (see {@link dispatch}). */
  private readonly queueEvents: ChangeEvent[] = [];

  private constructor(
    private readonly mode: 'postgres' | 'in-process',
    private readonly logger: Logger,
  ) {
    // Every subscription adds a listener; thousands are expected.
    this.emitter.setMaxListeners(0);
  }

  static inProcess(logger: Logger): EventBus {
    return new EventBus('in-process', logger);
  }

  static async postgres(url: string, logger: Logger): Promise<EventBus> {
    const bus = new EventBus('postgres', logger);
    await bus.listen(url);
    return bus;
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: 'countersign-listen' });
    client.on('notification', (message) => {
      if (message.channel === PRINCIPAL_CHANNEL && message.payload) {
        this.emitter.emit('principal', message.payload);
        return;
      }
      if (message.channel === SESSION_CHANNEL && message.payload) {
        this.emitSessionEnded(message.payload);
        return;
      }
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        this.dispatch(JSON.parse(message.payload) as ChangeEvent);
      } catch (error) {
        this.logger.warn({ err: error }, 'ignoring a malformed change event');
      }
    });
    client.on('error', (error) => {
      this.logger.error({ err: error }, 'the event listener connection failed; reconnecting');
      this.emitter.emit('disconnected');
      this.reconnect(url);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}; listen ${PRINCIPAL_CHANNEL}; listen ${SESSION_CHANNEL}`);
    this.listener = client;
  }

  private reconnect(url: string): void {
    const old = this.listener;
    this.listener = null;
    old?.end().catch(() => undefined);
    if (this.closed) return;
    const attempt = (delay: number) => {
      setTimeout(() => {
        if (this.closed) return;
        this.listen(url).then(
          // Events sent while disconnected are lost; subscriptions re-read state on every
          // event and on subscribe, and resync here so that nothing stays stale.
          () => this.emitter.emit('resync'),
          () => attempt(Math.min(delay * 2, 5_000)),
        );
      }, delay).unref();
    };
    attempt(100);
  }

  /**
   * Records events to deliver when the transaction `tx` commits. Call inside the
   * transaction; with `in-process` delivery, call {@link afterCommit} with the result.
   */
  async inTransaction(tx: SqlExecutor, events: ChangeEvent[]): Promise<ChangeEvent[]> {
    if (this.mode === 'postgres' && events.length > 0) {
      // One statement however many events (a group commit may carry hundreds).
      const payloads = events.flatMap(toPayloads);
      await tx.execute('select pg_notify(?, e) from json_array_elements_text(?::json) as e', [CHANNEL, JSON.stringify(payloads)]);
    }
    return events;
  }

  /**
   * Tells every instance that an agent's key or status changed (delivered when `sql`'s
   * transaction commits; callers send it after the change committed). In process (one
   * instance) the caller's own invalidation is all there is to do.
   */
  async principalChanged(sql: SqlExecutor, agentId: string): Promise<void> {
    if (this.mode === 'postgres') await sql.execute('select pg_notify(?, ?)', [PRINCIPAL_CHANNEL, agentId]);
  }

  /** Calls `listener` with the id of an agent changed on any instance; returns the unsubscribe function. */
  onPrincipalChanged(listener: (agentId: string) => void): () => void {
    return this.on('principal', listener);
  }

  /**
   * Tells every instance, this one included, that a web session ended, so that the sockets
   * it authenticated close. Call after the change committed.
   */
  async sessionEnded(sql: SqlExecutor, sessionId: string): Promise<void> {
    if (this.mode === 'postgres') await sql.execute('select pg_notify(?, ?)', [SESSION_CHANNEL, sessionId]);
    else this.emitSessionEnded(sessionId);
  }

  /** Calls `listener` with the id of every web session that ended on any instance. */
  onSessionEnded(listener: (sessionId: string) => void): () => void {
    return this.on('session-ended', listener);
  }

  private emitSessionEnded(sessionId: string): void {
    try {
      this.emitter.emit('session-ended', sessionId);
    } catch (error) {
      this.logger.error({ err: error }, 'a listener failed to take a session-ended event');
    }
  }

  /** Called when the listener connection is lost: changes on other instances are not heard until {@link onResync}. */
  onDisconnected(listener: () => void): () => void {
    return this.on('disconnected', listener);
  }

  /** Delivers events in process after their transaction committed (embedded mode only). */
  afterCommit(events: ChangeEvent[]): void {
    if (this.mode === 'in-process') for (const event of events) this.dispatch(event);
  }

  /**
   * An event reaches the request's listeners at once. Approvers' queues hear of it in the
   * next turn of the event loop, after {@link onQueueChange}'s listeners: what those start
   * for all of them (the shared read of the request) goes to the database first, and is
   * answered while the event is handed to each of hundreds of subscribers, instead of after.
   * Events reach the queues in the order they arrived.
   */
  private dispatch(event: ChangeEvent): void {
    this.emitter.emit(`action:${event.actionId}`, event);
    if (event.queueChanged.length === 0) return;
    this.emitter.emit('queue-change', event);
    this.queueEvents.push(event);
    if (this.queueEvents.length === 1) setImmediate(() => this.dispatchToQueues());
  }

  private dispatchToQueues(): void {
    for (const event of this.queueEvents.splice(0)) {
      for (const approverId of event.queueChanged) {
        // Outside the NOTIFY handler now: one subscriber's failure must not cost the others
        // their event, nor the process its life.
        try {
          this.emitter.emit(`queue:${approverId}`, event);
        } catch (error) {
          this.logger.error({ err: error, approverId, actionId: event.actionId }, 'a queue subscriber failed to take a change event');
        }
      }
    }
  }

  /** Calls `listener` with every event that changes approvers' queues, before any of them hears of it. */
  onQueueChange(listener: (event: ChangeEvent) => void): () => void {
    return this.on('queue-change', listener);
  }

  /** Whether anyone on this instance listens to the approver's queue. */
  hasQueueListener(approverId: string): boolean {
    return this.emitter.listenerCount(`queue:${approverId}`) > 0;
  }

  /** Calls `listener` on every change to one request; returns the unsubscribe function. */
  onAction(actionId: string, listener: (event: ChangeEvent) => void): () => void {
    return this.on(`action:${actionId}`, listener);
  }

  /** Calls `listener` when an approver's queue gains or loses a request. */
  onQueue(approverId: string, listener: (event: ChangeEvent) => void): () => void {
    return this.on(`queue:${approverId}`, listener);
  }

  /** Called after the listener connection was lost and restored: state may have moved meanwhile. */
  onResync(listener: () => void): () => void {
    return this.on('resync', listener);
  }

  private on<T>(name: string, listener: (event: T) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queueEvents.length = 0;
    this.emitter.removeAllListeners();
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }
}
