import { Environment, type ObjectSchema, type ParseResult } from '@marcbachmann/cel-js';
import type { RiskInput } from './risk/assess.js';
import type { RiskLevel } from './enums.js';

/**
 * What an agent submitted (DESIGN §2 step 1), as the server holds it: optional fields
 * may be null or undefined when absent.
 */
export interface SubmittedAction extends RiskInput {
  readonly summary?: string | null;
  readonly justification?: string | null;
  readonly expectedOutcome?: string | null;
  readonly resource?: string | null;
  readonly recordCount?: number | null;
  /** The exact arguments the action will run with (JSON). */
  readonly payload?: unknown;
  /** Free JSON: conversation, user on whose behalf, trace id. */
  readonly context?: unknown;
}

/**
 * The `action` variable of a condition. Optional fields are left out when absent, so
 * `has(action.amount)` tells whether an amount was given. Numbers have one CEL type
 * each, whatever their value: `recordCount` is an int, `amount.value` a double, and
 * numbers inside `payload` and `context` are doubles (as CEL reads JSON). CEL compares
 * ints and doubles with each other, so `action.amount.value > 1000` and
 * `action.recordCount > 500.0` both hold as a policy author expects.
 */
export interface CelAction {
  type: string;
  operation: string;
  summary?: string;
  justification?: string;
  expectedOutcome?: string;
  resource?: string;
  dataClassification?: string;
  /** Always present (empty when none were given), so `"PII" in action.dataCategories` never errors. */
  dataCategories: readonly string[];
  recordCount?: bigint;
  destination?: { system: string; external: boolean };
  amount?: { value: number; currency: string };
  payload?: unknown;
  context?: unknown;
}

export interface CelAgent {
  name: string;
  tags: readonly string[];
}

export interface CelRisk {
  score: bigint;
  level: RiskLevel;
}

/** Every variable a condition can read. Build it with {@link toCelVars}. */
export interface CelVars {
  action: CelAction;
  agent: CelAgent;
  risk: CelRisk;
}

/** The outcome of one evaluation. An error always comes with `value: false` (fail closed). */
export interface ConditionResult {
  readonly value: boolean;
  readonly error?: string;
}

/** A condition compiled once at apply time and evaluated on every submission. */
export interface CompiledCondition {
  readonly source: string;
  /** The value the condition has whatever the request (`true`, `1 == 2`), or undefined when it depends on it. */
  readonly constant: boolean | undefined;
  evaluate(vars: CelVars): ConditionResult;
}

/** A condition that does not compile; `message` ends with the position, e.g. `... at column 7`. */
export class ConditionError extends Error {
  override readonly name = 'ConditionError';

  constructor(
    /** What is wrong, without the position. */
    readonly summary: string,
    /** 1-based position in the source, when the CEL library gives one. */
    readonly position?: { readonly line: number; readonly column: number },
  ) {
    super(position ? `${summary} ${describePosition(position)}` : summary);
  }
}

// Typed variables let the checker reject a misspelt field (`action.amonut`) or a condition
// that is not true/false when the document is applied, rather than on some later request.
const ACTION_SCHEMA: ObjectSchema = {
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
};

// Building an environment is the expensive part of cel-js, so there is exactly one.
const environment = new Environment()
  .registerVariable({ name: 'action', schema: ACTION_SCHEMA, description: 'The submitted action' })
  .registerVariable({ name: 'agent', schema: { name: 'string', tags: 'list<string>' }, description: 'The submitting agent' })
  .registerVariable({ name: 'risk', schema: { score: 'int', level: 'string' }, description: 'The assessed risk' })
  // CEL orders ints and doubles against each other but will not compare them for equality;
  // a policy author writing `action.amount.value == 1000` means the number, not its type.
  // (The int == double direction is registered with it.)
  .registerOperator('double == int', (double: number, int: bigint) => double === Number(int));

const TRUE: ConditionResult = Object.freeze({ value: true });
const FALSE: ConditionResult = Object.freeze({ value: false });

