// DESIGN §9, idle subscriptions: N agents each waiting on its own pending request
// (`actionUpdated`, one graphql-ws connection each, as the SDK holds them) on one
// instance; the server's RSS alone (VmRSS of its process) with all of them open, against
// the same server idle with none.
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents, createApprovers } from '../lib/stack.mjs';
import { gql, until } from '../lib/graphql.mjs';
import { openSubscribers } from '../lib/subscribers.mjs';
import { ACTION_UPDATED, INPUTS, SUBMIT } from '../lib/fixtures.mjs';
import { cloneRequests } from '../lib/seed.mjs';

const MB = 1024 * 1024;
const AGENTS = 100;

async function settledRss(server, ms = 3000) {
  const samples = [];
  for (let t = 0; t < ms; t += 500) {
    await new Promise((r) => setTimeout(r, 500));
    samples.push(server.rss());
  }
  return Math.max(...samples);
}

export async function run({ quick, log }) {
  const count = quick ? 500 : 10_000;
  const db = await createDatabase('idle');
  let server;
  let subs;
  try {
    server = await startCountersign('idle', db);
    await applyGovernance(server.url);
    await createApprovers(server.url, ['fin-0'], ['finance']);
    const agents = await createAgents(server.url, 'agent', AGENTS);
    const template = (await gql(server.url, SUBMIT, { input: INPUTS.sync }, agents[0].apiKey)).submitAction;
    await cloneRequests(db, { templateId: template.id, count: count - 1, agentIds: agents.map((a) => a.id) });
    const rows = await db.query(`select "id", "agent_id" from "action_request" where "status" = 'PENDING' order by "created_at", "id"`);
    if (rows.length !== count) throw new Error(`expected ${count} pending requests, found ${rows.length}`);
    const keyOf = new Map(agents.map((a) => [a.id, a.apiKey]));
    // Warm the code paths once so the idle figure is the server ready for work, not cold.
    const warm = await openSubscribers(server.url, [{ token: keyOf.get(rows[0].agent_id), variables: { id: rows[0].id } }], ACTION_UPDATED, () => undefined);
    await warm.close();
    const idle = await settledRss(server);
    const idleAfterGc = await server.memory(true);
    log(`server idle: ${(idle / MB).toFixed(0)} MB RSS; opening ${count} subscriptions`);

    let seen = 0;
    const first = new Uint8Array(count);
    subs = await openSubscribers(
      server.url,
      rows.map((r) => ({ token: keyOf.get(r.agent_id), variables: { id: r.id } })),
      ACTION_UPDATED,
      (i) => {
        if (!first[i]) {
          first[i] = 1;
          seen++;
        }
      },
      { concurrency: 100, timeoutMs: 300_000 },
    );
    await until(() => seen === count, { timeoutMs: 120_000, what: `all ${count} subscriptions to receive their first state (got ${seen})` });
    const loaded = await settledRss(server);
    const perSubscription = (loaded - idle) / count;
    const idleMemory = idleAfterGc;
    const afterGc = await server.memory(true);
    const rssAfterGc = await settledRss(server, 1000);
    log(`${count} subscriptions open: ${(loaded / MB).toFixed(0)} MB RSS (${(perSubscription / 1024).toFixed(1)} KB each); errors ${subs.errors.length}`);
    return {
      rows: [{
        id: 'idle.rss',
        target: `${count.toLocaleString('en-US')} idle subscriptions, server RSS`,
        measured: loaded / MB,
        unit: 'MB',
        baseline: idle / MB,
        baselineLabel: 'same server, none open',
        ratio: loaded / idle,
        bound: '≤ 500 MB',
        pass: loaded / MB <= 500 && subs.errors.length === 0,
        note: `one graphql-ws connection per agent, each subscribed to actionUpdated on its own pending request; ${(perSubscription / 1024).toFixed(1)} KB of RSS per subscription; ` +
          `after a forced full GC: heap used ${(afterGc.heapUsed / MB).toFixed(0)} MB (idle ${(idleMemory.heapUsed / MB).toFixed(0)} MB, ${((afterGc.heapUsed - idleMemory.heapUsed) / count / 1024).toFixed(1)} KB live heap per subscription), RSS ${(rssAfterGc / MB).toFixed(0)} MB ` +
          `(V8 heap reserved ${(afterGc.heapTotal / MB).toFixed(0)} MB, outside the heap ${(afterGc.external / MB).toFixed(0)} MB of which buffers ${(afterGc.arrayBuffers / MB).toFixed(0)} MB)`,
      }],
      details: { count, idleBytes: idle, loadedBytes: loaded, perSubscriptionBytes: perSubscription, idleMemoryAfterGc: idleMemory, memoryAfterGc: afterGc, rssAfterGc, errors: subs.errors.slice(0, 5) },
    };
  } finally {
    await subs?.close();
    await server?.stop();
    await db.drop();
  }
}
