#!/usr/bin/env node
// What the queue push (DESIGN §9) would measure if an assignment to a role cost one row
// and one audit entry instead of one per holder — the "role-level assignment" design that
// BENCHMARKS.md names as the best one found — without building it.
//
// It copies the built server (packages/server/dist) to packages/server/.what-if/dist and
// edits two lines there: a level's assignment rows are written for its first assignee
// only, and ACTION_ASSIGNED names only that one. Everything else is unchanged: the
// directory is read and every holder resolved as now, the NOTIFY names all of them, and
// every subscribed approver still receives the push (whether `inQueue` says true or false
// for them, the fan-out executes once per answer and sends to all). The copy is a
// measuring instrument, not a server anyone should run: the approvers without a row could
// not decide.
//
// Then it measures the real server and the copy in turn, each against the bare graphql-ws
// broadcast in alternating rounds, as `pnpm bench --only=push` does:
//   pnpm run build && node bench/tools/what-if-role-assignment.mjs [--runs=3] [--size=1000] [--rounds=5]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from '../scenarios/queue-push.mjs';
import { median } from '../lib/stats.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, size: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const size = Number(values.size);
const rounds = Number(values.rounds);

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packages/server');
const BUILT = path.join(SERVER, 'dist');
// Inside packages/server, so that the copy's imports resolve to the server's own dependencies.
const COPY = path.join(SERVER, '.what-if', 'dist');

/** Each edit must match exactly once in the built file, or the tool stops: a silent miss would measure the real server twice. */
const EDITS = [
  {
    file: 'escalation/escalation.service.js',
    from: 'for (const assignee of step.assignees)',
    to: 'for (const assignee of step.assignees.slice(0, 1))',
  },
  {
    file: 'actions/submit.service.js',
    from: 'assignees: assigned.added }',
    to: 'assignees: assigned.added.slice(0, 1) }',
  },
];

function makeCopy() {
  if (!fs.existsSync(path.join(BUILT, 'index.js'))) throw new Error(`${BUILT} has no build: run \`pnpm run build\` first`);
  fs.rmSync(path.dirname(COPY), { recursive: true, force: true });
  fs.cpSync(BUILT, COPY, { recursive: true });
  for (const { file, from, to } of EDITS) {
    const target = path.join(COPY, file);
    const text = fs.readFileSync(target, 'utf8');
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`${file}: expected "${from}" once in the build, found it ${count} times — the server changed; update this tool`);
    fs.writeFileSync(target, text.replace(from, to));
  }
  return path.join(COPY, 'index.js');
}

const log = (message) => console.log(`[what-if +${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);
const started = performance.now();
const whatIfModule = makeCopy();
const results = { real: [], 'role-level (simulated)': [] };
try {
  for (let run = 1; run <= runs; run++) {
    for (const [variant, env] of [['real', {}], ['role-level (simulated)', { COUNTERSIGN_BENCH_SERVER_MODULE: whatIfModule }]]) {
      const m = await measure(size, rounds, () => undefined, { env });
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
} finally {
  fs.rmSync(path.dirname(COPY), { recursive: true, force: true });
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
