import type { Principal } from '../auth/principal.js';
import type { ActionRequestType } from '../actions/action.types.js';
import { toActionView, type ActionRow } from '../actions/action.view.js';
import { findReadableAction, readAction } from '../actions/access.js';
import { HOLDER_COLUMNS } from '../actions/relations.js';
import type { SqlExecutor } from '../db/sql.js';
import { TERMINAL_STATUSES } from '../shared/enums.js';
import { BoundedStream } from './bounded-stream.js';
import type { EventBus } from './event-bus.js';

/** The subscriber an action stream emits to: who they are, and the state each emission is executed with. */
export interface ActionSubscriber {
  /** Who is asking (throws when nobody is): read when the stream starts. */
  principal(): Principal;
  /** Before each emission: fresh per-emission state, so nothing is served from an earlier emission's cache. */
  renew(): void;
  /** While waiting for the next change: hold nothing of the last emission. */
  release(): void;
}

/**
 * A request's state now, then after every change, until a terminal status. Each change
 * re-reads the request (events only say where to look), so the subscriber always gets the
 * latest committed state. Bursts coalesce: several changes while a read is in flight
 * produce one more read, never a backlog.
 */
export async function* actionStates(sql: SqlExecutor, events: EventBus, id: string, subscriber: ActionSubscriber): AsyncGenerator<ActionRequestType> {
  const principal = subscriber.principal();
  const stream = new BoundedStream<true>(1, () => undefined);
  let dirty = false;
  const wake = () => {
    if (!dirty) {
      dirty = true;
      stream.push(true);
    }
  };
  // Listening starts before the first read: a change that commits while the request is
  // being read is then read again after it, instead of falling between the read and the
  // listening, which left the subscriber waiting on a state that had already moved on.
  stream.onClose(events.onAction(id, wake));
  stream.onClose(events.onResync(wake));
  try {
    // The request and its relations (agent, decisions) are one plain-row read per emission:
    // thousands of agents subscribe at once when they start waiting, and an ORM entity per
    // subscribe left its garbage behind in the heap. The assignees are left to their resolver
    // (the SDK's selection does not ask for them): a request routed to a role of a thousand
    // would build all their JSON for every change.
    let row: ActionRow | null = await findReadableAction(sql, principal, id, HOLDER_COLUMNS);
    let lastSeen = '';
    for (;;) {
      dirty = false;
      if (!row) return;
      subscriber.renew();
      const view = toActionView(row);
      row = null;
      const version = `${view.updatedAt.getTime()}:${view.status}:${view.reviewStatus}:${view.outcome?.status ?? ''}`;
      if (version !== lastSeen) {
        lastSeen = version;
        yield view;
      }
      if (TERMINAL_STATUSES.has(view.status)) return;
      // Thousands of agents wait like this: between changes hold only the version string.
      subscriber.release();
      const next = await stream.next();
      if (next.done) return;
      row = await readAction(sql, id, HOLDER_COLUMNS);
    }
  } finally {
    stream.close();
  }
}
