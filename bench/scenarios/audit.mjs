// DESIGN §9, audit chain verification: the chain seeded to 100k and then 1M events
// (sealed with the server's own chain functions, bulk-inserted), then `verifyAuditChain`
// called through the API as an admin would. Baseline: the same check on events already in
// memory (no database), which tells how much of the cost is fetching rows.
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, ADMIN_TOKEN } from '../lib/stack.mjs';
import { gql } from '../lib/graphql.mjs';
import { seedAuditEvents } from '../lib/seed.mjs';
import { median } from '../lib/stats.mjs';

const VERIFY = 'query { verifyAuditChain { valid checked brokenAt } }';

/** Events/s of the chain check alone, on `count` events sealed and held in memory. */
async function inMemoryRate(count) {
  const { sealEvent, createChainVerifier, GENESIS_HASH } = await import('../../packages/server/dist/audit/chain.js');
  const events = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const e = sealEvent(prev, {
      seq, at: new Date(Date.UTC(2026, 0, 1) + seq * 10), kind: 'ACTION_SUBMITTED', subjectType: 'ACTION', subjectId: `a-${seq}`, actorType: 'AGENT', actorId: 'agent-1',
      data: { type: 'payments.transfer', summary: 'Wire 25,000 USD to Acme Ltd', payloadHash: 'mQ0xB2c9f3E4v5y6Z7a8b9c0d1e2f3g4h5i6j7k8l9m', risk: { score: 95, level: 'CRITICAL' }, mode: 'SYNC_APPROVAL', policy: 'payments', governanceVersion: 1, revisionOf: null },
    });
    // As rows come back from PostgreSQL: `at` as a Date, `data` parsed from jsonb.
    events.push({ ...e, data: JSON.parse(JSON.stringify(e.data)) });
    prev = e.hash;
  }
  const rates = [];
  for (let r = 0; r < 3; r++) {
    const verifier = createChainVerifier();
    const s = performance.now();
    for (const e of events) verifier.push(e);
    const seconds = (performance.now() - s) / 1000;
    if (!verifier.result().valid) throw new Error('in-memory chain did not verify');
    rates.push(count / seconds);
  }
  return median(rates);
}

export async function run({ quick, log }) {
  const sizes = quick ? [20_000, 100_000] : [100_000, 1_000_000];
  const db = await createDatabase('audit');
  let server;
  try {
    server = await startCountersign('audit', db);
    const baseline = await inMemoryRate(quick ? 20_000 : 100_000);
    log(`in-memory chain check: ${Math.round(baseline)} events/s`);
    const points = [];
    let stored = Number((await db.query('select "seq" from "audit_head" where "id" = 1'))[0].seq);
    for (const size of sizes) {
      const t0 = Date.now();
      await seedAuditEvents(db, size - stored);
      stored = size;
      await db.query('vacuum analyze "audit_event"');
      log(`${size} events stored after ${((Date.now() - t0) / 1000).toFixed(1)} s of seeding`);
      const rates = [];
      await server.startProfile();
      for (let r = 0; r < 2; r++) {
        const cpu0 = server.cpuMs();
        const s = performance.now();
        const result = (await gql(server.url, VERIFY, {}, ADMIN_TOKEN)).verifyAuditChain;
        const seconds = (performance.now() - s) / 1000;
        if (!result.valid || result.checked !== size) throw new Error(`verifyAuditChain: ${JSON.stringify(result)} for ${size} events`);
        rates.push({ rate: size / seconds, seconds, serverCpuSeconds: (server.cpuMs() - cpu0) / 1000 });
        log(`${size} events verified in ${seconds.toFixed(2)} s (${Math.round(size / seconds)} events/s; server CPU ${((server.cpuMs() - cpu0) / 1000).toFixed(2)} s)`);
      }
      await server.stopProfile(`verify-${size}`);
      points.push({ size, rate: median(rates.map((x) => x.rate)), runs: rates });
    }
    const last = points[points.length - 1];
    const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1000}k`);
    const rows = [
      {
        id: 'audit.rate', target: `audit chain verification, ${label(last.size)} events`, measured: last.rate, unit: 'events/s',
        baseline, baselineLabel: 'same check in memory, no database', ratio: last.rate / baseline, bound: '≥ 200,000 events/s', pass: last.rate >= 200_000,
        note: `verifyAuditChain through the API, median of 2; server CPU ${median(last.runs.map((x) => x.serverCpuSeconds)).toFixed(2)} s of ${median(last.runs.map((x) => x.seconds)).toFixed(2)} s wall`,
      },
      ...points.map((p) => ({
        id: `audit.growth.${p.size}`, target: `growth: audit verification at ${label(p.size)} events`, measured: p.rate, unit: 'events/s',
        baseline: points[0].rate, baselineLabel: label(points[0].size), ratio: p.rate / points[0].rate, bound: null, pass: null, kind: 'growth',
      })),
    ];
    return { rows, details: { inMemoryRate: baseline, points } };
  } finally {
    await server?.stop();
    await db.drop();
  }
}
