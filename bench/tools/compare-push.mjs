#!/usr/bin/env node
// The queue push (DESIGN §9) of two builds of the server, measured in alternating runs on
// the same box, each against the bare graphql-ws broadcast as `pnpm bench --only=push`
// does. One full run's ratio moves by ±20% on these shared machines; a change worth a few
// milliseconds shows only when the two servers take turns, ABBA, several times.
//
// `--base` is another checkout of the repository, built (a git worktree, say):
//   git worktree add /tmp/base <commit> && (cd /tmp/base && pnpm install && pnpm run build)
//   pnpm run build && node bench/tools/compare-push.mjs --base=/tmp/base [--runs=5] [--size=1000] [--rounds=5]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from '../scenarios/queue-push.mjs';
import { median } from '../lib/stats.mjs';

const { values } = parseArgs({
  options: { base: { type: 'string' }, runs: { type: 'string', default: '5' }, size: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } },
});
if (!values.base) throw new Error('--base=<a built checkout of the repository> is required');
const runs = Number(values.runs);
const size = Number(values.size);
const rounds = Number(values.rounds);

const serverOf = (root) => {
  const module = path.join(root, 'packages/server/dist/index.js');
  if (!fs.existsSync(module)) throw new Error(`${module} is missing: run \`pnpm run build\` in ${root}`);
  return module;
};
const variants = {
  this: serverOf(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')),
  base: serverOf(path.resolve(values.base)),
};

const log = (message) => console.log(`[compare +${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);
const started = performance.now();
const results = { this: [], base: [] };
for (let run = 1; run <= runs; run++) {
  // ABBA: neither server always goes first.
  const order = run % 2 === 1 ? ['this', 'base'] : ['base', 'this'];
  for (const variant of order) {
    const m = await measure(size, rounds, () => undefined, { env: { COUNTERSIGN_BENCH_SERVER_MODULE: variants[variant] } });
    if (m.subscriptionErrors > 0) throw new Error(`${variant}: ${m.subscriptionErrors} subscription errors`);
    const entry = {
      last: m.countersignLast,
      bare: m.bareLast,
      ratio: m.countersignLast / m.bareLast,
      responded: median(m.countersign.map((x) => x.responded)),
      first: median(m.countersign.map((x) => x.first)),
    };
    results[variant].push(entry);
    log(`run ${run}, ${variant}: last delivery ${entry.last.toFixed(1)} ms, bare ${entry.bare.toFixed(1)} ms, ${entry.ratio.toFixed(2)}× (submitAction response ${entry.responded.toFixed(1)} ms, first delivery ${entry.first.toFixed(1)} ms)`);
  }
}

console.log(`\nqueue push to ${size.toLocaleString('en-US')} approvers, ${runs} runs of ${rounds} rounds each (medians of the runs; bound ≤ 1.5× the bare broadcast)`);
const runsWidth = Math.max('ratios of the runs'.length, runs * 7 - 2) + 1;
console.log(`variant                  last delivery  bare      ratio  ${'ratios of the runs'.padEnd(runsWidth)} submitAction  first delivery`);
for (const [variant, entries] of Object.entries(results)) {
  const cell = (x, unit = ' ms') => `${x.toFixed(1)}${unit}`;
  console.log(
    `${variant.padEnd(24)} ${cell(median(entries.map((e) => e.last))).padEnd(14)} ${cell(median(entries.map((e) => e.bare))).padEnd(9)} ` +
      `${`${median(entries.map((e) => e.ratio)).toFixed(2)}×`.padEnd(6)} ${entries.map((e) => `${e.ratio.toFixed(2)}×`).join(', ').padEnd(runsWidth)} ` +
      `${cell(median(entries.map((e) => e.responded))).padEnd(13)} ${cell(median(entries.map((e) => e.first)))}`,
  );
}
