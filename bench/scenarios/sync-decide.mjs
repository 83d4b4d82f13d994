// DESIGN §9, SYNC path: N agents each wait on their own pending request over graphql-ws
// (`actionUpdated`, as the SDK does) while approvers decide them at a steady rate — a busy
// approval desk, far above human pace but below what the server can decide (the point is
// the push to one of N waiting agents, not an overloaded decide). Each agent's latency
// runs from the moment `decide` is sent to the moment the agent receives the APPROVED
// update. Phase 1: agents and approvers on the same instance;
// phase 2: agents on instance A, approvers on instance B (the event crosses through
// PostgreSQL LISTEN/NOTIFY).
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents, createApprovers, names } from '../lib/stack.mjs';
import { gql, pool, nowMs, until } from '../lib/graphql.mjs';
import { openSubscribers } from '../lib/subscribers.mjs';
import { ACTION_UPDATED, DECIDE, INPUTS, SUBMIT } from '../lib/fixtures.mjs';
import { summary } from '../lib/stats.mjs';
import { sampleActivity, describeActivity } from '../lib/activity.mjs';

export async function run({ quick, log }) {
  const agentsCount = quick ? 100 : 1000;
  const approversCount = 4;
  const decisionsPerSecond = 25;
  const decisions = quick ? 100 : 400;
  const db = await createDatabase('sync');
  const started = [];
  try {
    const a = await startCountersign('sync-a', db);
    started.push(a);
    const b = await startCountersign('sync-b', db);
    started.push(b);
    await applyGovernance(a.url);
    const approvers = await createApprovers(a.url, names('fin', approversCount), ['finance']);
    log(`creating ${agentsCount} agents`);
    const agents = await createAgents(a.url, 'agent', agentsCount);

    const phases = [];
    for (const [label, decideOn] of [['same instance', a], ['across instances', b]]) {
      log(`${label}: ${agentsCount} agents submit a SYNC request each`);
      const ids = await pool(agentsCount, 8, async (i) => {
        const action = (await gql(a.url, SUBMIT, { input: INPUTS.sync }, agents[i].apiKey)).submitAction;
        if (action.status !== 'PENDING') throw new Error(`the SYNC input landed on ${action.mode}/${action.status}`);
        return action.id;
      });
      const firstSeen = new Array(agentsCount).fill(false);
      const approvedAt = new Array(agentsCount).fill(0);
      const subs = await openSubscribers(
        a.url,
        agents.map((agent, i) => ({ token: agent.apiKey, variables: { id: ids[i] } })),
        ACTION_UPDATED,
        (i, data, at) => {
          const status = data.actionUpdated.status;
          if (status === 'PENDING') firstSeen[i] = true;
          else if (status === 'APPROVED' && !approvedAt[i]) approvedAt[i] = at;
        },
      );
      try {
        await until(() => firstSeen.every(Boolean), { timeoutMs: 60_000, what: 'every agent to see its pending request' });
        log(`${label}: ${agentsCount} agents waiting on ${a.name}; ${approversCount} approvers deciding ${decisions} of them on ${decideOn.name}, ${decisionsPerSecond}/s`);
        const sentAt = new Array(agentsCount).fill(0);
        const answeredAt = new Array(agentsCount).fill(0);
        const failures = [];
        const t0 = nowMs();
        const activity = sampleActivity(db);
        await a.startProfile();
        if (decideOn !== a) await decideOn.startProfile();
        const inFlight = [];
        for (let i = 0; i < decisions; i++) {
          const wait = t0 + (i * 1000) / decisionsPerSecond - nowMs();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          sentAt[i] = nowMs();
          inFlight.push(
            gql(decideOn.url, DECIDE, { input: { actionId: ids[i], verdict: 'APPROVE', comment: 'ok' } }, approvers[i % approversCount].token).then(
              () => (answeredAt[i] = nowMs()),
              (error) => failures.push(error.message),
            ),
          );
        }
        await Promise.all(inFlight);
        const decidesPerSecond = decisionsPerSecond;
        const database = await activity.stop();
        await a.stopProfile(label.replace(/ /g, '-'));
        if (decideOn !== a) await decideOn.stopProfile(label.replace(/ /g, '-'));
        await until(() => approvedAt.every((t, i) => t > 0 || !answeredAt[i] || i >= decisions), { timeoutMs: 30_000, what: 'every agent to receive its decision' }).catch((e) => failures.push(e.message));
        const delivered = approvedAt.map((t, i) => (t && sentAt[i] ? t - sentAt[i] : null)).filter((x) => x !== null);
        const afterResponse = approvedAt.map((t, i) => (t && answeredAt[i] ? t - answeredAt[i] : null)).filter((x) => x !== null);
        const decideLatency = answeredAt.map((t, i) => (t ? t - sentAt[i] : null)).filter((x) => x !== null);
        const phase = {
          label,
          agents: agentsCount,
          approvers: approversCount,
          decidesPerSecond,
          delivered: delivered.length,
          decided: decisions,
          missing: decisions - delivered.length,
          sendToAgent: summary(delivered),
          responseToAgent: summary(afterResponse),
          decideResponse: summary(decideLatency),
          subscriptionErrors: subs.errors.length,
          failures: failures.slice(0, 5),
          failureCount: failures.length,
          database,
        };
        log(`${label}: ${decidesPerSecond.toFixed(0)} decisions/s; decide→agent p50 ${phase.sendToAgent.p50} ms, p99 ${phase.sendToAgent.p99} ms, max ${phase.sendToAgent.max} ms; decide response p99 ${phase.decideResponse.p99} ms; missing ${phase.missing}`);
        log(`${label}: PostgreSQL backends while deciding (average): ${describeActivity(database)}`);
        phases.push(phase);
      } finally {
        await subs.close();
      }
    }

    const row = (phase, id, bound) => ({
      id,
      target: `decide → actionUpdated p99, ${phase.agents.toLocaleString('en-US')} waiting agents, ${phase.label}`,
      measured: phase.sendToAgent.p99,
      unit: 'ms',
      baseline: null,
      ratio: null,
      bound: `≤ ${bound} ms`,
      pass: phase.sendToAgent.p99 <= bound && phase.missing === 0 && phase.failureCount === 0,
      note:
        `from decide sent to update received; ${phase.decided} of the ${phase.agents} decided at ${phase.decidesPerSecond} decisions/s by ${phase.approvers} approvers; p50 ${phase.sendToAgent.p50} ms, max ${phase.sendToAgent.max} ms; ` +
        `the decide mutation alone: p50 ${phase.decideResponse.p50} ms, p99 ${phase.decideResponse.p99} ms; after its response: p99 ${phase.responseToAgent.p99} ms` +
        `; database connections on average: ${describeActivity(phase.database, 3)}` +
        `${phase.missing ? `; ${phase.missing} agents never received it` : ''}${phase.failureCount ? `; ${phase.failureCount} failures: ${phase.failures[0]}` : ''}`,
    });
    return { rows: [row(phases[0], 'sync.same', 50), row(phases[1], 'sync.cross', 100)], details: { phases } };
  } finally {
    for (const child of started.reverse()) await child.stop();
    await db.drop();
  }
}
