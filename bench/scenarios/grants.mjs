// DESIGN §9, grants: a SYNC_APPROVAL request covered by a standing approval (DESIGN §12)
// answers within 1.2 × an AUTO submission's p50, same run, same server. One agent submits
// the AUTO input; another submits a HIGH payment its policy holds for approval, covered by
// a grant an approver of the payments chain made (createGrant, no use limit), so each is
// APPROVED at once (statusReason GRANTED) with a receipt, its use counted and a review
// assignment for the granter. Both through the SDK's `submit`, one call at a time, turn
// by turn, with a short pause after each so that the notifications one call starts
// (the granter's review queue) do not land on the next call.
import { createClient } from '@countersign/sdk';
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, createAgents, createApprovers, ADMIN_TOKEN } from '../lib/stack.mjs';
import { gql } from '../lib/graphql.mjs';
import { INPUTS, governanceYaml } from '../lib/fixtures.mjs';
import { median, percentile } from '../lib/stats.mjs';

const BOUND = 1.2;
const PAUSE_MS = 20;

/**
 * The bench document with grants allowed under the payments policy, and no behaviour
 * points (a burst of identical payments would otherwise score a rate spike and turn
 * CRITICAL, which no grant covers).
 */
function grantsGovernance() {
  const document = governanceYaml();
  const behaviour = /behaviour: \{[^}]*\}/;
  const payments = "match: 'action.type.startsWith(\"payments.\")'";
  if (!behaviour.test(document) || document.split(payments).length !== 2) throw new Error('the bench governance document changed shape');
  return document
    .replace(behaviour, 'behaviour: { newActionType: 0, rateSpike: 0, unusualAmount: 0, recentDenials: 0 }')
    .replace(payments, `${payments}\n    grants: { allowed: true, maxTtl: 24h, maxLevel: HIGH }`);
}

/** WRITE (20) + CONFIDENTIAL (25) + external (25) = 70 → HIGH → SYNC_APPROVAL under payments, routed to finance. */
const GRANTED_INPUT = {
  type: 'payments.transfer', operation: 'WRITE', summary: 'Pay the monthly Acme invoice', justification: 'Invoice INV-7 is due',
  dataClassification: 'CONFIDENTIAL', destination: { system: 'swift', external: true }, amount: { value: 800, currency: 'EUR' },
  payload: { to: 'ACME-IBAN', amount: 800, currency: 'EUR', reference: 'INV-7' },
};

async function measure(count, systems) {
  const latencies = Object.fromEntries(Object.keys(systems).map((name) => [name, []]));
  for (let i = 0; i < count; i++) {
    // Interleaved call by call, so that the box's drift hits both alike.
    for (const [name, call] of Object.entries(systems)) {
      const started = performance.now();
      await call();
      latencies[name].push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }
  return latencies;
}

export async function run({ quick, log }) {
  const rounds = quick ? 2 : 3;
  const calls = quick ? 150 : 400;
  const warmup = quick ? 30 : 100;
  const db = await createDatabase('grants');
  const closers = [];
  let server;
  try {
    server = await startCountersign('grants', db);
    const applied = (await gql(server.url, 'mutation($d: String!) { applyGovernance(document: $d) { applied } }', { d: grantsGovernance() }, ADMIN_TOKEN)).applyGovernance;
    if (!applied.applied) throw new Error('the grants governance document was not applied');
    const [fiona] = await createApprovers(server.url, ['fiona'], ['finance']);
    await createApprovers(server.url, ['lars'], ['finance-lead']);
    await createApprovers(server.url, ['cfo'], []);
    const [autoAgent, grantedAgent] = await createAgents(server.url, 'grants-agent', 2);
    const grant = (await gql(server.url, 'mutation($input: CreateGrantInput!) { createGrant(input: $input) { id } }', {
      input: { agentId: grantedAgent.id, actionType: 'payments.transfer', maxAmount: { value: 1000, currency: 'EUR' }, reason: 'bench' },
    }, fiona.token)).createGrant;

    const auto = createClient({ url: server.url, apiKey: autoAgent.apiKey });
    closers.push(() => auto.dispose());
    const granted = createClient({ url: server.url, apiKey: grantedAgent.apiKey });
    closers.push(() => granted.dispose());
    const systems = {
      auto: async () => {
        const action = await auto.submit(INPUTS.auto);
        if (action.mode !== 'AUTO' || action.status !== 'APPROVED') throw new Error(`the AUTO input landed on ${action.mode}/${action.status}`);
      },
      granted: async () => {
        const action = await granted.submit(GRANTED_INPUT);
        if (action.mode !== 'SYNC_APPROVAL' || action.status !== 'APPROVED' || action.statusReason !== 'GRANTED') {
          throw new Error(`the granted input landed on ${action.mode}/${action.status}/${action.statusReason} (level ${action.risk?.level})`);
        }
      },
    };
    log(`warm-up: ${warmup} calls of each`);
    await measure(warmup, systems);
    const runs = { auto: [], granted: [] };
    for (let round = 1; round <= rounds; round++) {
      const latencies = await measure(calls, systems);
      for (const name of Object.keys(systems)) {
        const r = { p50: percentile(latencies[name], 50), p99: percentile(latencies[name], 99) };
        runs[name].push(r);
        log(`round ${round} ${name}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms over ${calls} calls`);
      }
    }

    // Every granted call must have used the grant (not been let through some other way).
    const expected = warmup + rounds * calls;
    const { grants } = await gql(server.url, '{ grants(first: 1) { nodes { id uses } } }', {}, ADMIN_TOKEN);
    const used = grants.nodes.find((g) => g.id === grant.id)?.uses;
    if (used !== expected) throw new Error(`the grant counts ${used} uses, expected ${expected}`);

    const m = (name, key) => median(runs[name].map((r) => r[key]));
    const baseline = m('auto', 'p50');
    const measured = m('granted', 'p50');
    const ratio = measured / baseline;
    return {
      rows: [
        {
          id: 'grants.sync',
          target: 'grants: SYNC request covered by a grant, p50',
          measured,
          unit: 'ms',
          baseline,
          baselineLabel: 'an AUTO submitAction, same rounds',
          ratio,
          bound: `≤ ${BOUND} × baseline`,
          pass: ratio <= BOUND,
          note:
            `the SDK's submit, ${rounds} rounds × ${calls} calls of each in turn, one at a time with a ${PAUSE_MS} ms pause after each, median of round p50s; ` +
            `every granted call APPROVED with statusReason GRANTED and counted on the grant (${expected} uses); ` +
            `p99: granted ${m('granted', 'p99').toFixed(2)} ms, AUTO ${m('auto', 'p99').toFixed(2)} ms`,
        },
      ],
      details: { runs },
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await server?.stop();
    await db.drop();
  }
}
