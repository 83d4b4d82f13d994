import { APPROVAL_QUEUE_UPDATED } from '../api/operations.js';
import { subscribe } from '../api/subscribe.js';
import type { QueueEvent } from '../api/types.js';
import type { CommandContext, StreamPresenter } from '../command.js';
import { risk, status } from '../output/format.js';
import { table, toned } from '../output/view.js';

/**
 * Streams changes to the caller's approval queue until Ctrl-C, which ends it cleanly
 * (exit 0). Status lines (connected, reconnecting) go to stderr so stdout stays the
 * stream itself, one JSON object per line with `--json`.
 */
export async function* watch(ctx: CommandContext): AsyncGenerator<QueueEvent> {
  const connection = await ctx.connection();
  const controller = new AbortController();
  const release = ctx.io.onInterrupt(() => controller.abort());
  ctx.notice(`Watching the approval queue at ${connection.url} (Ctrl-C to stop).`);
  try {
    const events = subscribe(connection, APPROVAL_QUEUE_UPDATED, {
      signal: controller.signal,
      onStatus: (s) => ctx.notice(s === 'connected' ? 'Reconnected.' : 'Connection lost; reconnecting…'),
    });
    for await (const event of events) yield event.approvalQueueUpdated;
  } finally {
    release();
  }
}

/** `+` a request entered your queue (or changed in it), `-` it left (decided, escalated, delegated, cancelled). */
export const watchPresenter: StreamPresenter<QueueEvent> = {
  line: (e, now) => {
    const a = e.action;
    const change = e.inQueue ? toned('+ queued', 'good') : toned('- left', 'muted');
    return [
      table(
        [
          { header: 'At', minWidth: 8 },
          { header: 'Change', minWidth: 8 },
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
