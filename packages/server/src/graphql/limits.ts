import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type FieldNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { AppError, ErrorCode } from '../errors.js';
import type { LimitsConfig } from '../config.js';
import { DEFAULT_PAGE_SIZE } from '../db/paging.js';

/** The bounds every operation is held to, over HTTP and WebSocket alike (DESIGN §11): the configuration's limits less the rate limit. */
export type QueryLimitsConfig = Omit<LimitsConfig, 'rate'>;

/** A refusal by a limit: BAD_USER_INPUT naming the limit, its value and the variable that sets it. */
export function limitError(message: string, limit: string, max: number): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, message, { limit, max });
}

/**
 * Why `value` (a parsed JSON body, variables) is refused, or null: a NUL character in any
 * string or key, or arrays/objects nested deeper than `maxDepth`. Iterative, so a payload
 * nested thousands deep costs no stack.
 */
export function inputViolation(value: unknown, maxDepth: number): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return 'The input contains a NUL character (\\u0000), which is not accepted anywhere.';
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return `The input is nested deeper than ${maxDepth} levels (COUNTERSIGN_MAX_INPUT_DEPTH).`;
    if (Array.isArray(current)) {
      for (const item of current) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (key.includes('\u0000')) return 'The input contains a NUL character (\\u0000), which is not accepted anywhere.';
      stack.push({ value: item, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * Bracket nesting of a document's text, found by lexing alone (graphql's parser recurses
 * once per level and overflows the stack on a few thousand levels of literals). Stops
 * after `maxTokens` tokens: the parser refuses longer documents itself.
 */
export function bracketNesting(query: string, maxTokens: number): number {
  const lexer = new Lexer(new Source(query));
  let depth = 0;
  let deepest = 0;
  for (let count = 0; count <= maxTokens; count++) {
    const token = lexer.advance();
    if (token.kind === TokenKind.EOF) break;
    if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) deepest = Math.max(deepest, ++depth);
    else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) depth--;
  }
  return deepest;
}

/** Why the literals of a parsed document are refused (NUL in a string, nesting), or null. */
export function literalViolation(document: DocumentNode, maxDepth: number): string | null {
  let depth = 0;
  let violation: string | null = null;
  const nest = { enter: () => void (++depth > maxDepth && (violation ??= `A literal in the document is nested deeper than ${maxDepth} levels (COUNTERSIGN_MAX_INPUT_DEPTH).`)), leave: () => void depth-- };
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) violation ??= 'A string in the document contains a NUL character (\\u0000), which is not accepted anywhere.';
    },
    ObjectValue: nest,
    ListValue: nest,
  });
  return violation;
}

/** Field selections {@link fieldMultiplicity} visits at most; a document that expands past it is refused. */
export const MAX_EXPANDED_FIELDS = 50_000;

/**
 * How many times one response name is selected where graphql's overlap validation must
 * compare the selections pairwise (it compares every pair, and the pairs of their
 * subselections in turn): the count of a name in a selection set (inline and named
 * fragments merged in, each named fragment once), times the count of each enclosing
 * field's name in its own set. Bounding it bounds that validation, which took seconds for
 * a few thousand copies of `me { kind }`. Returns Infinity past {@link MAX_EXPANDED_FIELDS}
 * visited selections (fragments spread in many places).
 */
export function fieldMultiplicity(document: DocumentNode): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  let most = 0;
  let visited = 0;
  const sets: { set: SelectionSetNode; factor: number }[] = [];
  for (const definition of document.definitions) if (definition.kind === Kind.OPERATION_DEFINITION) sets.push({ set: definition.selectionSet, factor: 1 });
  while (sets.length > 0) {
    const { set, factor } = sets.pop()!;
    const fields = new Map<string, FieldNode[]>();
    const seenFragments = new Set<string>();
    const pending: SelectionSetNode[] = [set];
    while (pending.length > 0) {
      for (const selection of pending.pop()!.selections) {
        if (++visited > MAX_EXPANDED_FIELDS) return Infinity;
        if (selection.kind === Kind.FIELD) {
          const name = selection.alias?.value ?? selection.name.value;
          const same = fields.get(name);
          if (same) same.push(selection);
          else fields.set(name, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          pending.push(selection.selectionSet);
        } else if (!seenFragments.has(selection.name.value)) {
          seenFragments.add(selection.name.value);
          const fragment = fragments.get(selection.name.value);
          if (fragment) pending.push(fragment);
        }
      }
    }
    for (const same of fields.values()) {
      const multiplicity = factor * same.length;
      most = Math.max(most, multiplicity);
      for (const field of same) if (field.selectionSet) sets.push({ set: field.selectionSet, factor: multiplicity });
    }
  }
  return most;
}

