/**
 * The process as the CLI sees it. Everything that touches the outside world goes through
 * an {@link Io}, so the whole CLI runs in-process under test with strings for streams.
 */
import { createInterface } from 'node:readline';

export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Calls `handler` on Ctrl-C (SIGINT) or SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export type InputStream = NodeJS.ReadableStream & { readonly isTTY?: boolean };

/** The real process. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

/** Reads one line from stdin; an empty string when it closes first. */
export async function readLine(input: InputStream): Promise<string> {
  const lines = createInterface({ input, terminal: false });
  try {
    return await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(''));
    });
  } finally {
    lines.close();
  }
}

/** Reads all of stdin as UTF-8 (for `-f -` and `--token -`). */
export async function readAll(input: InputStream): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  return chunks.join('');
}
