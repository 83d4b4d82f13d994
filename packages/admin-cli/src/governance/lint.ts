import { lintGovernance as lintDocument, parseGovernance, type GovernanceIssue } from '@countersign/governance';
import { LineCounter, parseDocument, type Document, type Node } from 'yaml';

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

/**
 * Checks a governance document offline with the rules the server applies: they are the
 * same code (@countersign/governance), so errors are exactly what `applyGovernance` would
 * refuse, and warnings what the document alone shows to be a mistake. What needs the
 * server's data (roles nobody holds, quorums larger than a level) is left to its dry run.
 * This module only places each finding in the file, as a compiler does: the rules name a
 * path (`routes[1].chain`), the YAML nodes give it a line and column.
 */
export function lintGovernance(text: string): LintReport {
  const lines = new LineCounter();
  // Parsed as the rules parse it, so its syntax errors are theirs, one for one.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const locator = new Locator(doc, lines);
  const result = parseGovernance(text);
  const problems: Problem[] = result.ok
    ? lintDocument(result.document).map((message) => ({ severity: 'warning', path: '', message }))
    : result.errors.map((issue, i) => (doc.errors.length > 0 ? locator.syntaxError(issue, i) : locator.error(issue)));
  return { problems, counts: doc.errors.length > 0 ? { policies: 0, escalationChains: 0, routes: 0 } : countSections(doc.toJS()) };
}

function countSections(root: unknown): LintReport['counts'] {
  const section = (key: string) => {
    const value: unknown = typeof root === 'object' && root !== null ? (root as Record<string, unknown>)[key] : undefined;
    return Array.isArray(value) ? value.length : 0;
  };
  return { policies: section('policies'), escalationChains: section('escalationChains'), routes: section('routes') };
}

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The rules report a YAML error with the whole text; the parser here knows where it is. */
  syntaxError(issue: GovernanceIssue, index: number): Problem {
    const position = this.doc.errors[index]?.linePos?.[0];
    return { severity: 'error', path: '', message: issue.message.replace(/ at line \d+, column \d+$/, ''), line: position?.line, column: position?.col };
  }

  error(issue: GovernanceIssue): Problem {
    const path = parsePath(issue.path);
    const node = this.nodeAt(path);
    const position = node?.range ? this.lines.linePos(node.range[0]) : undefined;
    const { condition } = issue;
    const at = condition?.position;
    // A condition's column counts from the expression; add where the scalar starts (+1 for a quote).
    const column = position && at?.line === 1 ? position.col + at.column - 1 + (isQuoted(node) ? 1 : 0) : position?.col;
    return {
      severity: 'error',
      path: this.describe(path),
      message: condition ? `invalid CEL: ${condition.summary}` : issue.message,
      line: position?.line,
      column,
    };
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

/** `policies[2].adjust[0].when` → `['policies', 2, 'adjust', 0, 'when']`; a key in `["…"]` is JSON. */
export function parsePath(path: string): Path {
  const parts: (string | number)[] = [];
  for (const [, index, quoted, key] of path.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g)) {
    if (index !== undefined) parts.push(Number(index));
    else if (quoted !== undefined) parts.push(JSON.parse(quoted) as string);
    else if (key !== undefined) parts.push(key);
  }
  return parts;
}

function isQuoted(node: Node | undefined): boolean {
  return Boolean(node && 'type' in node && (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE'));
}
