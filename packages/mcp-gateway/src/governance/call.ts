import {
  ActionNotApprovedError,
  ApprovalTimeoutError,
  CountersignError,
  payloadHash,
  ReceiptVerificationError,
  type ActionInput,
  type ActionRequest,
  type Client as CountersignClient,
  type Outcome,
} from '@countersign/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { failureOutcome, outcomeOf } from './outcome.js';
import { formatDuration, pendingText, receiptFailureText, refusalText, unavailableText } from './refusal.js';

export interface CallGovernorOptions {
  countersign: CountersignClient;
  approvalTimeoutMs: number;
  progressIntervalMs: number;
  log(message: string): void;
}

export interface GovernedCall {
  /** `<server>__<tool>`, as the client knows it. */
  tool: string;
  action: ActionInput<Record<string, unknown>>;
  /** The client's cancellation of this call. */
  signal: AbortSignal;
  /** Present when the client sent a progress token: sends one progress notification. */
  progress?: (progress: number, message: string) => Promise<void>;
  /** Calls the upstream tool with these (approved) arguments. */
  run(args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult>;
}

/**
 * The life of one governed tool call (DESIGN §13): submit; run at once when approved
 * (AUTO, ASYNC_REVIEW); wait for a person when pending, with progress notifications; verify
 * the receipt; call the upstream with the approved payload; report its result as the
 * outcome. Every way of not running the tool is an `isError` result for the model.
 */
export function createCallGovernor(options: CallGovernorOptions) {
  const { countersign: cs, approvalTimeoutMs, progressIntervalMs, log } = options;
  /**
   * Requests left pending when `approvalTimeout` passed, by tool and arguments: calling the
   * same tool with the same arguments again waits for that request instead of a new one.
   */
  const leftPending = new Map<string, string>();
  /** Outcome reports still in flight; the answer to the client does not wait for them. */
  const reports = new Set<Promise<void>>();

  function report(id: string, outcome: Outcome): void {
    const sent = cs
      .reportOutcome(id, outcome)
      .then(
        () => undefined,
        (error: unknown) => log(`countersign-mcp: could not record the outcome ${outcome.status} of request ${id}: ${(error as Error).message}`),
      )
      .finally(() => reports.delete(sent));
    reports.add(sent);
  }

  async function call(call: GovernedCall): Promise<CallToolResult> {
    const { tool, action, signal } = call;
    // Per client too: another client's identical call is its own request, with its own context.
    const client = (action.context as { mcp?: { client?: unknown } } | undefined)?.mcp?.client;
    const key = `${tool}\u0000${String(client)}\u0000${payloadHash(action.payload ?? {})}`;

    let current: ActionRequest;
    try {
      const earlier = leftPending.get(key);
      current = earlier ? await cs.get(earlier, { signal }) : await cs.submit(action, { signal });
      if (earlier && current.status !== 'PENDING') leftPending.delete(key);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return errorResult(unavailableText(tool, messageOf(error)));
    }

    if (current.status === 'PENDING') {
      const waited = await waitForDecision(call, current, key);
      if ('result' in waited) return waited.result;
      current = waited.action;
    }
    if (current.status !== 'APPROVED') return errorResult(refusalText(tool, current));

    try {
      await cs.verifyReceipt(current.receipt ?? '', current.approvedPayload, { actionId: current.id, actionType: action.type });
    } catch (error) {
      if (!(error instanceof ReceiptVerificationError)) {
        report(current.id, { status: 'FAILED', detail: `Not run: the receipt could not be checked (${messageOf(error)})` });
        return errorResult(unavailableText(tool, messageOf(error)));
      }
      report(current.id, { status: 'FAILED', detail: `Not run: the receipt does not verify (${error.failure})` });
      return errorResult(receiptFailureText(tool, current.id, error.message));
    }

    const approvedArgs = current.approvedPayload ?? {};
    if (typeof approvedArgs !== 'object' || Array.isArray(approvedArgs)) {
      // Tool arguments are an object; an approver's edit that is not one cannot be run as approved.
      report(current.id, { status: 'FAILED', detail: 'Not run: the approved payload is not an object of tool arguments' });
      return errorResult(`The call to ${tool} was approved (Countersign request ${current.id}) with arguments that are not an object, so it was not run. Tell the user.`);
    }
    let result: CallToolResult;
    try {
      result = await call.run(approvedArgs as Record<string, unknown>, signal);
    } catch (error) {
      report(current.id, failureOutcome(error, signal.aborted));
      if (signal.aborted) throw signal.reason;
      return errorResult(`The call to ${tool} was approved (Countersign request ${current.id}) but the tool failed: ${messageOf(error)}`);
    }
    report(current.id, outcomeOf(result));
    return result;
  }

  /** Waits for a person's decision; an early answer (`result`) when there will be none in time. */
  async function waitForDecision(call: GovernedCall, pending: ActionRequest, key: string): Promise<{ action: ActionRequest } | { result: CallToolResult }> {
    const { tool, signal, progress } = call;
    const started = Date.now();
    let step = 0;
    const tell = () => {
      step += 1;
      const waited = formatDuration(Math.round((Date.now() - started) / 1000) * 1000);
      const who = pending.chain ? ` from the "${pending.chain}" approvers` : '';
      progress?.(step, `Waiting for approval${who} of Countersign request ${pending.id} (${waited} so far)`).catch(() => {});
    };
    const ticker = progress ? setInterval(tell, progressIntervalMs) : undefined;
    if (progress) tell();
    try {
      const approved = await cs.wait(pending.id, { timeout: approvalTimeoutMs, signal });
      leftPending.delete(key);
      return { action: approved };
    } catch (error) {
      if (error instanceof ActionNotApprovedError) {
        leftPending.delete(key);
        return { action: error.action };
      }
      if (error instanceof ApprovalTimeoutError) {
        leftPending.set(key, pending.id);
        return { result: errorResult(pendingText(tool, error.action ?? pending, approvalTimeoutMs)) };
      }
      if (signal.aborted) {
        leftPending.delete(key);
        // The client gave up on the call: withdraw the request so nobody approves it in vain.
        await cs.cancel(pending.id, 'The MCP client cancelled the tool call').catch((cancelError: unknown) => {
          log(`countersign-mcp: could not cancel request ${pending.id}: ${messageOf(cancelError)}`);
        });
        throw signal.reason;
      }
      return { result: errorResult(unavailableText(tool, messageOf(error))) };
    } finally {
      if (ticker) clearInterval(ticker);
    }
  }

  return {
    call,
    /** Waits (boundedly) for outcome reports still in flight. */
    async flush(timeoutMs = 5_000): Promise<void> {
      if (reports.size === 0) return;
      await Promise.race([Promise.allSettled([...reports]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    },
  };
}

export type CallGovernor = ReturnType<typeof createCallGovernor>;

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function messageOf(error: unknown): string {
  if (error instanceof CountersignError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
