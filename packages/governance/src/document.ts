import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DEFAULT_RISK_MODEL, type RiskModel } from './risk/model.js';
import { Mode, RiskLevel, assertNever } from './enums.js';
import { ConditionError, compileCondition, type CompiledCondition } from './cel.js';
import { parseDuration } from './duration.js';

export { DEFAULT_RISK_MODEL, type RiskModel };

/** One thing wrong with a document, and where: `path` is like `policies[2].adjust[0].when` ('' for the whole text). */
export interface GovernanceIssue {
  readonly path: string;
  readonly message: string;
  /**
   * Set when the value at `path` is a CEL condition that does not compile: what is wrong
   * without the position, and where in the condition's text (1-based), so a tool that
   * knows where the condition sits in a file can point at the very character.
   */
  readonly condition?: { readonly summary: string; readonly position?: { readonly line: number; readonly column: number } };
}

/** What a request costs when approved or denied, shown to the approver. */
export interface Consequences {
  readonly approve?: string;
  readonly deny?: string;
}

/** One rule that tunes a policy's outcome when its condition holds. */
export interface PolicyAdjustment {
  readonly when: string;
  /** Raises the level to this one (never lowers it). */
  readonly level?: RiskLevel;
  /** Forces this mode; BLOCK wins over any other. */
  readonly mode?: Mode;
  /** Needs this many distinct approvers (the highest asked for wins). */
  readonly requiredApprovals?: number;
}

export interface Policy {
  readonly name: string;
  readonly description?: string;
  /** Higher is tried first; equal priorities keep document order. */
  readonly priority: number;
  readonly match: string;
  /** The mode for each level, with the defaults filled in for levels the document left out. */
  readonly modes: Readonly<Record<RiskLevel, Mode>>;
  readonly adjust: readonly PolicyAdjustment[];
  readonly consequences?: Consequences;
  /** Standing approvals (DESIGN §12); absent: none under this policy. */
  readonly grants?: GrantsPolicy;
  /** Whether an agent may break glass on this policy's requests (DESIGN §12); absent: it may not. */
  readonly breakGlass?: BreakGlassPolicy;
}

/** A policy's `grants` block: whether grants may cover its requests, for how long at most, up to which level. */
export interface GrantsPolicy {
  readonly allowed: boolean;
  /** Seconds a grant may last at most (default 24h). */
  readonly maxTtl: number;
  /** The highest level a grant may cover (default HIGH; CRITICAL never). */
  readonly maxLevel: RiskLevel;
}

/**
 * Break-glass on a policy (DESIGN §12): a request that would wait for approval may, with a
 * justification, be approved at once and reviewed afterwards, at most `maxPerDay` times per
 * agent and UTC day.
 */
export interface BreakGlassPolicy {
  readonly allowed: boolean;
  /** Uses per agent and UTC day; a whole number from 1. */
  readonly maxPerDay: number;
}

/** Who may decide at a level: anyone holding one of `roles`, and the approvers named in `names`. */
export interface ApproverSelector {
  readonly roles: readonly string[];
  readonly names: readonly string[];
}

export interface EscalationLevel {
  readonly approvers: ApproverSelector;
  /** Seconds before the request moves to the next level (or expires after the last). */
  readonly timeout: number;
  readonly requiredApprovals: number;
}

export interface EscalationChain {
  readonly name: string;
  readonly levels: readonly EscalationLevel[];
  /** How many extra times the whole chain runs before the request expires (0: once). */
  readonly repeat: number;
}

export interface Route {
  readonly name: string;
  readonly priority: number;
  readonly when: string;
  readonly chain: string;
}

/**
 * A validated governance document (DESIGN §3) in normal form: defaults filled in,
 * durations in seconds, approvers as lists. Two documents that mean the same thing
 * are equal, so diffs show only real changes.
 */
export interface GovernanceDocument {
  readonly version: 1;
  readonly riskModel: RiskModel;
  readonly policies: readonly Policy[];
  readonly escalationChains: readonly EscalationChain[];
  readonly routes: readonly Route[];
}

export interface CompiledAdjustment extends Omit<PolicyAdjustment, 'when'> {
  /** Position in the policy's `adjust` list, to name the rule in notes. */
  readonly index: number;
  readonly when: CompiledCondition;
}

export interface CompiledPolicy extends Omit<Policy, 'match' | 'adjust'> {
  readonly match: CompiledCondition;
  readonly adjust: readonly CompiledAdjustment[];
}

export interface CompiledRoute extends Omit<Route, 'when'> {
  readonly when: CompiledCondition;
}

