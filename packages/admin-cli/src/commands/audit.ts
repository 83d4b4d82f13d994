import { AUDIT_LOG, VERIFY_AUDIT_CHAIN } from '../api/operations.js';
import { walk } from '../api/paging.js';
import type { AuditEvent, ChainVerification } from '../api/types.js';
import type { CommandContext, Presenter, StreamPresenter } from '../command.js';
import { ExitCode } from '../errors.js';
import { timestamp } from '../output/format.js';
import { table, text } from '../output/view.js';
import { parseInstant, parseSince } from '../util/time.js';

/** Recomputes the audit hash chain on the server; a broken chain exits {@link ExitCode.INTEGRITY}. */
export async function verifyAudit(ctx: CommandContext): Promise<ChainVerification> {
  const api = await ctx.api();
  return (await api.request(VERIFY_AUDIT_CHAIN, {})).verifyAuditChain;
}

export const verifyAuditPresenter: Presenter<ChainVerification> = {
  view: (r) => [
    r.valid
      ? text(`Audit chain intact: ${r.checked.toLocaleString('en-US')} events verified.`, 'good')
      : text(
          `Audit chain BROKEN at event #${r.brokenAt ?? '?'} (${r.checked.toLocaleString('en-US')} events checked): an event was changed, deleted or reordered.`,
          'bad',
        ),
  ],
  exitCode: (r) => (r.valid ? ExitCode.OK : ExitCode.INTEGRITY),
};

export interface AuditExportOptions {
  readonly since: string;
  readonly until?: string;
  /** Only events about this request, agent, approver… (its id). */
  readonly subject?: string;
  /** Only these event kinds, e.g. ACTION_DECIDED. */
  readonly kind?: readonly string[];
}

/**
 * Streams audit events in chain order, page by page, for a SIEM or an archive. Each event
 * carries its `hash` and `prevHash`, so the export itself can be re-verified offline.
 */
export async function* exportAudit(ctx: CommandContext, options: AuditExportOptions): AsyncGenerator<AuditEvent> {
  const now = ctx.now();
  const since = parseSince(options.since, now).toISOString();
  const until = options.until ? parseInstant(options.until, now).toISOString() : undefined;
  const api = await ctx.api();
  const filter = { since, until, subjectId: options.subject, kind: options.kind ? [...options.kind] : undefined };
  yield* walk(api, AUDIT_LOG, { filter }, (d) => d.auditLog);
}

export const auditEventPresenter: StreamPresenter<AuditEvent> = {
  line: (e) => [
    table(
      [
        { header: '#', align: 'right', minWidth: 6 },
        { header: 'At', minWidth: 20 },
        { header: 'Event', minWidth: 20 },
        { header: 'Subject', minWidth: 20 },
        { header: 'By', minWidth: 20 },
        { header: 'Data', flex: true },
      ],
      [[String(e.seq), timestamp(e.at), e.kind, `${e.subjectType} ${e.subjectId ?? ''}`.trim(), `${e.actorType} ${e.actorId ?? ''}`.trim(), e.data === null ? '' : JSON.stringify(e.data)]],
      undefined,
      { headless: true },
    ),
  ],
};
