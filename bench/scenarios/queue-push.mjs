// DESIGN §9, queue push: one new request assigned to N approvers at once (all hold the
// role its chain's level names), each subscribed to `approvalQueueUpdated` with what the
// CLI's `watch` asks for. Measured: from submitAction sent to the last approver's
// delivery, against a bare graphql-ws server broadcasting a message of the same size to
// the same number of subscribers, in alternating rounds.
import { startChild } from '../lib/proc.mjs';
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents, createApprovers, names } from '../lib/stack.mjs';
import { gql, nowMs, until } from '../lib/graphql.mjs';
import { openSubscribers } from '../lib/subscribers.mjs';
import { INPUTS, QUEUE_UPDATED, SUBMIT } from '../lib/fixtures.mjs';
import { median, percentile } from '../lib/stats.mjs';

/** Fits in PostgreSQL's 8,000-byte NOTIFY payload with one 36-character id per approver. */
const FALLBACK_SIZE = 150;

/** Arrival times of each event id at each subscriber. */
function tracker(size) {
  const seen = new Map();
  return {
    record(i, id, at) {
      let times = seen.get(id);
      if (!times) seen.set(id, (times = new Array(size).fill(0)));
      if (!times[i]) times[i] = at;
    },
    complete(id) {
      const times = seen.get(id);
      return times !== undefined && times.every((t) => t > 0);
    },
    received(id) {
      return (seen.get(id) ?? []).filter((t) => t > 0).length;
    },
    delays(id, t0) {
      return (seen.get(id) ?? []).filter((t) => t > 0).map((t) => t - t0);
    },
  };
}

/**
 * One measurement: `rounds` alternating rounds of a submitAction assigned to `size`
 * approvers and a bare broadcast to as many subscribers. `env` goes to the Countersign
 * child (a what-if tool passes COUNTERSIGN_BENCH_SERVER_MODULE).
 */
export async function measure(size, rounds, log, { env = {} } = {}) {
  const db = await createDatabase('push');
  const started = [];
  const subscriptions = [];
  try {
    const bare = await startChild(`push-bare-${size}`, 'ws-broadcast.mjs', {});
    started.push(bare);
    const cs = await startCountersign(`push-countersign-${size}`, db, { env });
    started.push(cs);
    await applyGovernance(cs.url);
    const [agent] = await createAgents(cs.url, 'agent', 1);
    log(`creating ${size} approvers with the role the chain names`);
    const approvers = await createApprovers(cs.url, names('compliance', size), ['compliance']);

    let messageBytes = 0;
    const sized = new Set();
    const csSeen = tracker(size);
    const bareSeen = tracker(size);
    subscriptions.push(
      await openSubscribers(cs.url, approvers.map((a) => ({ token: a.token })), QUEUE_UPDATED, (i, data, at) => {
        // The size of one message per request (they are alike): measuring all 1,000 would
        // delay this process's later deliveries by work the bare side's callback does not do.
        const id = data.approvalQueueUpdated.actionId;
        if (!sized.has(id)) {
          sized.add(id);
          messageBytes = JSON.stringify(data).length;
        }
        csSeen.record(i, id, at);
      }),
    );
    subscriptions.push(
      await openSubscribers(bare.url, approvers.map(() => ({})), 'subscription { updated { actionId body } }', (i, data, at) => bareSeen.record(i, data.updated.actionId, at)),
    );
    log(`${size} approvers subscribed on each server`);

    const submit = async () => {
      const t0 = nowMs();
      const action = (await gql(cs.url, SUBMIT, { input: INPUTS.compliance }, agent.apiKey)).submitAction;
      const responded = nowMs() - t0;
      if (action.status !== 'PENDING') throw new Error(`the compliance input landed on ${action.mode}/${action.status}`);
      await until(() => csSeen.complete(action.id), { timeoutMs: 60_000, what: `all ${size} approvers to receive ${action.id} (got ${csSeen.received(action.id)})` });
      const delays = csSeen.delays(action.id, t0);
      delays.responded = responded;
      return delays;
    };
    let round = 0;
    const publish = async () => {
      const id = `bare-${round++}`;
      // Same bytes on the wire as Countersign's message: {"updated":{"actionId":"…","body":"xx…"}}.
      const bodySize = Math.max(0, messageBytes - JSON.stringify({ updated: { actionId: id, body: '' } }).length);
      const t0 = nowMs();
      const response = await fetch(bare.url.replace(/\/graphql$/, '/publish'), { method: 'POST', body: JSON.stringify({ actionId: id, size: bodySize }) });
      await response.text();
      await until(() => bareSeen.complete(id), { timeoutMs: 60_000, what: `all ${size} bare subscribers to receive ${id}` });
      return bareSeen.delays(id, t0);
    };

    await submit(); // warm-up, and proof that every subscription is live
    await publish();
    const cs_ = [];
    const bare_ = [];
    await cs.startProfile();
    for (let r = 1; r <= rounds; r++) {
      const b = await publish();
      const c = await submit();
      bare_.push({ last: Math.max(...b), p50: percentile(b, 50) });
      cs_.push({ last: Math.max(...c), p50: percentile(c, 50), first: Math.min(...c), responded: c.responded });
      log(`round ${r}: countersign last delivery ${c.length ? Math.max(...c).toFixed(1) : '—'} ms (submitAction response ${c.responded.toFixed(1)} ms, first delivery ${Math.min(...c).toFixed(1)} ms), bare ${Math.max(...b).toFixed(1)} ms (${messageBytes} bytes each)`);
    }
    await cs.stopProfile('rounds');
    return {
      size,
      messageBytes,
      rounds,
      countersignLast: median(cs_.map((x) => x.last)),
      bareLast: median(bare_.map((x) => x.last)),
      countersign: cs_,
      bare: bare_,
      subscriptionErrors: subscriptions.reduce((n, s) => n + s.errors.length, 0),
    };
  } finally {
    for (const s of subscriptions) await s.close();
    for (const child of started.reverse()) await child.stop();
    await db.drop();
  }
}