/** Whether the document reads the schema (`__schema` or `__type`; `__typename` is not introspection). */
export function readsSchema(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

/**
 * The cost estimate: every field counts 1 plus what is under it, and what is under a field
 * that takes `first` counts `first` times (its default when not given; a page's default
 * size for connections), so the budget follows the lists a query can make the server build.
 */
export const listSizeEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((arg) => arg.name === 'first')) return 1 + childComplexity;
  const first = typeof args.first === 'number' ? Math.max(0, args.first) : DEFAULT_PAGE_SIZE;
  return 1 + first * childComplexity;
};

/** Whether a document's cost can change with its variables (a variable in an argument or directive). */
function costDependsOnVariables(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (node.value.kind === Kind.VARIABLE) found = true;
    },
  });
  return found;
}

/** One document that passed every check that does not depend on its variables. */
interface CheckedDocument {
  document: DocumentNode;
  introspection: boolean;
  /** Its cost when its variables cannot change it. */
  fixedCost: number | null;
}

/** How many distinct documents to keep checked (parsed and validated). */
const MAX_CACHED_DOCUMENTS = 500;

/** What one operation asks for, as HTTP bodies and graphql-ws `subscribe` messages carry it. */
export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/**
 * The query and input limits of DESIGN §11 in one place, for HTTP and WebSocket alike.
 * Everything here depends only on the request, never on who sends it (except that
 * introspection needs a bearer token), so it runs before authentication. Documents that
 * pass are kept parsed and validated, one object per text: a warm document costs a map
 * lookup, thousands of subscribers waiting with the SDK's one document share one parse
 * tree (tens of KB apiece otherwise), and shared execution keys on that object
 * (shared-execution.ts).
 *
 * The limits are GraphQL Armor's token, depth and alias rules and graphql-query-complexity
 * with {@link listSizeEstimator}, plus three checks of our own that keep graphql-js itself
 * out of trouble: bracket nesting (its parser recurses), repeated fields (its overlap
 * validation is quadratic) and the input's NULs and nesting.
 */
