import type { BreakGlassPolicy } from '@countersign/governance';
import { AppError } from '../errors.js';
import { Mode, assertNever } from '../shared/enums.js';
import { StatusReason } from '../actions/status-reason.js';

// Break-glass (DESIGN §12) as plain rules: what an agent's request for it does, given the
// policy's decision. The submission path (submission.ts) applies the answer.

/** Break-glass as an agent asked for it, validated. */
export interface BreakGlassRequest {
  justification: string;
}

/** The longest justification accepted: it goes into every admin channel. */
export const MAX_BREAK_GLASS_JUSTIFICATION = 2000;

/**
 * Validates `breakGlass` of an ActionInput: absent → null; present → a justification that
 * is not blank and at most {@link MAX_BREAK_GLASS_JUSTIFICATION} characters, or
 * BAD_USER_INPUT naming `breakGlass.justification`.
 */
export function normalizeBreakGlass(input: { justification?: string | null } | null | undefined): BreakGlassRequest | null {
  if (input === null || input === undefined) return null;
  const justification = input.justification?.trim() ?? '';
  if (justification === '') {
    throw AppError.badInput('breakGlass.justification is required and cannot be blank: say why this cannot wait for an approver.', 'breakGlass.justification');
  }
  if (justification.length > MAX_BREAK_GLASS_JUSTIFICATION) {
    throw AppError.badInput(`breakGlass.justification is longer than ${MAX_BREAK_GLASS_JUSTIFICATION} characters.`, 'breakGlass.justification');
  }
  return { justification };
}

/** What break-glass does to one request. */
export type BreakGlassJudgement =
  /** It goes its usual way (AUTO and ASYNC_REVIEW run at once anyway; BLOCK is never broken through), with a note why; not counted. */
  | { kind: 'USUAL'; note: string }
  /** It is DENIED for this reason, with this sentence. */
  | { kind: 'REFUSED'; reason: StatusReason; sentence: string }
  /** It opens: approved at once if the agent has a use left today, reviewed afterwards. */
  | { kind: 'OPEN'; maxPerDay: number };

/**
 * What break-glass does to a request of a (not suspended) agent, from its policy's
 * decision: only a request that would wait for approval (SYNC_APPROVAL) can be opened, only
 * where the policy allows it, and only when a route names who reviews it (fail closed).
 */
export function judgeBreakGlass(decision: { policy: string | null; mode: Mode; breakGlass: BreakGlassPolicy | null }, routed: boolean): BreakGlassJudgement {
  const policy = decision.policy === null ? 'no policy (the defaults)' : `policy ${decision.policy}`;
  switch (decision.mode) {
    case Mode.AUTO:
    case Mode.ASYNC_REVIEW:
      return { kind: 'USUAL', note: `Break-glass was asked for but not used: ${decision.mode} runs the action at once anyway (not counted against the limit).` };
    case Mode.BLOCK:
      return { kind: 'USUAL', note: `Break-glass was asked for, but ${policy} blocks this action: break-glass never opens a blocked one.` };
    case Mode.SYNC_APPROVAL:
      if (!decision.breakGlass?.allowed) {
        return { kind: 'REFUSED', reason: StatusReason.BREAK_GLASS_NOT_ALLOWED, sentence: `Break-glass was asked for, but ${policy} does not allow it, so it is denied.` };
      }
      if (!routed) {
        return { kind: 'REFUSED', reason: StatusReason.NO_ROUTE, sentence: 'Break-glass was asked for, but no route names anyone to review it, so it is denied (fail closed).' };
      }
      return { kind: 'OPEN', maxPerDay: decision.breakGlass.maxPerDay };
    default:
      return assertNever(decision.mode);
  }
}

/** The UTC day of `at` (`2026-12-05`): the limit's day is the same for every instance and time zone. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