/**
 * Compiles a CEL condition over `action`, `agent` and `risk`, type-checking it so that
 * mistakes surface when the document is applied. Evaluation never throws: an error (a
 * missing field, a type mismatch) or a non-boolean result counts as false and is
 * returned as text to note on the request.
 *
 * @throws {ConditionError} when the source does not parse or does not type-check.
 * @example
 * const bigPayment = compileCondition('has(action.amount) && action.amount.value > 1000000.0');
 * bigPayment.evaluate(vars); // { value: true } or { value: false, error?: '...' }
 */
export function compileCondition(source: string): CompiledCondition {
  const program = parseProgram(source);
  return {
    source,
    constant: constantValue(program),
    evaluate(vars: CelVars): ConditionResult {
      let value: unknown;
      try {
        value = program(vars);
      } catch (error) {
        return { value: false, error: errorSummary(error) };
      }
      if (value === true) return TRUE;
      if (value === false) return FALSE;
      return { value: false, error: `gave ${describeValue(value)} instead of true or false` };
    },
  };
}

function parseProgram(source: string): ParseResult {
  let program: ParseResult;
  try {
    program = environment.parse(source);
  } catch (error) {
    throw conditionError(source, error);
  }
  const checked = program.check();
  if (!checked.valid) throw conditionError(source, checked.error);
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new ConditionError(`must be true or false, but gives a value of type ${checked.type}`);
  }
  return program;
}

// A condition that yields a boolean with no variables at all cannot depend on the request
// (`true`, `1 == 2`, `false && action.x`); the linter uses this to find dead rules.
function constantValue(program: ParseResult): boolean | undefined {
  try {
    const value: unknown = program({});
    return typeof value === 'boolean' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the `action` variable from what the agent submitted, leaving absent fields out. */
export function toCelAction(input: SubmittedAction): CelAction {
  const action: CelAction = { type: input.type, operation: input.operation, dataCategories: [...(input.dataCategories ?? [])] };
  if (isPresent(input.summary)) action.summary = input.summary;
  if (isPresent(input.justification)) action.justification = input.justification;
  if (isPresent(input.expectedOutcome)) action.expectedOutcome = input.expectedOutcome;
  if (isPresent(input.resource)) action.resource = input.resource;
  if (isPresent(input.dataClassification)) action.dataClassification = input.dataClassification;
  // A fractional count is rounded up: with records, erring high fails closed.
  if (isPresent(input.recordCount) && Number.isFinite(input.recordCount)) action.recordCount = BigInt(Math.ceil(input.recordCount));
  if (isPresent(input.destination)) action.destination = { system: input.destination.system, external: input.destination.external };
  if (isPresent(input.amount)) action.amount = { value: Number(input.amount.value), currency: input.amount.currency };
  if (isPresent(input.payload)) action.payload = input.payload;
  if (isPresent(input.context)) action.context = input.context;
  return action;
}

/**
 * Builds every variable a condition can read. Pass the risk as it should be seen: the
 * assessed one for policies, and the level after the policy's adjustments for routes.
 *
 * @example
 * const vars = toCelVars(input, { name: agent.name, tags: agent.tags }, assessment);
 */
export function toCelVars(
  action: SubmittedAction,
  agent: { readonly name: string; readonly tags?: readonly string[] | null },
  risk: { readonly score: number; readonly level: RiskLevel },
): CelVars {
  return {
    action: toCelAction(action),
    agent: { name: agent.name, tags: [...(agent.tags ?? [])] },
    risk: { score: BigInt(Math.round(risk.score)), level: risk.level },
  };
}

function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

interface CelErrorLike {
  readonly summary?: unknown;
  readonly message?: unknown;
  readonly range?: { readonly start: number } | undefined;
}

function conditionError(source: string, error: unknown): ConditionError {
  const details: CelErrorLike = typeof error === 'object' && error !== null ? error : {};
  const start = details.range?.start;
  return new ConditionError(errorSummary(error), typeof start === 'number' ? positionAt(source, start) : undefined);
}

// The library's `message` carries a multi-line source excerpt; the one-line `summary` suits notes.
function errorSummary(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { summary, message } = error as CelErrorLike;
    if (typeof summary === 'string') return summary;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

function positionAt(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function describePosition({ line, column }: { readonly line: number; readonly column: number }): string {
  return line === 1 ? `at column ${column}` : `at line ${line}, column ${column}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `the int ${value}`;
  if (typeof value === 'number') return `the double ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