/** A document ready for the hot path: conditions compiled, policies and routes in the order they are tried. */
export interface CompiledGovernance {
  readonly document: GovernanceDocument;
  readonly riskModel: RiskModel;
  readonly policies: readonly CompiledPolicy[];
  readonly routes: readonly CompiledRoute[];
  readonly chains: ReadonlyMap<string, EscalationChain>;
}

export type ParseGovernanceResult =
  | { readonly ok: true; readonly document: GovernanceDocument; readonly compiled: CompiledGovernance }
  | { readonly ok: false; readonly errors: readonly GovernanceIssue[] };

/** The mode for a level when no policy (or no `modes` entry) says otherwise (DESIGN §2 step 3). */
export function defaultModeFor(level: RiskLevel): Mode {
  switch (level) {
    case RiskLevel.LOW:
      return Mode.AUTO;
    case RiskLevel.MEDIUM:
      return Mode.ASYNC_REVIEW;
    case RiskLevel.HIGH:
    case RiskLevel.CRITICAL:
      return Mode.SYNC_APPROVAL;
    default:
      return assertNever(level);
  }
}

// ---------------------------------------------------------------------------------------
// Schema. Objects are strict so that a misspelt key is an error rather than a rule that
// silently never applies.

const name = z.string().min(1);
const priority = z.number().int().default(0);
const approvals = z.number().int().min(1);
const points = z.number().int().min(0).max(100);
const threshold = z.number().int().min(1).max(100);
const mode = z.enum(Mode);
const level = z.enum(RiskLevel);

// Conditions are compiled here only to report errors with their path; compileGovernance
// compiles them again for evaluation. That costs microseconds at apply time and keeps one
// way from a (stored) document to evaluators.
const condition = z.string().superRefine((source, ctx) => {
  try {
    compileCondition(source);
  } catch (error) {
    if (!(error instanceof ConditionError)) throw error;
    const detail: GovernanceIssue['condition'] = error.position ? { summary: error.summary, position: error.position } : { summary: error.summary };
    ctx.addIssue({ code: 'custom', message: error.message, params: { condition: detail } });
  }
});

const duration = z
  .union([z.string(), z.number()], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a duration such as 30s, 15m or 2h') })
  .transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  });

const defaults = DEFAULT_RISK_MODEL;

const amountBands = z
  .array(z.strictObject({ over: z.number().min(0), points }))
  .superRefine((bands, ctx) => {
    bands.forEach((band, i) => {
      const previous = bands[i - 1];
      if (previous && band.over <= previous.over) {
        ctx.addIssue({ code: 'custom', path: [i, 'over'], message: `must be above the band before it (${previous.over}): list bands from lowest to highest` });
      }
    });
  })
  .default(() => defaults.amount.map((band) => ({ ...band })));

const levelThresholds = z
  .strictObject({
    MEDIUM: threshold.default(defaults.levels.MEDIUM),
    HIGH: threshold.default(defaults.levels.HIGH),
    CRITICAL: threshold.default(defaults.levels.CRITICAL),
  })
  .superRefine(({ MEDIUM, HIGH, CRITICAL }, ctx) => {
    if (MEDIUM < HIGH && HIGH < CRITICAL) return;
    ctx.addIssue({ code: 'custom', message: `must increase from MEDIUM to HIGH to CRITICAL, but are MEDIUM ${MEDIUM}, HIGH ${HIGH}, CRITICAL ${CRITICAL}` });
  })
  .prefault({});

// Agents' categories are matched case-insensitively, so `pii` and `PII` would be one category twice.
const dataCategoryPoints = z
  .record(z.string().min(1), points)
  .superRefine((categories, ctx) => {
    const seen = new Map<string, string>();
    for (const category of Object.keys(categories)) {
      const first = seen.get(category.toUpperCase());
      if (first === undefined) seen.set(category.toUpperCase(), category);
      else ctx.addIssue({ code: 'custom', path: [category], message: `is the same category as ${first} (categories ignore case)` });
    }
  })
  .default(() => ({ ...defaults.dataCategories }));

// Maps over closed sets (operations, levels) merge with the defaults key by key; the open
// set of data categories is replaced whole, so a document can drop a default category.
const riskModel = z
  .strictObject({
    operation: z
      .strictObject({
        READ: points.default(defaults.operation.READ),
        WRITE: points.default(defaults.operation.WRITE),
        DELETE: points.default(defaults.operation.DELETE),
        EXECUTE: points.default(defaults.operation.EXECUTE),
      })
      .prefault({}),
    classification: z
      .strictObject({
        PUBLIC: points.default(defaults.classification.PUBLIC),
        INTERNAL: points.default(defaults.classification.INTERNAL),
        CONFIDENTIAL: points.default(defaults.classification.CONFIDENTIAL),
        RESTRICTED: points.default(defaults.classification.RESTRICTED),
      })
      .prefault({}),
    externalDestination: points.default(defaults.externalDestination),
    dataCategories: dataCategoryPoints,
    amount: amountBands,
    behaviour: z
      .strictObject({
        newActionType: points.default(defaults.behaviour.newActionType),
        rateSpike: points.default(defaults.behaviour.rateSpike),
        unusualAmount: points.default(defaults.behaviour.unusualAmount),
        recentDenials: points.default(defaults.behaviour.recentDenials),
      })
      .prefault({}),
    levels: levelThresholds,
  })
  .prefault({});

