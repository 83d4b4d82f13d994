import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { assertNever } from '../util/never.js';
import { renderTable } from './table.js';
import type { Terminal } from './terminal.js';
import { cellText, type Block, type Cell, type View } from './view.js';

const INDENT = '  ';

function wrap(text: string, width: number): string[] {
  if (!Number.isFinite(width) || width <= 0) return text.split('\n');
  // trim: false keeps deliberate leading indentation; the spaces wrapping leaves at line ends go.
  return wrapAnsi(text, Math.max(20, width), { hard: true, trim: false })
    .split('\n')
    .map((line) => line.trimEnd());
}

function toneOf(cell: Cell) {
  return typeof cell === 'string' ? 'plain' : cell.tone;
}

function renderBlock(block: Block, term: Terminal): string[] {
  switch (block.kind) {
    case 'heading':
      return [term.paint('strong', block.text)];
    case 'text':
      return wrap(block.text, term.width).map((line) => term.paint(block.tone ?? 'plain', line));
    case 'fields': {
      const rows = block.rows.filter((row): row is readonly [string, Cell] => row[1] !== null && row[1] !== undefined && cellText(row[1]) !== '');
      const labelWidth = Math.max(0, ...rows.map(([label]) => stringWidth(label))) + 2;
      return rows.flatMap(([label, value]) => {
        const lines = wrap(cellText(value), term.width - labelWidth);
        return lines.map((line, i) => {
          const left = i === 0 ? term.paint('muted', `${label}:`.padEnd(labelWidth)) : ' '.repeat(labelWidth);
          return (left + term.paint(toneOf(value), line)).trimEnd();
        });
      });
    }
    case 'table':
      if (block.rows.length === 0) return block.empty ? [term.paint('muted', block.empty)] : [];
      return renderTable(block.columns, block.rows, term.width, term.paint, { headless: block.headless });
    case 'list':
      // Hanging indent: continuation lines start under the text, not under the marker.
      return block.items.flatMap((item) => {
        const hang = ' '.repeat(stringWidth(item.marker) + 1);
        return wrap(item.text, term.width - INDENT.length - hang.length).map(
          (line, i) => INDENT + term.paint(item.tone ?? 'plain', `${i === 0 ? `${item.marker} ` : hang}${line}`),
        );
      });
    case 'code':
      return block.text.replace(/\n$/, '').split('\n').map((line) => (INDENT + line).trimEnd());
    default:
      return assertNever(block);
  }
}

/**
 * Turns a view into the text people read: headings start a new paragraph (a blank line
 * before them), everything fits `term.width`, colours only when the terminal wants them.
 */
export function renderView(view: View, term: Terminal): string {
  const lines: string[] = [];
  view.forEach((block, i) => {
    if (block.kind === 'heading' && i > 0) lines.push('');
    lines.push(...renderBlock(block, term));
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
