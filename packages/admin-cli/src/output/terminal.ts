import pc from 'picocolors';
import type { Io } from '../runtime.js';
import type { Tone } from './view.js';

/** What the renderer needs to know about where it writes. */
export interface Terminal {
  /** Columns available; Infinity when output goes to a file or pipe (nothing is cut). */
  readonly width: number;
  readonly paint: (tone: Tone, text: string) => string;
  readonly colors: boolean;
}

/**
 * Colour follows the conventions people expect: `NO_COLOR` (no-color.org) and
 * `--no-color` turn it off, `FORCE_COLOR` turns it on, otherwise only a TTY gets it.
 */
export function colorEnabled(io: Io, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const env = io.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(io.stdout.isTTY) && env.TERM !== 'dumb';
}

/**
 * The width tables and text must fit: `COLUMNS` when set (as shells and CI tools use it),
 * the TTY's width, or no limit when piped, so `countersign queue > file` keeps every
 * character (as kubectl does).
 */
export function terminalWidth(io: Io): number {
  const fromEnv = Number.parseInt(io.env.COLUMNS ?? '', 10);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  if (io.stdout.isTTY) return io.stdout.columns && io.stdout.columns > 0 ? io.stdout.columns : 80;
  return Number.POSITIVE_INFINITY;
}

/** The terminal as the renderer sees it, decided once per command. */
export function createTerminal(io: Io, colorFlag?: boolean): Terminal {
  const colors = colorEnabled(io, colorFlag);
  const c = pc.createColors(colors);
  const styles: Record<Tone, (s: string) => string> = {
    plain: (s) => s,
    strong: c.bold,
    muted: c.dim,
    good: c.green,
    warn: c.yellow,
    bad: c.red,
    accent: c.cyan,
  };
  return { width: terminalWidth(io), colors, paint: (tone, s) => (s === '' ? s : styles[tone](s)) };
}
