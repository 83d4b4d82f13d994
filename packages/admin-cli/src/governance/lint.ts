import { LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { checkCondition } from './cel.js';

export type Severity = 'error' | 'warning';

/** One finding, located in the file so an editor can jump to it. */
export interface Problem {
  readonly severity: Severity;
  /** Where in the document, e.g. `policies[2].match` (`policies[payments].match` when named). */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface LintReport {
  readonly problems: readonly Problem[];
  /** How many of each section the document defines, for the summary line. */
  readonly counts: { readonly policies: number; readonly escalationChains: number; readonly routes: number };
}

type Path = readonly (string | number)[];

const TOP_LEVEL = ['version', 'riskModel', 'policies', 'escalationChains', 'routes'];
const OPERATIONS = ['READ', 'WRITE', 'DELETE', 'EXECUTE'];
const CLASSIFICATIONS = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'];
const LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const MODES = ['AUTO', 'ASYNC_REVIEW', 'SYNC_APPROVAL', 'BLOCK'];
const BEHAVIOUR = ['newActionType', 'rateSpike', 'unusualAmount', 'recentDenials'];
/** Where levels start when the document does not say (DESIGN §3). */
const DEFAULT_LEVELS = { MEDIUM: 30, HIGH: 60, CRITICAL: 85 } as const;
/** As the server reads them (packages/server/src/governance/duration.ts). */
const DURATION = /^\d+[smhd]?$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * Checks a governance document offline with the rules the server applies
 * (packages/server/src/governance/document.ts): YAML syntax, strict keys (a misspelt key
 * is an error, not a rule that silently never applies), types and ranges, level and mode
 * names, durations, CEL conditions parsed and type-checked, names unique, every route's
 * chain defined. What needs the server's data (roles nobody holds, quorums larger than a
 * level) is left to its dry run. Errors are what the server would refuse; warnings are
 * what it accepts but is probably a mistake. A test runs both on the same documents, so
 * the two cannot drift apart unnoticed.
 */
export function lintGovernance(text: string): LintReport {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const counts = { policies: 0, escalationChains: 0, routes: 0 };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error): Problem => {
      const position = error.linePos?.[0];
      return { severity: 'error', path: '', message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), line: position?.line, column: position?.col };
    });
    return { problems, counts };
  }
  const checker = new Checker(doc, lines);
  const root: unknown = doc.toJS();
  if (!isObject(root)) {
    checker.error([], 'the document must be a mapping with riskModel, policies, escalationChains and routes');
    return { problems: checker.problems, counts };
  }
  checker.document(root);
  return {
    problems: checker.problems,
    counts: {
      policies: Array.isArray(root.policies) ? root.policies.length : 0,
      escalationChains: Array.isArray(root.escalationChains) ? root.escalationChains.length : 0,
      routes: Array.isArray(root.routes) ? root.routes.length : 0,
    },
  };
}

