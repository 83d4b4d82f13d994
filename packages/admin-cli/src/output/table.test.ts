import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { COLUMN_GAP, fitColumns, MIN_FLEX_WIDTH, renderTable } from './table.js';
import type { Column } from './view.js';

const plain = (_tone: string, text: string) => text;

describe('fitColumns', () => {
  it('should keep natural widths when they fit', () => {
    expect(fitColumns([4, 10, 6], [false, true, false], 80)).toEqual([4, 10, 6]);
  });

  it('should take what does not fit from the flexible column only', () => {
    // 36 + 20 + 10 + 2 gaps = 70; 60 available.
    expect(fitColumns([36, 20, 10], [false, true, false], 60)).toEqual([36, 10, 10]);
  });

  it('should shrink the widest flexible column first', () => {
    const widths = fitColumns([10, 40, 30], [false, true, true], 70);
    expect(widths.reduce((a, b) => a + b) + 2 * COLUMN_GAP).toBe(70);
    expect(widths[0]).toBe(10);
    expect(Math.abs(widths[1]! - widths[2]!)).toBeLessThanOrEqual(1);
  });

  it('should never cut a flexible column below the minimum, overflowing instead', () => {
    const widths = fitColumns([36, 50], [false, true], 20);
    expect(widths).toEqual([36, MIN_FLEX_WIDTH]);
  });

  it('should shrink any column when none is marked flexible', () => {
    const widths = fitColumns([20, 20], [false, false], 30);
    expect(widths.reduce((a, b) => a + b) + COLUMN_GAP).toBe(30);
  });
});

describe('renderTable', () => {
  const columns: Column[] = [{ header: 'ID' }, { header: 'Summary', flex: true }, { header: 'Age', align: 'right' }];
  const rows = [
    ['3f6c2d1e-aaaa-bbbb-cccc-000000000001', 'Pay invoice INV-42 to ACME Corporation for the quarterly licence renewal', '5m'],
    ['3f6c2d1e-aaaa-bbbb-cccc-000000000002', 'Export customers', '2h30m'],
  ];

  it('should fit every line in the terminal width, cutting the summary with an ellipsis', () => {
    const lines = renderTable(columns, rows, 80, plain);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    expect(lines[1]).toContain('…');
    expect(lines[1]).toContain('3f6c2d1e-aaaa-bbbb-cccc-000000000001');
  });

  it('should print everything when the width is unlimited (a pipe)', () => {
    const lines = renderTable(columns, rows, Number.POSITIVE_INFINITY, plain);
    expect(lines[1]).toContain('quarterly licence renewal');
    expect(lines[1]).not.toContain('…');
  });

  it('should upper-case headers, align right columns and leave no trailing spaces', () => {
    const lines = renderTable(columns, rows, Number.POSITIVE_INFINITY, plain);
    expect(lines[0]).toMatch(/^ID\s+SUMMARY\s+AGE$/);
    expect(lines[1]!.endsWith('   5m')).toBe(true);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it('should line up wide characters by display width', () => {
    const lines = renderTable([{ header: 'Name' }, { header: 'Tag' }], [['支払い', 'x'], ['ab', 'y']], Number.POSITIVE_INFINITY, plain);
    expect(stringWidth(lines[1]!.slice(0, lines[1]!.indexOf('x')))).toBe(stringWidth(lines[2]!.slice(0, lines[2]!.indexOf('y'))));
  });

  it('should put multi-line text on one line', () => {
    const [, line] = renderTable([{ header: 'Comment' }], [['first\nsecond']], 80, plain);
    expect(line).toBe('first second');
  });

  it('should leave the header out when headless', () => {
    expect(renderTable(columns, rows, 200, plain, { headless: true })).toHaveLength(2);
  });
});

describe('minWidth', () => {
  it('should line up rows rendered one at a time', () => {
    const columns: Column[] = [{ header: 'Change', minWidth: 8 }, { header: 'ID' }];
    const [a] = renderTable(columns, [['+ queued', 'x']], 80, plain, { headless: true });
    const [b] = renderTable(columns, [['- left', 'x']], 80, plain, { headless: true });
    expect(a!.indexOf('x')).toBe(b!.indexOf('x'));
  });
});
