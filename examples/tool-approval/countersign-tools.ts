/**
 * The adapter: makes Countersign the approval step of a framework's tools. It depends on
 * the SDK only; any tool shaped `{ needsApproval?, execute(input, …rest) }` fits.
 *
 * The framework's own approval pauses the run for whoever sits at the keyboard. Here the
 * call goes to Countersign instead, which scores it, lets low-risk calls through at once,
 * routes the rest to the people who must decide, escalates when they do not, and survives
 * restarts. So the adapter turns the framework's pause off and guards `execute`: the tool
 * runs only once approved, with the arguments the approver approved, and its outcome is
 * recorded. A refusal becomes the tool's output, worded for the model, so the agent can
 * explain or adapt (as the frameworks do with a rejection message).
 */
import { ActionNotApprovedError, ChangesRequestedError, type ActionInput, type Client, type GuardOptions } from '@countersign/sdk';

interface GuardableTool<I, O, R extends unknown[]> {
  needsApproval?: unknown;
  execute(input: I, ...rest: R): Promise<O>;
}

export function withCountersign<I, O, R extends unknown[], T extends GuardableTool<I, O, R>>(
  cs: Client,
  tool: T & GuardableTool<I, O, R>,
  describe: (input: I) => Omit<ActionInput<I>, 'payload'>,
  options?: GuardOptions<O>,
): Omit<T, 'needsApproval' | 'execute'> & { needsApproval: false; execute(input: I, ...rest: R): Promise<O | string> } {
  return {
    ...tool,
    needsApproval: false,
    async execute(input: I, ...rest: R): Promise<O | string> {
      try {
        return await cs.guard({ ...describe(input), payload: input }, (approved) => tool.execute(approved, ...rest), options);
      } catch (error) {
        if (error instanceof ActionNotApprovedError) return refusal(error);
        throw error;
      }
    },
  };
}

/** A refusal as the model should read it: what happened, who said so, what to do instead. */
function refusal(error: ActionNotApprovedError): string {
  if (error instanceof ChangesRequestedError) {
    const suggestion = error.suggestedPayload === undefined ? '' : ` Suggested arguments: ${JSON.stringify(error.suggestedPayload)}.`;
    return `Not done: ${error.decision?.approver.name ?? 'the approver'} asked for changes: ${error.comment ?? 'no comment'}.${suggestion}`;
  }
  return `Not done: ${error.message}.`;
}
