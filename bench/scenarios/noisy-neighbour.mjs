// DESIGN §9, noisy neighbour: while one agent floods at 10 × its rate limit, another
// agent's AUTO p99 ≤ 2 × its p99 without the flood. One server with the default rate limit
// (50 requests/s, burst 200); the neighbour submits at a steady rate under its own limit,
// alone and then beside the flood, round after round, so that drift on the box hits both.
import autocannon from 'autocannon';
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents } from '../lib/stack.mjs';
import { gql } from '../lib/graphql.mjs';
import { INPUTS, SUBMIT } from '../lib/fixtures.mjs';
import { median } from '../lib/stats.mjs';

const RATE_LIMIT = 50;
const BURST = 200;
/** The neighbour stays under its limit: only the flood may be refused. */
const NEIGHBOUR_RATE = 40;
const NEIGHBOUR_CONNECTIONS = 4;
const FLOOD_RATE = 10 * RATE_LIMIT;
// Enough connections to offer the whole rate even while accepted submissions are slow to answer.
const FLOOD_CONNECTIONS = 50;

/** Submissions of the AUTO input by one agent at `rate` requests/s for `seconds`. */
function load(url, apiKey, { rate, connections, seconds }) {
  return autocannon({
    url,
    method: 'POST',
    connections,
    overallRate: rate,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: SUBMIT, variables: { input: INPUTS.auto } }),
  }).then((result) => ({
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    ok2xx: result['2xx'],
    status429: result.statusCodeStats?.['429']?.count ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }));
}

export async function run({ quick, log }) {
  const rounds = quick ? 1 : 3;
  const seconds = quick ? 3 : 10;
  const db = await createDatabase('noisy');
  let server = null;
  try {
    server = await startCountersign('noisy', db, { env: { COUNTERSIGN_RATE_LIMIT: String(RATE_LIMIT), COUNTERSIGN_RATE_LIMIT_BURST: String(BURST) } });
    await applyGovernance(server.url);
    const [neighbour, flooder] = await createAgents(server.url, 'noisy', 2);
    const check = (await gql(server.url, SUBMIT, { input: INPUTS.auto }, neighbour.apiKey)).submitAction;
    if (check.mode !== 'AUTO' || check.status !== 'APPROVED') throw new Error(`the AUTO input landed on ${check.mode}/${check.status}`);
    const neighbourLoad = { rate: NEIGHBOUR_RATE, connections: NEIGHBOUR_CONNECTIONS, seconds };
    log(`warm-up ${seconds}s`);
    await load(server.url, neighbour.apiKey, neighbourLoad);

    const runs = { alone: [], flooded: [], flood: [] };
    for (let round = 1; round <= rounds; round++) {
      const alone = await load(server.url, neighbour.apiKey, neighbourLoad);
      runs.alone.push(alone);
      log(`round ${round} alone: p99 ${alone.p99} ms, p50 ${alone.p50} ms, ${Math.round(alone.rps)} req/s${alone.non2xx ? `, non-2xx ${alone.non2xx}` : ''}`);
      // The flood starts first and outlasts the neighbour's run, so the whole run is beside it.
      const flood = load(server.url, flooder.apiKey, { rate: FLOOD_RATE, connections: FLOOD_CONNECTIONS, seconds: seconds + 2 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const flooded = await load(server.url, neighbour.apiKey, neighbourLoad);
      const floodResult = await flood;
      runs.flooded.push(flooded);
      runs.flood.push(floodResult);
      log(`round ${round} beside the flood: p99 ${flooded.p99} ms, p50 ${flooded.p50} ms${flooded.non2xx ? `, non-2xx ${flooded.non2xx}` : ''}; ` +
        `flood sent ${Math.round(floodResult.rps)} req/s, ${floodResult.ok2xx} served, ${floodResult.status429} refused (429)`);
    }

    const m = (name, key) => median(runs[name].map((r) => r[key]));
    const neighbourFailures = [...runs.alone, ...runs.flooded].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
    const refused = runs.flood.reduce((n, r) => n + r.status429, 0);
    const p99 = { alone: m('alone', 'p99'), flooded: m('flooded', 'p99') };
    const floodSeconds = rounds * (seconds + 2);
    const rows = [
      {
        id: 'noisy.p99', target: 'noisy neighbour: AUTO p99 while another agent floods at 10 × its rate limit', measured: p99.flooded, unit: 'ms',
        baseline: p99.alone, baselineLabel: 'same agent, no flood', ratio: p99.flooded / p99.alone, bound: '≤ 2 × baseline',
        // The flood must have been refused, or it was not a flood beyond the limit.
        pass: p99.flooded / p99.alone <= 2 && neighbourFailures === 0 && refused > 0,
        note: `median of ${rounds} × ${seconds}s runs; the neighbour at ${NEIGHBOUR_RATE} req/s on ${NEIGHBOUR_CONNECTIONS} connections, the flood offered ${FLOOD_RATE} req/s on ${FLOOD_CONNECTIONS} ` +
          `(limit ${RATE_LIMIT}/s, burst ${BURST}) and sent ${Math.round(m('flood', 'rps'))}: ${Math.round(runs.flood.reduce((n, r) => n + r.ok2xx, 0) / floodSeconds)} req/s served, ${refused} refused with 429` +
          `${neighbourFailures ? `; ${neighbourFailures} failed neighbour requests` : ''}`,
      },
    ];
    return { rows, details: { runs } };
  } finally {
    await server?.stop();
    await db.drop();
  }
}
