import { Environment } from '@marcbachmann/cel-js';

/**
 * The variables conditions may read, typed as the server types them
 * (packages/server/src/governance/cel.ts), so `lint` catches a misspelt field
 * (`action.amonut`) or a condition that is not true/false without a server. Keep the two
 * in step: the server's check is the one that counts, this one only answers sooner.
 */
const environment = new Environment()
  .registerVariable({
    name: 'action',
    schema: {
      type: 'string',
      operation: 'string',
      summary: 'string',
      justification: 'string',
      expectedOutcome: 'string',
      resource: 'string',
      dataClassification: 'string',
      dataCategories: 'list<string>',
      recordCount: 'int',
      destination: { system: 'string', external: 'bool' },
      amount: { value: 'double', currency: 'string' },
      payload: 'dyn',
      context: 'dyn',
    },
  })
  .registerVariable({ name: 'agent', schema: { name: 'string', tags: 'list<string>' } })
  .registerVariable({ name: 'risk', schema: { score: 'int', level: 'string' } })
  .registerOperator('double == int', (double: number, int: bigint) => double === Number(int));

interface CelErrorLike {
  readonly summary?: unknown;
  readonly message?: unknown;
  readonly range?: { readonly start: number };
}

/** Why a condition does not compile, and where in it (1-based column), or null when it does. */
export function checkCondition(source: string): { message: string; column?: number } | null {
  let failure: unknown;
  try {
    const program = environment.parse(source);
    const checked = program.check();
    if (checked.valid) {
      if (checked.type === 'bool' || checked.type === 'dyn') return null;
      return { message: `must be true or false, but gives a value of type ${checked.type}` };
    }
    failure = checked.error;
  } catch (error) {
    failure = error;
  }
  const details: CelErrorLike = typeof failure === 'object' && failure !== null ? failure : {};
  const message = typeof details.summary === 'string' ? details.summary : String(details.message ?? failure).split('\n')[0]!;
  const start = details.range?.start;
  return typeof start === 'number' ? { message, column: start + 1 } : { message };
}
