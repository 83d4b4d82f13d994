import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import type { Cell, Column, Tone } from './view.js';

/** Spaces between columns, as gh prints them. */
export const COLUMN_GAP = 2;
/** A flexible column is never cut below this, so what is left stays recognisable. */
export const MIN_FLEX_WIDTH = 8;

/**
 * Chooses column widths so the table fits `available` columns. Columns keep their natural
 * width while they fit; otherwise the widest flexible column gives way first, one
 * character at a time, down to {@link MIN_FLEX_WIDTH} (or all columns when none is marked
 * flexible). A table that cannot fit even then overflows rather than mangling identifiers.
 */
export function fitColumns(natural: readonly number[], flexible: readonly boolean[], available: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + COLUMN_GAP * Math.max(0, widths.length - 1);
  const anyFlexible = flexible.some(Boolean);
  const canShrink = (i: number) => (anyFlexible ? flexible[i] : true) && widths[i]! > Math.min(natural[i]!, MIN_FLEX_WIDTH);
  let excess = total() - available;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (canShrink(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest < 0) break;
    widths[widest]! -= 1;
    excess -= 1;
  }
  return widths;
}

/** Tables show one line per row: newlines and runs of spaces in free text become one space. */
function flatten(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Renders a borderless table (kubectl/gh style: upper-case headers, two-space gaps), cut
 * to `width`. Cells are measured by display width, so wide characters line up.
 */
export function renderTable(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly Cell[]>,
  width: number,
  paint: (tone: Tone, text: string) => string,
  options: { readonly headless?: boolean } = {},
): string[] {
  const header: Cell[] = columns.map((c) => ({ text: c.header.toUpperCase(), tone: 'strong' }));
  const body = rows.map((row) => columns.map((_, i) => row[i] ?? ''));
  const all = [...(options.headless ? [] : [header]), ...body].map((row) =>
    row.map((cell) => (typeof cell === 'string' ? { text: flatten(cell), tone: 'plain' as Tone } : { text: flatten(cell.text), tone: cell.tone })),
  );
  const natural = columns.map((column, i) => Math.max(column.minWidth ?? 0, ...all.map((row) => stringWidth(row[i]!.text))));
  const widths = fitColumns(natural, columns.map((c) => Boolean(c.flex)), width);
  return all.map((row) => {
    const cells = row.map((cell, i) => {
      const w = widths[i]!;
      const cut = stringWidth(cell.text) > w ? cliTruncate(cell.text, w) : cell.text;
      const pad = ' '.repeat(Math.max(0, w - stringWidth(cut)));
      const last = i === row.length - 1;
      const painted = paint(cell.tone, cut);
      if (columns[i]!.align === 'right') return pad + painted;
      return last ? painted : painted + pad;
    });
    return cells.join(' '.repeat(COLUMN_GAP)).trimEnd();
  });
}
