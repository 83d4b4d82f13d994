// DESIGN §9, approval queue page: the first page of 50 with the context an approver
// decides on, as one approver of a busy finance team sees it, at growing store sizes
// (1k / 10k / 100k stored requests) in one database. The store keeps one mix at every
// size: 10% pending (in the queue of both finance approvers, since role assignment puts
// every pending payment in front of every holder of the role), 90% decided, spread over
// 50 agents. p95 over sequential requests (latency of a page, not throughput).
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents, createApprovers } from '../lib/stack.mjs';
import { gql } from '../lib/graphql.mjs';
import { INPUTS, QUEUE_PAGE, SUBMIT } from '../lib/fixtures.mjs';
import { summary } from '../lib/stats.mjs';
import { cloneRequests } from '../lib/seed.mjs';

const AGENTS = 50;

export async function run({ quick, log }) {
  const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  const requests = quick ? 60 : 200;
  const db = await createDatabase('page');
  let server;
  try {
    server = await startCountersign('page', db);
    await applyGovernance(server.url);
    const [approver] = await createApprovers(server.url, ['fin-0', 'fin-1'], ['finance']);
    const agents = await createAgents(server.url, 'agent', AGENTS);
    const template = (await gql(server.url, SUBMIT, { input: INPUTS.sync }, agents[0].apiKey)).submitAction;
    const set = {
      // i runs on across sizes, so the store only grows: older rows first, newest last.
      status: `case when i % 10 = 0 then 'PENDING' else 'APPROVED' end`,
      status_reason: `case when i % 10 = 0 then null else t."status_reason" end`,
      created_at: `now() - interval '30 days' + i * interval '1 second'`,
      updated_at: `now() - interval '30 days' + i * interval '1 second'`,
      decided_at: `case when i % 10 = 0 then null else now() - interval '30 days' + i * interval '1 second' + interval '5 minutes' end`,
      deadline: `case when i % 10 = 0 then now() + interval '1 hour' + i * interval '1 millisecond' else now() - interval '30 days' + i * interval '1 second' + interval '1 hour' end`,
      approved_payload: `case when i % 10 = 0 then null else t."payload" end`,
    };
    let stored = 1;
    const points = [];
    for (const size of sizes) {
      const t0 = Date.now();
      await cloneRequests(db, { templateId: template.id, count: size - stored, agentIds: agents.map((a) => a.id), set, offset: stored });
      stored = size;
      const [{ n, pending }] = await db.query(`select count(*)::int as n, count(*) filter (where "status" = 'PENDING')::int as pending from "action_request"`);
      log(`${n} stored (${pending} pending) after ${((Date.now() - t0) / 1000).toFixed(1)} s of seeding`);
      const page = (await gql(server.url, QUEUE_PAGE, { first: 50 }, approver.token)).approvalQueue;
      if (page.nodes.length !== 50 || page.totalCount !== pending) throw new Error(`page of ${page.nodes.length}, totalCount ${page.totalCount}, expected 50 of ${pending}`);
      for (let w = 0; w < 10; w++) await gql(server.url, QUEUE_PAGE, { first: 50 }, approver.token);
      const times = [];
      await server.startProfile();
      const cpu0 = server.cpuMs();
      const deadline = Date.now() + 60_000;
      for (let r = 0; r < requests && Date.now() < deadline; r++) {
        const s = performance.now();
        await gql(server.url, QUEUE_PAGE, { first: 50 }, approver.token);
        times.push(performance.now() - s);
      }
      await server.stopProfile(`stored-${n}`);
      const point = { stored: n, pending, ...summary(times), serverCpuMsPerPage: (server.cpuMs() - cpu0) / times.length };
      points.push(point);
      log(`${n} stored: p50 ${point.p50} ms, p95 ${point.p95} ms, server CPU ${point.serverCpuMsPerPage.toFixed(1)} ms/page`);
    }
    const first = points[0];
    const last = points[points.length - 1];
    const label = (p) => `${(p.stored / 1000).toLocaleString('en-US')}k`;
    const rows = [
      {
        id: 'page.p95', target: `approval queue page (50, with context) p95, ${label(last)} stored`, measured: last.p95, unit: 'ms',
        baseline: null, ratio: null, bound: '≤ 50 ms', pass: last.p95 <= 50,
        note: `${requests} sequential pages as one finance approver; ${last.pending.toLocaleString('en-US')} requests in their queue; server CPU ${last.serverCpuMsPerPage.toFixed(1)} ms per page`,
      },
      {
        id: 'page.growth', target: `approval queue page p95, ${label(last)} vs ${label(first)} stored`, measured: last.p95, unit: 'ms',
        baseline: first.p95, baselineLabel: `${label(first)} stored`, ratio: last.p95 / first.p95, bound: '≤ 2 × baseline', pass: last.p95 / first.p95 <= 2,
        note: `queue length grows with the store (10% pending): ${first.pending} → ${last.pending}`,
      },
      ...points.map((p) => ({
        id: `page.growth.${p.stored}`, target: `growth: queue page p95 at ${label(p)} stored`, measured: p.p95, unit: 'ms', baseline: first.p95,
        baselineLabel: `${label(first)}`, ratio: p.p95 / first.p95, bound: null, pass: null, kind: 'growth',
      })),
    ];
    return { rows, details: { points } };
  } finally {
    await server?.stop();
    await db.drop();
  }
}
