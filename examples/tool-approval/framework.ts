/**
 * A stand-in for an agent framework, so this example needs neither the framework nor a
 * model. Tools have the shape the common frameworks share: OpenAI Agents SDK
 * `tool({ name, description, parameters, needsApproval, execute })`, Vercel AI SDK
 * `tool({ description, inputSchema, needsApproval, execute })`. Where a tool says
 * `needsApproval`, the framework would pause the run and ask someone at the keyboard.
 */
export interface Tool<I = any, O = any> {
  name: string;
  description: string;
  needsApproval?: boolean | ((input: I) => boolean | Promise<boolean>);
  execute(input: I, details: { callId: string }): Promise<O>;
}

export function tool<I, O>(definition: Tool<I, O>): Tool<I, O> {
  return definition;
}

/** What the model asked for; a real framework gets these from the model's reply. */
export interface ToolCall {
  callId: string;
  name: string;
  input: unknown;
}

/** Runs the calls in order, as a framework's run loop would, and returns what the model would read. */
export async function runToolCalls(tools: Tool[], calls: ToolCall[]): Promise<{ call: ToolCall; output: unknown }[]> {
  const results = [];
  for (const call of calls) {
    const found = tools.find((t) => t.name === call.name);
    if (!found) throw new Error(`no tool named ${call.name}`);
    const pause = typeof found.needsApproval === 'function' ? await found.needsApproval(call.input) : found.needsApproval;
    if (pause) {
      results.push({ call, output: 'Paused: waiting for someone at this keyboard to approve.' });
      continue;
    }
    results.push({ call, output: await found.execute(call.input, { callId: call.callId }) });
  }
  return results;
}