class Checker {
  readonly problems: Problem[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  error(path: Path, message: string, column?: number): void {
    this.add('error', path, message, column);
  }

  warn(path: Path, message: string): void {
    this.add('warning', path, message);
  }

  document(root: Obj): void {
    this.keys([], root, TOP_LEVEL);
    if (root.version !== 1) this.error(['version'], root.version === undefined ? 'version: 1 is required (the document format)' : 'version must be 1');
    if (root.riskModel !== undefined) this.riskModel(root.riskModel);
    const policies = this.list(root, 'policies');
    const chains = this.list(root, 'escalationChains');
    const routes = this.list(root, 'routes');
    this.uniqueNames('policies', policies);
    this.uniqueNames('escalationChains', chains);
    this.uniqueNames('routes', routes);
    policies.forEach((policy, i) => this.policy(['policies', i], policy));
    chains.forEach((chain, i) => this.chain(['escalationChains', i], chain));
    const chainNames = new Set(chains.filter(isObject).map((chain) => chain.name).filter(isText));
    routes.forEach((route, i) => this.route(['routes', i], route, chainNames));
    if (!routes.some((route) => isObject(route) && isAlwaysTrue(route.when))) {
      this.warn(['routes'], "no catch-all route (when: 'true'): requests that match no route are DENIED with NO_ROUTE");
    }
  }

  private list(root: Obj, key: string): Json[] {
    const value = root[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error([key], `${key} must be a list`);
      return [];
    }
    return value;
  }

  private riskModel(model: Json): void {
    const path = ['riskModel'];
    if (!isObject(model)) return this.error(path, 'riskModel must be a mapping');
    this.keys(path, model, ['operation', 'classification', 'externalDestination', 'dataCategories', 'amount', 'behaviour', 'levels']);
    this.pointsTable([...path, 'operation'], model.operation, OPERATIONS);
    this.pointsTable([...path, 'classification'], model.classification, CLASSIFICATIONS);
    this.pointsTable([...path, 'dataCategories'], model.dataCategories, undefined, true);
    this.pointsTable([...path, 'behaviour'], model.behaviour, BEHAVIOUR);
    if (model.externalDestination !== undefined) this.points([...path, 'externalDestination'], model.externalDestination);
    if (model.amount !== undefined) {
      if (!Array.isArray(model.amount)) {
        this.error([...path, 'amount'], 'amount must be a list of { over, points } bands');
      } else {
        model.amount.forEach((band, i) => {
          const at = [...path, 'amount', i];
          if (!isObject(band) || !isNumber(band.over) || band.over < 0 || band.points === undefined) {
            return this.error(at, 'each amount band needs `over` (a number of zero or more) and `points`');
          }
          this.keys(at, band, ['over', 'points']);
          this.points([...at, 'points'], band.points);
          const previous = (model.amount as Json[])[i - 1];
          if (isObject(previous) && isNumber(previous.over) && band.over <= previous.over) {
            this.error([...at, 'over'], `must be above the band before it (${previous.over}): list bands from lowest to highest`);
          }
        });
      }
    }
    if (model.levels !== undefined) {
      const levels = model.levels;
      const at = [...path, 'levels'];
      if (!isObject(levels)) return this.error(at, 'levels must map MEDIUM, HIGH and CRITICAL to the score where each starts');
      for (const [key, value] of Object.entries(levels)) {
        if (!['MEDIUM', 'HIGH', 'CRITICAL'].includes(key)) this.error([...at, key], `unknown key "${key}" (expected MEDIUM, HIGH, CRITICAL: LOW is everything below MEDIUM)`);
        else if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 100) this.error([...at, key], `${key} must be a whole score from 1 to 100`);
      }
      // Levels left out keep the defaults, and must still rise with the ones given.
      const { MEDIUM = DEFAULT_LEVELS.MEDIUM, HIGH = DEFAULT_LEVELS.HIGH, CRITICAL = DEFAULT_LEVELS.CRITICAL } = levels;
      if (isNumber(MEDIUM) && isNumber(HIGH) && isNumber(CRITICAL) && !(MEDIUM < HIGH && HIGH < CRITICAL)) {
        this.error(at, `thresholds must rise from MEDIUM to HIGH to CRITICAL, but are ${MEDIUM}, ${HIGH}, ${CRITICAL}`);
      }
    }
  }

  private pointsTable(path: Path, table: Json | undefined, keys: readonly string[] | undefined, caseInsensitive = false): void {
    if (table === undefined) return;
    if (!isObject(table)) return this.error(path, `${String(path.at(-1))} must map names to points`);
    if (keys) this.keys(path, table, keys);
    const seen = new Map<string, string>();
    for (const [key, value] of Object.entries(table)) {
      this.points([...path, key], value);
      if (caseInsensitive) {
        // Agents' categories are matched ignoring case, so `pii` and `PII` would be one category twice.
        const first = seen.get(key.toUpperCase());
        if (first === undefined) seen.set(key.toUpperCase(), key);
        else this.error([...path, key], `is the same category as ${first} (categories ignore case)`);
      }
    }
  }

