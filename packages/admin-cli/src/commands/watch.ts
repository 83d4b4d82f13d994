import { APPROVAL_QUEUE, APPROVAL_QUEUE_UPDATED } from '../api/operations.js';
import { collect } from '../api/paging.js';
import { subscribe } from '../api/subscribe.js';
import type { QueueEvent } from '../api/types.js';
import type { CommandContext, StreamPresenter } from '../command.js';
import { risk, status } from '../output/format.js';
import { heading, table, text, toned, type View } from '../output/view.js';

/** How many of the requests already waiting `watch` prints before the changes. */
export const WATCH_CURRENT_LIMIT = 100;

/**
 * What `watch` prints, in order: the queue as it is now (a header, then each request
 * waiting, `current`), then every change as it happens (after a `live` marker). Headers
 * and markers are for people only; `--json` prints the requests and changes, one a line.
 */
export type WatchItem =
  | { readonly kind: 'current'; readonly waiting: number; readonly shown: number }
  | { readonly kind: 'event'; readonly event: QueueEvent; readonly current: boolean }
  | { readonly kind: 'live' };

/**
 * The caller's approval queue as it is now, then its changes until Ctrl-C, which ends it
 * cleanly (exit 0). The subscription starts before the queue is read, so nothing that
 * changes in between is missed (it may be printed twice). Status lines (connected,
 * reconnecting) go to stderr so stdout stays the stream itself.
 */
export async function* watch(ctx: CommandContext): AsyncGenerator<WatchItem> {
  const connection = await ctx.connection();
  const controller = new AbortController();
  const release = ctx.io.onInterrupt(() => controller.abort());
  ctx.notice(`Watching the approval queue at ${connection.url} (Ctrl-C to stop).`);
  const events = subscribe(connection, APPROVAL_QUEUE_UPDATED, {
    signal: controller.signal,
    onStatus: (s) => ctx.notice(s === 'connected' ? 'Reconnected.' : 'Connection lost; reconnecting…'),
  })[Symbol.asyncIterator]();
  try {
    const next = events.next();
    // Not unhandled while the queue is read: it is awaited below.
    next.catch(() => undefined);
    const api = await ctx.api();
    const queue = await collect(api, APPROVAL_QUEUE, {}, (d) => d.approvalQueue, WATCH_CURRENT_LIMIT);
    yield { kind: 'current', waiting: queue.totalCount, shown: queue.nodes.length };
    for (const action of queue.nodes) yield { kind: 'event', event: { actionId: action.id, inQueue: true, action }, current: true };
    yield { kind: 'live' };
    for (let result = await next; !result.done; result = await events.next()) {
      yield { kind: 'event', event: result.value.approvalQueueUpdated, current: false };
    }
  } finally {
    release();
    // Also when reading the queue failed: the subscription must not keep the process alive.
    controller.abort();
    await events.return?.(undefined).catch(() => undefined);
  }
}

/** `= waiting` already in your queue; `+` a request entered your queue (or changed in it), `-` it left (decided, escalated, delegated, cancelled). */
export const watchPresenter: StreamPresenter<WatchItem> = {
  data: (item) => (item.kind === 'event' ? (item.current ? { ...item.event, current: true } : item.event) : undefined),
  line: (item, now): View => {
    if (item.kind === 'current') {
      if (item.waiting === 0) return [heading('Waiting for your approval now'), text('Nothing waits for your approval.', 'muted')];
      const more = item.waiting > item.shown ? ` (the first ${item.shown} shown; \`countersign queue --limit ${item.waiting}\` lists all)` : '';
      return [heading(`Waiting for your approval now: ${item.waiting}${more}`)];
    }
    if (item.kind === 'live') return [heading('Changes as they happen')];
    const e = item.event;
    const a = e.action;
    const change = item.current ? toned('= waiting', 'plain') : e.inQueue ? toned('+ queued', 'good') : toned('- left', 'muted');
    return [
      table(
        [
          { header: 'At', minWidth: 8 },
          { header: 'Change', minWidth: 9 },
          { header: 'ID', minWidth: 36 },
          { header: 'Risk', minWidth: 11 },
          { header: 'Type', minWidth: 18 },
          { header: 'Agent', minWidth: 12 },
          { header: 'Summary', flex: true },
          'Status',
        ],
        [[toned(now.toISOString().slice(11, 19), 'muted'), change, e.actionId, risk(a?.risk), a?.type ?? '', a?.agent.name ?? '', a?.summary ?? '', status(a?.status)]],
        undefined,
        { headless: true },
      ),
    ];
  },
};
