import { describe, expect, it } from 'vitest';
import type { Io } from '../runtime.js';
import { colorEnabled, createTerminal, terminalWidth } from './terminal.js';

function io(env: Record<string, string>, tty: boolean, columns?: number): Io {
  return {
    stdout: { write: () => true, isTTY: tty, columns },
    stderr: { write: () => true },
    stdin: process.stdin,
    env,
    cwd: '/',
    onInterrupt: () => () => undefined,
  };
}

describe('colour', () => {
  it('should colour a terminal', () => {
    expect(colorEnabled(io({}, true), undefined)).toBe(true);
  });

  it('should not colour a pipe', () => {
    expect(colorEnabled(io({}, false), undefined)).toBe(false);
  });

  it('should honour NO_COLOR, even on a terminal', () => {
    expect(colorEnabled(io({ NO_COLOR: '1' }, true), undefined)).toBe(false);
  });

  it('should ignore an empty NO_COLOR, as no-color.org says', () => {
    expect(colorEnabled(io({ NO_COLOR: '' }, true), undefined)).toBe(true);
  });

  it('should honour --no-color and FORCE_COLOR', () => {
    expect(colorEnabled(io({}, true), false)).toBe(false);
    expect(colorEnabled(io({ FORCE_COLOR: '1' }, false), undefined)).toBe(true);
  });

  it('should paint with ANSI codes only when colour is on', () => {
    expect(createTerminal(io({}, true)).paint('bad', 'x')).toMatch(/\u001b\[31mx/);
    expect(createTerminal(io({ NO_COLOR: '1' }, true)).paint('bad', 'x')).toBe('x');
  });
});

describe('terminalWidth', () => {
  it('should use the TTY width', () => {
    expect(terminalWidth(io({}, true, 132))).toBe(132);
  });

  it('should let COLUMNS override it', () => {
    expect(terminalWidth(io({ COLUMNS: '60' }, true, 132))).toBe(60);
  });

  it('should not limit a pipe', () => {
    expect(terminalWidth(io({}, false))).toBe(Number.POSITIVE_INFINITY);
  });
});
