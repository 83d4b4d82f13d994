/**
 * What commands hand to the printer for people to read: a list of blocks, described as
 * data. Commands never format strings for the terminal themselves; the renderer decides
 * widths, wrapping and colour in one place, so every command looks the same and fits the
 * terminal it runs in.
 */

/** Emphasis, mapped to colours when colour is on and to nothing when it is off. */
export type Tone = 'plain' | 'strong' | 'muted' | 'good' | 'warn' | 'bad' | 'accent';

/** A piece of text with an optional tone. */
export type Cell = string | { readonly text: string; readonly tone: Tone };

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /**
   * May be truncated when the table is wider than the terminal. Free text (summaries,
   * comments) should flex; identifiers should not, so they stay copyable.
   */
  readonly flex?: boolean;
  /** At least this wide, so lines printed one at a time (`watch`) still line up. */
  readonly minWidth?: number;
}

export type Block =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'text'; readonly text: string; readonly tone?: Tone }
  /** Label/value pairs; rows whose value is null or undefined are left out. */
  | { readonly kind: 'fields'; readonly rows: ReadonlyArray<readonly [string, Cell | null | undefined]> }
  /** `headless` leaves out the header row: one-line-per-event streams (`watch`). */
  | { readonly kind: 'table'; readonly columns: readonly Column[]; readonly rows: ReadonlyArray<readonly Cell[]>; readonly empty?: string; readonly headless?: boolean }
  /** Marked lines, e.g. a diff: `+ policy payments`. */
  | { readonly kind: 'list'; readonly items: ReadonlyArray<{ readonly marker: string; readonly text: string; readonly tone?: Tone }> }
  /** Preformatted text (a payload, a document), indented and never re-wrapped. */
  | { readonly kind: 'code'; readonly text: string };

export type View = readonly Block[];

export const heading = (text: string): Block => ({ kind: 'heading', text });
export const text = (value: string, tone?: Tone): Block => ({ kind: 'text', text: value, tone });
export const fields = (rows: ReadonlyArray<readonly [string, Cell | null | undefined]>): Block => ({ kind: 'fields', rows });
export const code = (value: string): Block => ({ kind: 'code', text: value });
export const toned = (value: string, tone: Tone): Cell => ({ text: value, tone });

/** A table block; `empty` is shown instead when there are no rows. */
export function table(columns: readonly (Column | string)[], rows: ReadonlyArray<readonly Cell[]>, empty?: string, options: { readonly headless?: boolean } = {}): Block {
  return { kind: 'table', columns: columns.map((c) => (typeof c === 'string' ? { header: c } : c)), rows, empty, headless: options.headless };
}

/** The text of a cell, without its tone (for measuring and filtering). */
export function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}