  private points(path: Path, value: Json | undefined): void {
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 100) this.error(path, 'points must be a whole number from 0 to 100');
  }

  /** Objects are strict, as on the server: an unknown key is a typo until proven otherwise. */
  private keys(path: Path, object: Obj, allowed: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) this.error([...path, key], `unknown key "${key}" (expected ${allowed.join(', ')})`);
    }
  }

  private uniqueNames(section: string, items: Json[]): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      if (!isObject(item)) return;
      if (!isText(item.name)) return this.error([section, i], 'every entry needs a name');
      const first = seen.get(item.name);
      if (first !== undefined) this.error([section, i, 'name'], `"${item.name}" is already the name of ${section}[${first}]`);
      else seen.set(item.name, i);
    });
  }

  private condition(path: Path, value: Json | undefined, required: boolean): void {
    if (value === undefined || value === null) {
      if (required) this.error(path, `${String(path.at(-1))} needs a CEL condition (use 'true' to match everything)`);
      return;
    }
    if (typeof value === 'boolean') return this.error(path, `a condition must be a CEL expression in a string: quote it ('${value}')`);
    if (!isText(value)) return this.error(path, 'a condition must be a CEL expression in a string');
    const failure = checkCondition(value);
    if (failure) this.error(path, `invalid CEL: ${failure.message}`, failure.column);
  }

  private priority(path: Path, value: Json | undefined): void {
    if (value !== undefined && !Number.isInteger(value)) this.error(path, 'priority must be a whole number (higher is tried first)');
  }

  private policy(path: Path, policy: Json): void {
    if (!isObject(policy)) return this.error(path, 'a policy must be a mapping');
    this.keys(path, policy, ['name', 'description', 'priority', 'match', 'modes', 'adjust', 'consequences']);
    this.priority([...path, 'priority'], policy.priority);
    this.condition([...path, 'match'], policy.match, true);
    if (policy.modes !== undefined) {
      if (!isObject(policy.modes)) {
        this.error([...path, 'modes'], 'modes must map levels (LOW, MEDIUM, HIGH, CRITICAL) to modes');
      } else {
        for (const [level, mode] of Object.entries(policy.modes)) {
          if (!LEVELS.includes(level)) this.error([...path, 'modes', level], `unknown key "${level}" (expected ${LEVELS.join(', ')})`);
          else if (typeof mode !== 'string' || !MODES.includes(mode)) this.error([...path, 'modes', level], `"${String(mode)}" is not a mode (${MODES.join(', ')})`);
        }
      }
    }
    if (policy.adjust !== undefined) {
      if (!Array.isArray(policy.adjust)) return this.error([...path, 'adjust'], 'adjust must be a list of rules');
      policy.adjust.forEach((rule, i) => this.adjustRule([...path, 'adjust', i], rule));
    }
    if (policy.consequences !== undefined) {
      const consequences = policy.consequences;
      if (!isObject(consequences)) {
        this.error([...path, 'consequences'], 'consequences must have `approve` and/or `deny` sentences');
      } else {
        this.keys([...path, 'consequences'], consequences, ['approve', 'deny']);
        for (const key of ['approve', 'deny'] as const) {
          if (consequences[key] !== undefined && !isText(consequences[key])) this.error([...path, 'consequences', key], `${key} must be a sentence`);
        }
      }
    }
  }

  private adjustRule(path: Path, rule: Json): void {
    if (!isObject(rule)) return this.error(path, 'an adjust rule must be a mapping with `when`');
    this.keys(path, rule, ['when', 'level', 'mode', 'requiredApprovals']);
    this.condition([...path, 'when'], rule.when, true);
    if (rule.level !== undefined && (typeof rule.level !== 'string' || !LEVELS.includes(rule.level))) {
      this.error([...path, 'level'], `"${String(rule.level)}" is not a level (${LEVELS.join(', ')})`);
    }
    if (rule.mode !== undefined && (typeof rule.mode !== 'string' || !MODES.includes(rule.mode))) {
      this.error([...path, 'mode'], `"${String(rule.mode)}" is not a mode (${MODES.join(', ')})`);
    }
    if (rule.requiredApprovals !== undefined && !(Number.isInteger(rule.requiredApprovals) && (rule.requiredApprovals as number) >= 1)) {
      this.error([...path, 'requiredApprovals'], 'requiredApprovals must be a whole number of 1 or more');
    }
    if (rule.level === undefined && rule.mode === undefined && rule.requiredApprovals === undefined) {
      this.error(path, 'needs at least one effect: level, mode or requiredApprovals');
    }
  }

  private chain(path: Path, chain: Json): void {
    if (!isObject(chain)) return this.error(path, 'an escalation chain must be a mapping with name and levels');
    this.keys(path, chain, ['name', 'levels', 'repeat']);
    if (chain.repeat !== undefined && !(Number.isInteger(chain.repeat) && (chain.repeat as number) >= 0)) {
      this.error([...path, 'repeat'], 'repeat must be a whole number of 0 or more (extra passes over the chain)');
    }
    const levels = chain.levels;
    if (!Array.isArray(levels) || levels.length === 0) return this.error([...path, 'levels'], 'a chain needs at least one level');
    levels.forEach((level, i) => {
      const at = [...path, 'levels', i];
      if (!isObject(level)) return this.error(at, 'a level must be a mapping with approvers and timeout');
      this.keys(at, level, ['approvers', 'timeout', 'requiredApprovals']);
      if (level.requiredApprovals !== undefined && !(Number.isInteger(level.requiredApprovals) && (level.requiredApprovals as number) >= 1)) {
        this.error([...at, 'requiredApprovals'], 'requiredApprovals must be a whole number of 1 or more');
      }
      this.timeout([...at, 'timeout'], level.timeout);
      const approvers = level.approvers;
      if (!isObject(approvers)) return this.error([...at, 'approvers'], 'a level needs approvers: { role }, { roles: [...] } or { names: [...] }');
      this.keys([...at, 'approvers'], approvers, ['role', 'roles', 'names']);
      const { role, roles, names } = approvers;
      if (role !== undefined && !isText(role)) this.error([...at, 'approvers', 'role'], 'role must be a role name');
      for (const [key, value] of [['roles', roles], ['names', names]] as const) {
        if (value !== undefined && !(Array.isArray(value) && value.every(isText))) this.error([...at, 'approvers', key], `${key} must be a list of names`);
      }
      const listed = (value: Json | undefined) => Array.isArray(value) && value.length > 0;
      if (role === undefined && !listed(roles) && !listed(names)) {
        this.error([...at, 'approvers'], 'needs at least one of role, roles or names');
      }
    });
  }

  private timeout(path: Path, timeout: Json | undefined): void {
    if (timeout === undefined) return this.error(path, 'a level needs a timeout (30s, 15m, 2h, 1d or seconds)');
    const valid =
      (typeof timeout === 'number' && Number.isSafeInteger(timeout) && timeout > 0) ||
      (typeof timeout === 'string' && DURATION.test(timeout.trim()) && Number.parseInt(timeout, 10) > 0);
    if (!valid) this.error(path, `"${String(timeout)}" is not a duration (use 30s, 15m, 2h, 1d or seconds)`);
  }

  private route(path: Path, route: Json, chains: ReadonlySet<string>): void {
    if (!isObject(route)) return this.error(path, 'a route must be a mapping with name, when and chain');
    this.keys(path, route, ['name', 'priority', 'when', 'chain']);
    this.priority([...path, 'priority'], route.priority);
    this.condition([...path, 'when'], route.when, true);
    if (!isText(route.chain)) this.error([...path, 'chain'], 'a route needs the name of an escalation chain');
    else if (!chains.has(route.chain)) {
      const known = [...chains];
      this.error([...path, 'chain'], `no escalation chain named "${route.chain}"${known.length > 0 ? ` (defined: ${known.join(', ')})` : ''}`);
    }
  }

  private add(severity: Severity, path: Path, message: string, column?: number): void {
    const node = this.nodeAt(path);
    const position = node?.range ? this.lines.linePos(node.range[0]) : undefined;
    this.problems.push({
      severity,
      path: this.describe(path),
      message,
      line: position?.line,
      // A condition's column counts from the expression; add where the scalar starts (+1 for a quote).
      column: position ? (column !== undefined ? position.col + column - 1 + (isQuoted(node) ? 1 : 0) : position.col) : undefined,
    });
  }

  /** The deepest node that exists on the path, so a missing key points at its parent. */
  private nodeAt(path: Path): Node | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (node && typeof node === 'object' && 'range' in node) return node as Node;
    }
    return undefined;
  }

  /** `policies[payments].match` reads better than `policies[2].match` when the entry has a name. */
  private describe(path: Path): string {
    let out = '';
    path.forEach((part, i) => {
      if (typeof part === 'number') {
        const name: unknown = this.doc.getIn([...path.slice(0, i + 1), 'name']);
        out += `[${typeof name === 'string' && path[i - 1] !== 'amount' && path[i - 1] !== 'levels' && path[i - 1] !== 'adjust' ? name : part}]`;
      } else {
        out += out === '' ? part : `.${part}`;
      }
    });
    return out;
  }
}

function isAlwaysTrue(condition: Json | undefined): boolean {
  return typeof condition === 'string' && condition.trim() === 'true';
}

function isQuoted(node: Node | undefined): boolean {
  return Boolean(node && 'type' in node && (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE'));
}
