/**
 * A request's audit trail in words, for `show`: who (people and agents by name) and what
 * happened, instead of ids and raw event data. `--json` keeps the events as stored.
 */
import type { AuditEvent } from '../api/types.js';
import { timestamp } from '../output/format.js';
import { words } from '../output/figures.js';

/** Names of approvers and agents by id; an id with no name is shown shortened. */
export type Names = ReadonlyMap<string, string>;

type Data = Record<string, unknown>;
type AssigneeData = { approverId?: unknown; onBehalfOf?: unknown; viaRole?: unknown };
type GroupData = { viaRole?: unknown; size?: unknown };

/** A name for an id: its name when known, else the id's first 8 characters. */
export function nameOf(id: unknown, names: Names): string {
  if (typeof id !== 'string' || id === '') return 'someone';
  return names.get(id) ?? `${id.slice(0, 8)}…`;
}

/** Who did it: `invoice-bot`, `bob`, `an admin`, `Countersign`. */
export function actorOf(e: Pick<AuditEvent, 'actorType' | 'actorId'>, names: Names): string {
  switch (e.actorType) {
    case 'AGENT':
    case 'APPROVER':
      return nameOf(e.actorId, names);
    case 'ADMIN':
      return 'an admin';
    case 'SYSTEM':
      return 'Countersign';
    default:
      return words(e.actorType);
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function joinNames(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** `bob, carol (for alice) and 40 holders of role finance`. */
function people(data: Data, names: Names): string {
  const single = Array.isArray(data.assignees) ? (data.assignees as AssigneeData[]) : [];
  const groups = Array.isArray(data.groups) ? (data.groups as GroupData[]) : [];
  const parts = [
    ...single.map((a) => `${nameOf(a.approverId, names)}${str(a.onBehalfOf) ? ` (for ${nameOf(a.onBehalfOf, names)})` : ''}`),
    ...groups.map((g) => `${num(g.size) ?? 'the'} holders of role ${str(g.viaRole) ?? '?'}`),
  ];
  return parts.length > 0 ? joinNames(parts) : 'nobody';
}

function quoted(comment: unknown): string {
  return str(comment) ? `: "${str(comment)}"` : '';
}

/** What happened, in a sentence without its actor (the timeline's By column names them). */
export function describeEvent(e: Pick<AuditEvent, 'kind' | 'data'>, names: Names): string {
  const d: Data = e.data !== null && typeof e.data === 'object' ? (e.data as Data) : {};
  switch (e.kind) {
    case 'ACTION_SUBMITTED': {
      const risk = d.risk as { score?: unknown; level?: unknown } | undefined;
      const parts = [
        'asked',
        risk ? `risk ${num(risk.score) ?? '?'} ${str(risk.level) ?? ''}`.trim() : '',
        str(d.mode) ? `${str(d.mode)}${str(d.policy) ? ` by policy ${str(d.policy)}` : ' (no policy matched)'}` : '',
        num(d.governanceVersion) !== undefined ? `governance version ${num(d.governanceVersion)}` : '',
        str(d.revisionOf) ? `revising ${str(d.revisionOf)}` : '',
      ].filter(Boolean);
      return parts.length > 1 ? `${parts[0]}: ${parts.slice(1).join(', ')}` : parts[0]!;
    }
    case 'ACTION_ASSIGNED': {
      const task = d.kind === 'REVIEW' ? 'review afterwards' : 'approve';
      const where = [str(d.chain) ? `chain ${str(d.chain)}` : '', num(d.level) !== undefined ? `level ${num(d.level)}` : ''].filter(Boolean).join(' ');
      const until = str(d.deadline) && d.kind !== 'REVIEW' ? `, until ${timestamp(str(d.deadline)!)}` : '';
      return `sent to ${people(d, names)} to ${task}${where ? ` (${where})` : ''}${until}`;
    }
    case 'ACTION_DECIDED': {
      const verdict = d.verdict === 'APPROVE' ? 'approved' : d.verdict === 'DENY' ? 'denied' : d.verdict === 'REQUEST_CHANGES' ? 'asked for changes' : words(String(d.verdict ?? 'decided'));
      const tally = d.verdict === 'APPROVE' && num(d.requiredApprovals) !== undefined && num(d.requiredApprovals)! > 1 ? ` (${num(d.approvals) ?? '?'} of ${num(d.requiredApprovals)} approvals)` : '';
      const behalf = str(d.onBehalfOf) ? ` for ${nameOf(d.onBehalfOf, names)}` : '';
      const modified = str(d.modifiedPayloadHash) ? (d.verdict === 'APPROVE' ? ', with a modified payload' : ', suggesting a payload') : '';
      return `${verdict}${behalf}${tally}${modified}${quoted(d.comment)}`;
    }
    case 'PAYLOAD_MODIFIED': {
      const voided = Array.isArray(d.approvalsVoided) ? d.approvalsVoided.length : num(d.approvalsVoided) ?? 0;
      const level = d.level as { before?: unknown; after?: unknown } | undefined;
      const quorum = d.requiredApprovals as { before?: unknown; after?: unknown } | undefined;
      const parts = [
        'changed the payload to approve',
        voided > 0 ? `${voided} earlier approval${voided === 1 ? '' : 's'} no longer count${voided === 1 ? 's' : ''}` : '',
        level && level.before !== level.after ? `risk level raised from ${str(level.before) ?? '?'} to ${str(level.after) ?? '?'}` : '',
        quorum && quorum.before !== quorum.after ? `now ${num(quorum.after) ?? '?'} approvals required (were ${num(quorum.before) ?? '?'})` : '',
        d.blocked === true ? 'the policy blocks the new payload' : '',
      ].filter(Boolean);
      return parts.join('; ');
    }
    case 'ACTION_APPROVED':
      if (str(d.grantId)) return `approved at once by grant ${str(d.grantId)} (standing approval); receipt issued`;
      if (str(d.mode)) return `approved automatically (${str(d.mode)}); receipt issued`;
      return d.modified === true ? 'approved with the modified payload; receipt issued' : 'approved; receipt issued';
    case 'ACTION_DENIED':
    case 'ACTION_EXPIRED':
      return str(d.detail) ?? `${words(e.kind.replace('ACTION_', ''))}${str(d.reason) ? ` (${words(str(d.reason)!)})` : ''}`;
    case 'ACTION_CANCELLED':
      return `withdrew it${quoted(d.reason)}`;
    case 'ESCALATED':
      return `level ${num(d.fromLevel) ?? '?'} timed out: escalated to level ${num(d.toLevel) ?? '?'}, sent to ${people(d, names)}${str(d.deadline) ? `, until ${timestamp(str(d.deadline)!)}` : ''}`;
    case 'ABOUT_TO_EXPIRE':
      return `warned ${people(d, names)} that level ${num(d.level) ?? '?'} ends ${str(d.deadline) ? `at ${timestamp(str(d.deadline)!)}` : 'soon'}`;
    case 'ASSIGNEES_CHANGED': {
      const ended = people({ assignees: d.ended }, names);
      const started = people({ assignees: d.started }, names);
      const cause = str(d.cause) ? ` (${words(str(d.cause)!)})` : '';
      return `moved by a delegation${cause}: from ${ended} to ${started}`;
    }
    case 'ACTION_ACKNOWLEDGED':
      return `reviewed it: acknowledged${quoted(d.comment)}`;
    case 'ACTION_FLAGGED':
      return `reviewed it: flagged${quoted(d.comment)}`;
    case 'OUTCOME_REPORTED':
      return `reported the outcome: ${words(String(d.status ?? '?'))}${str(d.detail) ? `, "${str(d.detail)}"` : ''}`;
    default:
      return words(e.kind);
  }
}
