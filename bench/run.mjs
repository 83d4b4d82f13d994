#!/usr/bin/env node
// `pnpm bench`: every DESIGN §9 target measured next to its baseline in the same run, on
// the local PostgreSQL (a fresh database per scenario), printed as one table and written
// to bench/results.json and BENCHMARKS.md.
//
//   pnpm bench                 the full run (~15 min on the 2-core box)
//   pnpm bench --quick         smaller scale points, under two minutes, for development
//   pnpm bench --only=timers   some scenarios only (comma-separated names, see SCENARIOS)
//   pnpm bench --profile       server children write V8 CPU profiles to bench/profiles/
//
// A full run of every scenario rewrites bench/results.json and the table in BENCHMARKS.md;
// quick and partial runs write bench/logs/results-<mode>.json only, so the committed
// numbers always come from one whole run.
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { childDefaults, BENCH_DIR } from './lib/proc.mjs';
import { dropAll, PG_ADMIN_URL } from './lib/db.mjs';
import { waitForQuiet, otherLoadMeter } from './lib/noise.mjs';
import { machine, textTable, writeResults, writeBenchmarksMd, RESULTS_FILE, BENCHMARKS_MD } from './lib/report.mjs';

const SCENARIOS = {
  auto: () => import('./scenarios/auto-path.mjs'),
  sync: () => import('./scenarios/sync-decide.mjs'),
  push: () => import('./scenarios/queue-push.mjs'),
  idle: () => import('./scenarios/idle-subscriptions.mjs'),
  page: () => import('./scenarios/queue-page.mjs'),
  timers: () => import('./scenarios/timers.mjs'),
  audit: () => import('./scenarios/audit.mjs'),
  noisy: () => import('./scenarios/noisy-neighbour.mjs'),
  mcp: () => import('./scenarios/mcp-gateway.mjs'),
  grants: () => import('./scenarios/grants.mjs'),
  web: () => import('./scenarios/web-app.mjs'),
};

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const quick = args.quick;
const only = args.only ? args.only.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS);
for (const name of only) if (!(name in SCENARIOS)) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
if (args.profile) childDefaults.profileDir = path.join(BENCH_DIR, 'profiles');

// Every loop below is bounded on its own; this is the backstop for the whole run.
const RUN_LIMIT_MS = (quick ? 5 : 40) * 60_000;
const started = Date.now();
const watchdog = setTimeout(async () => {
  process.stderr.write(`bench: the run exceeded ${RUN_LIMIT_MS / 60_000} minutes; stopping\n`);
  await dropAll();
  process.exit(3);
}, RUN_LIMIT_MS);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await dropAll();
    process.exit(130);
  });
}

const info = machine();
{
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  info.postgres = `PostgreSQL ${(await client.query('show server_version')).rows[0].server_version}`;
  await client.end();
}
console.log(`Countersign bench (${quick ? 'quick' : 'full'}): ${only.join(', ')}`);
console.log(`${info.cores} × ${info.cpu}, Node ${info.node}, ${info.postgres}\n`);

const rows = [];
const details = {};
for (const name of only) {
  const t0 = Date.now();
  const log = (message) => console.log(`[${name} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}`);
  // Quick runs only note how busy the box is; full runs wait (boundedly) for it to calm down.
  const busyBefore = await waitForQuiet({ maxWaitMs: quick ? 0 : 60_000, log });
  const otherLoad = otherLoadMeter(PG_ADMIN_URL);
  try {
    const scenario = await SCENARIOS[name]();
    const result = await scenario.run({ quick, log });
    const others = await otherLoad();
    log(`other work on the box used ${others} cores on average during this scenario`);
    rows.push(...result.rows.map((row) => ({ scenario: name, ...row })));
    details[name] = { seconds: (Date.now() - t0) / 1000, machineBusyBefore: busyBefore, otherWorkCores: others, ...result.details };
  } catch (error) {
    log(`failed: ${error?.stack ?? error}`);
    rows.push({ scenario: name, id: `${name}.error`, target: `${name}: scenario failed`, measured: null, pass: 'error', note: String(error?.message ?? error).split('\n')[0].slice(0, 300) });
    details[name] = { seconds: (Date.now() - t0) / 1000, machineBusyBefore: busyBefore, error: String(error?.stack ?? error) };
  } finally {
    await dropAll();
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

const results = {
  mode: quick ? 'quick' : 'full',
  scenarios: only,
  startedAt: new Date(started).toISOString(),
  finishedAt: new Date().toISOString(),
  durationSeconds: (Date.now() - started) / 1000,
  machine: info,
  rows,
  details,
};
console.log(`\n${textTable(rows)}\n`);
const whole = !quick && only.length === Object.keys(SCENARIOS).length;
if (whole) {
  writeResults(RESULTS_FILE, results);
  writeBenchmarksMd(BENCHMARKS_MD, results);
  console.log(`wrote ${path.relative(process.cwd(), RESULTS_FILE)} and ${path.relative(process.cwd(), BENCHMARKS_MD)}`);
} else {
  const file = path.join(BENCH_DIR, 'logs', `results-${results.mode}${only.length < Object.keys(SCENARIOS).length ? `-${only.join('-')}` : ''}.json`);
  writeResults(file, results);
  console.log(`wrote ${path.relative(process.cwd(), file)} (only a full run of every scenario updates bench/results.json and BENCHMARKS.md)`);
}
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