const modes = z
  .strictObject({ LOW: mode.optional(), MEDIUM: mode.optional(), HIGH: mode.optional(), CRITICAL: mode.optional() })
  .transform((given): Record<RiskLevel, Mode> => ({
    LOW: given.LOW ?? defaultModeFor(RiskLevel.LOW),
    MEDIUM: given.MEDIUM ?? defaultModeFor(RiskLevel.MEDIUM),
    HIGH: given.HIGH ?? defaultModeFor(RiskLevel.HIGH),
    CRITICAL: given.CRITICAL ?? defaultModeFor(RiskLevel.CRITICAL),
  }))
  .prefault({});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const adjustment = z
  .strictObject({ when: condition, level: level.optional(), mode: mode.optional(), requiredApprovals: approvals.optional() })
  // Checked even when a sibling field is wrong, so one pass reports every mistake.
  .refine((rule) => rule.level !== undefined || rule.mode !== undefined || rule.requiredApprovals !== undefined, {
    message: 'needs at least one effect: level, mode or requiredApprovals',
    when: (payload) => isObject(payload.value),
  });

const grantsBlock = z.strictObject({
  allowed: z.boolean(),
  maxTtl: duration.default(86_400),
  maxLevel: level
    .refine((l) => l !== RiskLevel.CRITICAL, { message: 'must be LOW, MEDIUM or HIGH: a CRITICAL request is never granted' })
    .default(RiskLevel.HIGH),
});

const policy = z.strictObject({
  name,
  description: z.string().optional(),
  priority,
  match: condition,
  modes,
  adjust: z.array(adjustment).default([]),
  consequences: z.strictObject({ approve: z.string().min(1).optional(), deny: z.string().min(1).optional() }).optional(),
  grants: grantsBlock.optional(),
  breakGlass: z.strictObject({ allowed: z.boolean(), maxPerDay: z.number().int().min(1).default(1) }).optional(),
});

const approverSelector = z
  .strictObject({ role: name.optional(), roles: z.array(name).optional(), names: z.array(name).optional() })
  .refine((who) => who.role !== undefined || (who.roles?.length ?? 0) > 0 || (who.names?.length ?? 0) > 0, {
    message: 'needs at least one of role, roles or names',
  })
  .transform((who): ApproverSelector => ({
    roles: [...new Set([...(who.role === undefined ? [] : [who.role]), ...(who.roles ?? [])])],
    names: [...new Set(who.names ?? [])],
  }));

const escalationChain = z.strictObject({
  name,
  levels: z.array(z.strictObject({ approvers: approverSelector, timeout: duration, requiredApprovals: approvals.default(1) })).min(1),
  repeat: z.number().int().min(0).default(0),
});

const route = z.strictObject({ name, priority, when: condition, chain: name });

const governanceSchema = z.strictObject({
  version: z.literal(1),
  riskModel,
  policies: z.array(policy).default([]),
  escalationChains: z.array(escalationChain).default([]),
  routes: z.array(route).default([]),
}) satisfies z.ZodType<GovernanceDocument>;

// ---------------------------------------------------------------------------------------

/**
 * Reads a governance document (YAML or JSON) and validates it whole: shape, defaults,
 * durations, every CEL condition compiled, every chain a route names defined. All
 * mistakes are reported at once, each with its path, so an admin fixes them in one go.
 *
 * @example
 * const result = parseGovernance(text);
 * if (!result.ok) throw AppError.badInput(result.errors.map(formatGovernanceIssue).join('\n'));
 */
export function parseGovernance(text: string): ParseGovernanceResult {
  const read = readText(text);
  if (!read.ok) return read;
  const parsed = governanceSchema.safeParse(read.value, { error: issueMessage });
  const errors = [...(parsed.success ? [] : zodIssues(parsed.error)), ...crossReferenceIssues(read.value)];
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  return { ok: true, document: parsed.data, compiled: compileGovernance(parsed.data) };
}

/**
 * Prepares a validated document for evaluation. Documents stored by `parseGovernance`
 * always compile; one from anywhere else may throw {@link ConditionError}.
 */
