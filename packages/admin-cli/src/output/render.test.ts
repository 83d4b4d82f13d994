import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { renderView } from './render.js';
import type { Terminal } from './terminal.js';
import { code, fields, heading, table, text } from './view.js';

const term = (width: number): Terminal => ({ width, colors: false, paint: (_tone, s) => s });

describe('renderView', () => {
  it('should put a blank line before each heading but the first', () => {
    expect(renderView([heading('One'), text('a'), heading('Two'), text('b')], term(80))).toBe('One\na\n\nTwo\nb\n');
  });

  it('should align field values and wrap long ones under themselves', () => {
    const out = renderView([fields([['Summary', 'short'], ['Justification', 'word '.repeat(20).trim()], ['Empty', undefined]])], term(40));
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('Summary:       short');
    expect(lines[1]!.startsWith('Justification: word')).toBe(true);
    expect(lines[2]!.startsWith('               word')).toBe(true);
    expect(out).not.toContain('Empty');
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(40);
  });

  it('should hang wrapped list items under their text, with no trailing spaces', () => {
    const out = renderView([{ kind: 'list', items: [{ marker: '!', text: 'Role "finance" (escalation chain "finance" level 1) is held by no approver yet.' }] }], term(40));
    const lines = out.trimEnd().split('\n');
    expect(lines[0]!.startsWith('  ! Role')).toBe(true);
    expect(lines[1]!.startsWith('    ')).toBe(true);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it('should indent code and never re-wrap it', () => {
    const json = JSON.stringify({ a: 'x'.repeat(60) }, null, 2);
    expect(renderView([code(json)], term(30))).toBe(`  {\n    "a": "${'x'.repeat(60)}"\n  }\n`);
  });

  it('should show the empty message of a table with no rows', () => {
    expect(renderView([table(['ID'], [], 'Nothing waits for you.')], term(80))).toBe('Nothing waits for you.\n');
  });

  it('should render nothing for an empty view', () => {
    expect(renderView([], term(80))).toBe('');
  });
});