export async function run({ quick, log }) {
  const size = quick ? 100 : 1000;
  const rounds = quick ? 3 : 5;
  const rows = [];
  const details = {};
  const toRow = (m, id, target, bound, pass) => ({
    id,
    target,
    measured: m.countersignLast,
    unit: 'ms',
    baseline: m.bareLast,
    baselineLabel: 'bare graphql-ws broadcast',
    ratio: m.countersignLast / m.bareLast,
    bound,
    pass,
    note: `last of ${m.size} deliveries after submitAction was sent, median of ${m.rounds} rounds, ${m.messageBytes}-byte messages; ` +
      `median delivery ${median(m.countersign.map((x) => x.p50)).toFixed(1)} ms vs ${median(m.bare.map((x) => x.p50)).toFixed(1)} ms bare; ` +
      `submitAction response ${median(m.countersign.map((x) => x.responded)).toFixed(1)} ms, first delivery ${median(m.countersign.map((x) => x.first)).toFixed(1)} ms`,
  });
  try {
    const m = await measure(size, rounds, log);
    details.target = m;
    rows.push(toRow(m, 'push.last', `queue push to ${size.toLocaleString('en-US')} approvers, last delivery`, '≤ 1.5 × baseline', m.countersignLast / m.bareLast <= 1.5 && m.subscriptionErrors === 0));
  } catch (error) {
    log(`queue push to ${size} approvers failed: ${error.message}`);
    details.target = { size, error: error.message };
    rows.push({
      id: 'push.last', target: `queue push to ${size.toLocaleString('en-US')} approvers, last delivery`, measured: 'error', baseline: null, ratio: null,
      bound: '≤ 1.5 × baseline', pass: false, note: `submitAction failed: ${error.message.slice(0, 240)}`,
    });
    if (size > FALLBACK_SIZE) {
      log(`measuring at ${FALLBACK_SIZE} approvers instead, the most one NOTIFY payload can name`);
      const m = await measure(FALLBACK_SIZE, rounds, log);
      details.fallback = m;
      rows.push(toRow(m, 'push.fallback', `queue push to ${FALLBACK_SIZE} approvers (largest that fits a NOTIFY)`, '≤ 1.5 × baseline', m.countersignLast / m.bareLast <= 1.5));
    }
  }
  return { rows, details };
}