export function compileGovernance(document: GovernanceDocument): CompiledGovernance {
  return {
    document,
    riskModel: document.riskModel,
    policies: inEvaluationOrder(document.policies).map((policy) => ({
      ...policy,
      match: compileCondition(policy.match),
      adjust: policy.adjust.map((rule, index) => ({ ...rule, index, when: compileCondition(rule.when) })),
    })),
    routes: inEvaluationOrder(document.routes).map((route) => ({ ...route, when: compileCondition(route.when) })),
    chains: new Map(document.escalationChains.map((chain) => [chain.name, chain])),
  };
}

/** Higher priority first; equal priorities keep document order (the sort is stable). */
export function inEvaluationOrder<T extends { readonly priority: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.priority - a.priority);
}

/** `path: message`, or just the message for an issue with the whole text. */
export function formatGovernanceIssue(issue: GovernanceIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

function readText(text: string): { ok: true; value: unknown } | { ok: false; errors: GovernanceIssue[] } {
  const yaml = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (yaml.errors.length > 0) {
    // The first line says what and where ("... at line 3, column 5"); the rest is an excerpt.
    return { ok: false, errors: yaml.errors.map((error) => ({ path: '', message: `not valid YAML or JSON: ${firstLine(error.message)}` })) };
  }
  const value: unknown = yaml.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) {
    return { ok: false, errors: [{ path: '', message: 'the document is empty; it needs at least `version: 1`' }] };
  }
  return { ok: true, value };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/:$/, '');
}

function zodIssues(error: z.ZodError): GovernanceIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: issue.message }));
    const path = formatPath(issue.path);
    const message = path ? issue.message : `the document ${issue.message}`;
    const condition = issue.code === 'custom' ? (issue.params?.condition as GovernanceIssue['condition']) : undefined;
    return [condition ? { path, message, condition } : { path, message }];
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const text = String(key);
    if (!/^[A-Za-z_$][\w$-]*$/.test(text)) return `${out}[${JSON.stringify(text)}]`;
    return out ? `${out}.${text}` : text;
  }, '');
}

const issueMessage: z.core.$ZodErrorMap = (issue) => {
  const missing = issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'invalid_value';
  if (missing && issue.input === undefined) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${describeExpected(issue.expected)}, not ${describeInput(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of ${issue.values.join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} ${issue.minimum === 1 ? 'entry' : 'entries'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    case 'unrecognized_keys': {
      const known = knownFields(issue.inst);
      return known.length > 0 ? `is not a known field (expected ${known.join(', ')})` : 'is not a known field';
    }
    default:
      return undefined;
  }
};

function knownFields(schema: unknown): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    default:
      return `a ${expected}`;
  }
}

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'number' && !Number.isInteger(input)) return String(input);
  return `${typeof input === 'string' ? 'text' : typeof input} ${JSON.stringify(input)}`;
}

// Checks that span entries (unique names, routes naming a defined chain). They read the raw
// value defensively so that they report even when other parts of the document are invalid.
function crossReferenceIssues(raw: unknown): GovernanceIssue[] {
  const document = isObject(raw) ? raw : {};
  const policies = listAt(document, 'policies');
  const chains = listAt(document, 'escalationChains');
  const routes = listAt(document, 'routes');
  const chainNames = new Set(chains.map(nameOf).filter((chain): chain is string => chain !== undefined));
  const issues = [
    ...duplicateNames(policies, 'policies'),
    ...duplicateNames(chains, 'escalationChains'),
    ...duplicateNames(routes, 'routes'),
  ];
  routes.forEach((route, i) => {
    const chain = isObject(route) ? route.chain : undefined;
    if (typeof chain !== 'string' || chain === '' || chainNames.has(chain)) return;
    const defined = chainNames.size > 0 ? ` (defined: ${[...chainNames].join(', ')})` : '';
    issues.push({ path: `routes[${i}].chain`, message: `no escalation chain named "${chain}"${defined}` });
  });
  return issues;
}

function listAt(document: Record<string, unknown>, key: string): unknown[] {
  const value = document[key];
  return Array.isArray(value) ? value : [];
}

function nameOf(entry: unknown): string | undefined {
  return isObject(entry) && typeof entry.name === 'string' && entry.name !== '' ? entry.name : undefined;
}

function duplicateNames(entries: unknown[], key: string): GovernanceIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: GovernanceIssue[] = [];
  entries.forEach((entry, i) => {
    const entryName = nameOf(entry);
    if (entryName === undefined) return;
    const first = firstIndex.get(entryName);
    if (first === undefined) firstIndex.set(entryName, i);
    else issues.push({ path: `${key}[${i}].name`, message: `"${entryName}" is already the name of ${key}[${first}]; names must be unique` });
  });
  return issues;
}
