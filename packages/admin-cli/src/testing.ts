/**
 * Runs the built `countersign` binary as a user would: a child process with its own
 * environment, stdin and exit code. For end-to-end tests against a real server.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built entry point (`dist/bin.js`), next to this module once compiled. */
export const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

export interface RunOptions {
  /** Added to a minimal environment (PATH, HOME); COUNTERSIGN_* of the parent are not inherited. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed (so `--token -` and `-f -` work). */
  readonly input?: string;
  readonly cwd?: string;
  /** Kill the process after this long. @default 30_000 */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for `--json`); throws with the output when it is not JSON. */
  json<T = unknown>(): T;
}

/**
 * Spawns `node dist/bin.js ...args` and collects its output.
 *
 * @example
 * const r = await runCli(['agents', 'list', '--json'], { env: { COUNTERSIGN_URL: url, COUNTERSIGN_TOKEN: token } });
 * expect(r.code).toBe(0);
 * expect(r.json<{ nodes: unknown[] }>().nodes).toHaveLength(1);
 */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`countersign ${args.join(' ')} did not print JSON (exit ${code}).\nstdout: ${stdout}\nstderr: ${stderr}`);
          }
        },
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** What a fake server answers for one operation: data, or GraphQL errors. */
export type FakeAnswer =
  | { readonly data: unknown }
  | { readonly errors: ReadonlyArray<{ readonly message: string; readonly extensions?: Record<string, unknown> }> };

/** One request the fake server received. */
export interface FakeCall {
  readonly operationName: string;
  readonly variables: Record<string, unknown>;
  readonly authorization: string | null;
}

/**
 * A `fetch` that answers GraphQL operations by name, for running the CLI in-process
 * without a server. Unknown operations fail the way a server would (validation error).
 */
export function fakeFetch(answers: Readonly<Record<string, FakeAnswer | ((variables: Record<string, unknown>) => FakeAnswer)>>): typeof fetch & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const fetchImpl = async (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as { query: string; variables?: Record<string, unknown>; operationName?: string };
    const operationName = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? '';
    const variables = body.variables ?? {};
    calls.push({ operationName, variables, authorization: new Headers(init?.headers).get('authorization') });
    const answer = answers[operationName];
    const result: FakeAnswer = answer === undefined
      ? { errors: [{ message: `Cannot query ${operationName}`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }
      : typeof answer === 'function' ? answer(variables) : answer;
    return new Response(JSON.stringify(result), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return Object.assign(fetchImpl, { calls });
}

export interface InProcessOptions {
  readonly fetch?: typeof fetch;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Text on stdin; stdin is a terminal only when `tty` is set. */
  readonly input?: string;
  readonly tty?: boolean;
  /** The width of stdout as a terminal; unset means a pipe. */
  readonly columns?: number;
  readonly cwd?: string;
  readonly configPath?: string;
  readonly now?: Date;
  /** Aborting it is Ctrl-C for the CLI under test (`watch` stops on it). */
  readonly interrupt?: AbortSignal;
  /** Called with all of stdout so far after each write, to wait for output of a long-running command. */
  readonly onStdout?: (stdout: string) => void;
}

/**
 * Runs the CLI in this process with string streams: fast tests of parsing, output and
 * exit codes with no build and no server.
 */
export async function runInProcess(args: readonly string[], options: InProcessOptions = {}): Promise<Omit<RunResult, 'code'> & { code: number }> {
  const { Readable } = await import('node:stream');
  const { main } = await import('./cli.js');
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(Readable.from(options.input === undefined ? [] : [options.input]), { isTTY: options.tty ?? false });
  const code = await main(
    args,
    {
      stdout: {
        write: (s: string) => {
          stdout += s;
          options.onStdout?.(stdout);
        },
        isTTY: options.columns !== undefined,
        columns: options.columns,
      },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      stdin,
      env: { NO_COLOR: '1', ...options.env },
      cwd: options.cwd ?? process.cwd(),
      onInterrupt(handler) {
        options.interrupt?.addEventListener('abort', handler, { once: true });
        return () => options.interrupt?.removeEventListener('abort', handler);
      },
    },
    { fetch: options.fetch, configPath: options.configPath ?? '/nonexistent/countersign/config.json', now: options.now ? () => options.now! : undefined },
  );
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      return JSON.parse(stdout) as T;
    },
  };
}