export class QueryLimits {
  private readonly documents = new Map<string, CheckedDocument>();
  private readonly limitRules: ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    readonly config: QueryLimitsConfig,
  ) {
    const report = (limit: string, max: number) => [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(limitError(`${error.message.replace(/^Syntax Error: /, '')} (${limit}=${max})`, limit, max)),
    ];
    this.limitRules = [
      maxDepthRule({ n: config.maxDepth, propagateOnRejection: false, onReject: report('COUNTERSIGN_MAX_DEPTH', config.maxDepth) }),
      maxAliasesRule({ n: config.maxAliases, propagateOnRejection: false, onReject: report('COUNTERSIGN_MAX_ALIASES', config.maxAliases) }),
    ];
  }

  /** The refusal of a JSON input (a body, variables), or null. */
  checkInput(value: unknown): AppError | null {
    const violation = inputViolation(value, this.config.maxInputDepth);
    return violation === null ? null : limitError(violation, 'COUNTERSIGN_MAX_INPUT_DEPTH', this.config.maxInputDepth);
  }

  /**
   * The operation's parsed and validated document, or why it is refused: BAD_USER_INPUT
   * for a limit, UNAUTHENTICATED for anonymous introspection, graphql's own errors for a
   * document that is not valid.
   */
  check(request: OperationRequest, { anonymous }: { anonymous: boolean }): DocumentNode | readonly GraphQLError[] {
    const input = this.checkInput(request.variables ?? null) ?? (request.query.includes('\u0000') ? this.checkInput(request.query) : null);
    if (input) return [input];
    const checked = this.documentOf(request.query);
    if (!('document' in checked)) return checked;
    if (anonymous && checked.introspection) {
      return [new AppError(ErrorCode.UNAUTHENTICATED, 'Introspection needs a bearer token: anonymous callers cannot read the schema.')];
    }
    const cost = checked.fixedCost ?? this.cost(checked.document, request);
    if (cost > this.config.maxCost) {
      return [limitError(`The query's estimated cost is ${cost}; the limit is ${this.config.maxCost} (COUNTERSIGN_MAX_COST). Ask for smaller pages (\`first\`) or fewer nested lists.`, 'COUNTERSIGN_MAX_COST', this.config.maxCost)];
    }
    return checked.document;
  }

  private cost(document: DocumentNode, request: OperationRequest): number {
    try {
      return getComplexity({ schema: this.schema, query: document, variables: request.variables ?? {}, operationName: request.operationName ?? undefined, estimators: [listSizeEstimator] });
    } catch {
      // Variables that do not fit their definitions: execution refuses them with graphql's own error.
      return 0;
    }
  }

  private documentOf(query: string): CheckedDocument | readonly GraphQLError[] {
    const cached = this.documents.get(query);
    if (cached) return cached;
    const { maxTokens, maxDepth, maxInputDepth, maxFieldRepeats: maxRepeats } = this.config;
    // Selections, arguments and literals nest brackets; anything past all of them together is refused unparsed.
    const maxNesting = maxDepth + maxInputDepth + 4;
    const nesting = bracketNesting(query, maxTokens);
    if (nesting > maxNesting) {
      return [limitError(`The document nests brackets ${nesting} deep; the limit is ${maxNesting} (COUNTERSIGN_MAX_DEPTH + COUNTERSIGN_MAX_INPUT_DEPTH + 4).`, 'COUNTERSIGN_MAX_INPUT_DEPTH', maxInputDepth)];
    }
    let document: DocumentNode;
    try {
      document = new MaxTokensParserWLexer(query, { n: maxTokens, noLocation: true }).parseDocument();
    } catch (error) {
      if (error instanceof GraphQLError && /Token limit/.test(error.message)) {
        return [limitError(`The document has more than ${maxTokens} tokens (COUNTERSIGN_MAX_TOKENS=${maxTokens}).`, 'COUNTERSIGN_MAX_TOKENS', maxTokens)];
      }
      return [error instanceof GraphQLError ? new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }) : new GraphQLError(String(error))];
    }
    const literal = literalViolation(document, maxInputDepth);
    if (literal) return [limitError(literal, 'COUNTERSIGN_MAX_INPUT_DEPTH', maxInputDepth)];
    // The limit rules first: the depth bound also bounds how far fragments can expand below.
    const limitErrors = validate(this.schema, document, this.limitRules);
    if (limitErrors.length > 0) return limitErrors;
    const repeats = fieldMultiplicity(document);
    if (repeats > maxRepeats) {
      const message = Number.isFinite(repeats)
        ? `A field is selected ${repeats} times under the same name (counting repeats of the fields around it); the limit is ${maxRepeats} (COUNTERSIGN_MAX_FIELD_REPEATS).`
        : `The document expands to more than ${MAX_EXPANDED_FIELDS} field selections once its fragments are spread.`;
      return [limitError(message, 'COUNTERSIGN_MAX_FIELD_REPEATS', maxRepeats)];
    }
    const errors = validate(this.schema, document, specifiedRules);
    if (errors.length > 0) return errors.map((error) => (error.extensions.code ? error : new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
    const checked: CheckedDocument = {
      document,
      introspection: readsSchema(document),
      fixedCost: costDependsOnVariables(document) ? null : this.cost(document, { query }),
    };
    if (this.documents.size >= MAX_CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(query, checked);
    return checked;
  }
}
