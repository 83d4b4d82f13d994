import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { BENCH_DIR, ROOT } from './proc.mjs';

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A value for the table: whole numbers with separators, small ones with up to 3 digits. */
export function formatValue(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (typeof value === 'string') return value;
  const n = Math.abs(value) >= 100 ? fmt.format(value) : String(Math.round(value * 1000) / 1000);
  return unit ? `${n} ${unit}` : n;
}

function cells(row) {
  return [
    row.target,
    formatValue(row.measured, row.unit),
    row.baseline === null || row.baseline === undefined ? '—' : `${formatValue(row.baseline, row.baselineUnit ?? row.unit)}${row.baselineLabel ? ` (${row.baselineLabel})` : ''}`,
    row.ratio === null || row.ratio === undefined || Number.isNaN(row.ratio) ? '—' : `${(Math.round(row.ratio * 100) / 100).toFixed(2)}×`,
    row.bound ?? '—',
    row.pass === true ? 'pass' : row.pass === false ? 'FAIL' : row.pass === 'error' ? 'ERROR' : 'info',
  ];
}

const HEADER = ['target', 'measured', 'baseline', 'ratio', 'bound', 'result'];

/** The table for a terminal: aligned columns. */
export function textTable(rows) {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** The same table in Markdown. */
export function markdownTable(rows) {
  const esc = (c) => c.replace(/\|/g, '\\|');
  return [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

/** What the numbers were measured on: they only compare within one run on one machine. */
export function machine() {
  const cpus = os.cpus();
  let pgVersion = null;
  let commit = null;
  let dirty = false;
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    dirty = execSync('git status --porcelain -- packages', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: pgVersion,
    commit: commit ? `${commit}${dirty ? ' (with uncommitted changes under packages/)' : ''}` : null,
  };
}

export function writeResults(file, results) {
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * Rewrites the generated part of BENCHMARKS.md (between the markers) with the latest table;
 * the analysis written by hand around it is kept.
 */
export function writeBenchmarksMd(file, results) {
  const start = '<!-- bench:table:start -->';
  const end = '<!-- bench:table:end -->';
  const m = results.machine;
  const generated = [
    start,
    `Latest run: ${results.finishedAt} (${results.mode} mode, ${Math.round(results.durationSeconds)} s), commit ${m.commit ?? 'unknown'}.`,
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; ${m.postgres ?? 'PostgreSQL'} on 127.0.0.1 (server, load generator and database share the box).`,
    '',
    markdownTable(results.rows),
    '',
    ...results.rows.filter((r) => r.note).map((r) => `- **${r.target}**: ${r.note}`),
    end,
  ].join('\n');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`;
  if (!text.includes(start)) text += `\n${start}\n${end}\n`;
  text = text.slice(0, text.indexOf(start)) + generated + text.slice(text.indexOf(end) + end.length);
  fs.writeFileSync(file, text);
}

export const RESULTS_FILE = path.join(BENCH_DIR, 'results.json');
export const BENCHMARKS_MD = path.join(ROOT, 'BENCHMARKS.md');
