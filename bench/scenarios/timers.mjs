// DESIGN §9, escalation timers: N pending requests, each with its level-1 ESCALATE timer
// row, on two instances that both run the timer worker (production settings: poll every
// 250 ms). D of the timers come due spread evenly over a window; the rest wait an hour.
// Lateness = when the escalation's commit is visible (its NOTIFY reaches the bench's own
// LISTEN connection) minus the timer's due time. Exactly once = one ESCALATED audit event
// and one notification per due request, none for the others. Then a burst: B timers due
// at the same instant, to measure how fast two instances drain them.
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents, createApprovers } from '../lib/stack.mjs';
import { gql, nowMs, until } from '../lib/graphql.mjs';
import { INPUTS, SUBMIT } from '../lib/fixtures.mjs';
import { summary } from '../lib/stats.mjs';
import { cloneRequests } from '../lib/seed.mjs';
import { sampleActivity, describeActivity } from '../lib/activity.mjs';

/** Makes `count` of the hour-away ESCALATE timers due from `startMs`, evenly over `windowMs`; returns {actionId → due ms}. */
async function scheduleDue(db, count, startMs, windowMs, exclude) {
  const rows = await db.query(
    `with chosen as (
       select "id", row_number() over (order by "due_at", "id") - 1 as k from "timer"
       where "kind" = 'ESCALATE' and "level" = 1 and "due_at" > now() + interval '10 minutes' and "action_id" <> all($4::uuid[])
       order by "due_at", "id" limit $1
     ),
     moved as (
       update "timer" t set "due_at" = to_timestamp(($2::float8 + c.k * $3::float8 / greatest($1 - 1, 1)) / 1000.0)
       from chosen c where t."id" = c."id"
       returning t."action_id", t."due_at"
     ),
     synced as (
       update "action_request" a set "deadline" = m."due_at" from moved m where a."id" = m."action_id" returning 1
     )
     select "action_id", extract(epoch from "due_at") * 1000 as due from moved`,
    [count, startMs, windowMs, exclude],
  );
  return new Map(rows.map((r) => [r.action_id, Number(r.due)]));
}

async function measure(pending, dueCount, windowMs, burst, log) {
  const db = await createDatabase('timers');
  const started = [];
  let listener;
  try {
    const a = await startCountersign('timers-a', db);
    started.push(a);
    const b = await startCountersign('timers-b', db);
    started.push(b);
    await applyGovernance(a.url);
    await createApprovers(a.url, ['fin-0'], ['finance']);
    await createApprovers(a.url, ['lead-0'], ['finance-lead']);
    const agents = await createAgents(a.url, 'agent', 10);
    const template = (await gql(a.url, SUBMIT, { input: INPUTS.sync }, agents[0].apiKey)).submitAction;
    await cloneRequests(db, {
      templateId: template.id,
      count: pending - 1,
      agentIds: agents.map((x) => x.id),
      set: { deadline: `now() + interval '1 hour' + i * interval '1 millisecond'` },
      timers: true,
    });
    const [{ n }] = await db.query(`select count(*)::int as n from "timer" where "kind" = 'ESCALATE'`);
    log(`${pending} pending requests, ${n} ESCALATE timers (plus the template's own warning timer)`);

    // The commit of each escalation, as any instance would learn it.
    const seen = new Map();
    listener = await db.client();
    listener.on('notification', (message) => {
      const at = nowMs();
      const { actionId } = JSON.parse(message.payload);
      const entry = seen.get(actionId);
      if (entry) entry.count++;
      else seen.set(actionId, { at, count: 1 });
    });
    await listener.query('listen countersign_events');

    const phase = async (label, count, startInMs, spanMs) => {
      await a.startProfile();
      await b.startProfile();
      const cpu0 = a.cpuMs() + b.cpuMs();
      const activity = sampleActivity(db);
      const due = await scheduleDue(db, count, Date.now() + startInMs, spanMs, [template.id]);
      const lastDue = Math.max(...due.values());
      const deadline = lastDue + 60_000;
      await until(() => [...due.keys()].every((id) => seen.has(id)) || Date.now() > deadline, { timeoutMs: spanMs + startInMs + 70_000, intervalMs: 100, what: `${label} timers` });
      // Late duplicates would come after the first delivery: give them a moment.
      await new Promise((r) => setTimeout(r, 1000));
      const database = await activity.stop();
      const serverCpuMsPerTimer = (a.cpuMs() + b.cpuMs() - cpu0) / count;
      await a.stopProfile(`${pending}-${label}`);
      await b.stopProfile(`${pending}-${label}`);
      const lateness = [];
      let missing = 0;
      let lastFired = 0;
      for (const [id, dueAt] of due) {
        const s = seen.get(id);
        if (!s) missing++;
        else {
          lateness.push(Math.max(0, s.at - dueAt) / 1000);
          lastFired = Math.max(lastFired, s.at);
        }
      }
      const firstDue = Math.min(...due.values());
      const result = { label, count, windowMs: spanMs, missing, lateness: summary(lateness), drainSeconds: (lastFired - firstDue) / 1000, serverCpuMsPerTimer, database };
      log(`${label}: ${count} due over ${spanMs / 1000} s → lateness p50 ${result.lateness.p50} s, p99 ${result.lateness.p99} s, max ${result.lateness.max} s; missing ${missing}; last fired ${result.drainSeconds.toFixed(2)} s after the first was due`);
      log(`${label}: both servers ${serverCpuMsPerTimer.toFixed(1)} ms CPU per timer; PostgreSQL backends (average): ${describeActivity(database)}`);
      return { ...result, ids: [...due.keys()] };
    };

    const spread = await phase('spread', dueCount, 3000, windowMs);
    const burstResult = burst ? await phase('burst', burst, 2000, 0) : null;

    const fired = [...spread.ids, ...(burstResult?.ids ?? [])];
    const [{ escalated, duplicates, strays }] = await db.query(
      `with e as (select "subject_id", count(*) as c from "audit_event" where "kind" = 'ESCALATED' group by "subject_id")
       select coalesce(sum(c) filter (where "subject_id" = any($1::text[])), 0)::int as escalated,
              count(*) filter (where c > 1)::int as duplicates,
              count(*) filter (where not ("subject_id" = any($1::text[])))::int as strays
       from e`,
      [fired],
    );
    const doubleNotified = fired.filter((id) => (seen.get(id)?.count ?? 0) > 1).length;
    const exactlyOnce = { due: fired.length, escalated, duplicates, strays, doubleNotified };
    log(`exactly once: ${fired.length} due, ${escalated} ESCALATED events, ${duplicates} requests escalated twice, ${strays} escalated early, ${doubleNotified} notified twice`);
    delete spread.ids;
    if (burstResult) delete burstResult.ids;
    return { pending, spread, burst: burstResult, exactlyOnce };
  } finally {
    await listener?.end().catch(() => undefined);
    for (const child of started.reverse()) await child.stop();
    await db.drop();
  }
}

export async function run({ quick, log }) {
  const sizes = quick ? [200, 1000] : [1000, 10_000];
  const dueCount = quick ? 100 : 1000;
  const windowMs = quick ? 2000 : 10_000;
  const burst = quick ? 100 : 2000;
  const points = [];
  for (const size of sizes) {
    log(`${size} pending on two instances`);
    points.push(await measure(size, Math.min(size, dueCount), windowMs, size === sizes[sizes.length - 1] ? burst : 0, log));
  }
  const first = points[0];
  const last = points[points.length - 1];
  const rate = (p) => `${(p.spread.count / (p.spread.windowMs / 1000)).toFixed(0)} due/s`;
  const once = last.exactlyOnce;
  const onceOk = points.every((p) => p.exactlyOnce.escalated === p.exactlyOnce.due && p.exactlyOnce.duplicates === 0 && p.exactlyOnce.strays === 0 && p.exactlyOnce.doubleNotified === 0);
  const rows = [
    {
      id: 'timers.p99', target: `escalation lateness p99, ${last.pending.toLocaleString('en-US')} pending, two instances`, measured: last.spread.lateness.p99, unit: 's',
      baseline: null, ratio: null, bound: '≤ 1.5 s', pass: last.spread.lateness.p99 <= 1.5 && last.spread.missing === 0,
      note: `${last.spread.count} timers due over ${last.spread.windowMs / 1000} s (${rate(last)}); p50 ${last.spread.lateness.p50} s, max ${last.spread.lateness.max} s, ${last.spread.missing} never fired; from due time to the escalation's commit (NOTIFY received); ${last.spread.serverCpuMsPerTimer.toFixed(1)} ms of server CPU per timer`,
    },
    {
      id: 'timers.once', target: 'escalation timers fire exactly once, two instances', measured: `${once.escalated}/${once.due}`, baseline: null, ratio: null,
      bound: 'each due timer once, no other', pass: onceOk,
      note: points.map((p) => `${p.pending} pending: ${p.exactlyOnce.escalated} ESCALATED events for ${p.exactlyOnce.due} due timers, ${p.exactlyOnce.duplicates} escalated twice, ${p.exactlyOnce.strays} escalated early, ${p.exactlyOnce.doubleNotified} notified twice`).join('; '),
    },
    ...points.map((p) => ({
      id: `timers.growth.${p.pending}`, target: `growth: timer lateness p99 at ${p.pending.toLocaleString('en-US')} pending`, measured: p.spread.lateness.p99, unit: 's',
      baseline: first.spread.lateness.p99, baselineLabel: `${first.pending.toLocaleString('en-US')} pending`, ratio: p.spread.lateness.p99 / first.spread.lateness.p99, bound: null, pass: null, kind: 'growth',
      note: `${rate(p)}`,
    })),
  ];
  if (last.burst) {
    rows.push({
      id: 'timers.burst', target: `timer burst: ${last.burst.count.toLocaleString('en-US')} due at once, ${last.pending.toLocaleString('en-US')} pending, two instances`,
      measured: last.burst.count / Math.max(last.burst.drainSeconds, 0.001), unit: 'timers/s', baseline: null, ratio: null, bound: null, pass: null, kind: 'info',
      note: `all fired ${last.burst.drainSeconds.toFixed(1)} s after their due time; lateness p50 ${last.burst.lateness.p50} s, p99 ${last.burst.lateness.p99} s; ${last.burst.serverCpuMsPerTimer.toFixed(1)} ms of server CPU per timer; database connections on average: ${describeActivity(last.burst.database, 3)}`,
    });
  }
  return { rows, details: { points } };
}
