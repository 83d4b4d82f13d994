// DESIGN §9, web app: the first screen's JS + CSS (gzip) against its bound, and how long an
// approver with 1,000 pending requests waits, in headless Chromium on the same box, from
// pressing "Sign in" to their queue on screen. Each sign-in is a fresh browser context
// (nothing cached), so it counts loading the app's code as well as the queue.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents, createApprovers } from '../lib/stack.mjs';
import { gql } from '../lib/graphql.mjs';
import { INPUTS, SUBMIT } from '../lib/fixtures.mjs';
import { summary } from '../lib/stats.mjs';
import { cloneRequests } from '../lib/seed.mjs';

const DIST = fileURLToPath(new URL('../../packages/web/dist/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PENDING = 1000;

/** The first screen's files: what index.html loads (entry script, its preloads, styles), gzip. */
async function firstScreenBytes() {
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  let gzip = 0;
  for (const file of files) gzip += gzipSync(await readFile(path.join(DIST, file)), { level: 9 }).length;
  return { files, gzip };
}

export async function run({ quick, log }) {
  if (!existsSync(path.join(DIST, 'index.html'))) throw new Error('packages/web/dist is missing: `pnpm bench` builds it (pnpm run build:web)');
  const bundle = await firstScreenBytes();
  log(`first screen: ${bundle.files.join(', ')}: ${(bundle.gzip / 1024).toFixed(1)} KB gzip`);

  const rounds = quick ? 3 : 10;
  const db = await createDatabase('web');
  let server;
  let browser;
  try {
    server = await startCountersign('web', db);
    await applyGovernance(server.url);
    const [approver] = await createApprovers(server.url, ['fin-0'], ['finance']);
    const agents = await createAgents(server.url, 'agent', 10);
    const template = (await gql(server.url, SUBMIT, { input: INPUTS.sync }, agents[0].apiKey)).submitAction;
    await cloneRequests(db, {
      templateId: template.id, count: PENDING - 1, agentIds: agents.map((a) => a.id), offset: 1,
      set: { deadline: `now() + interval '1 hour' + i * interval '1 second'` },
    });
    const base = new URL(server.url).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const times = [];
    const phases = [];
    // Round 0 warms the server (JIT, caches, pool) and is not counted, as elsewhere in the bench.
    for (let r = -1; r < rounds; r++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(base + '/');
      await page.getByLabel('Token').fill(approver.token);
      const started = performance.now();
      const signedIn = page.waitForResponse((res) => res.url().endsWith('/auth/session') && res.request().method() === 'POST').then(() => performance.now() - started);
      const queueRead = page.waitForResponse((res) => res.url().endsWith('/graphql') && (res.request().postData() ?? '').includes('ApprovalQueue')).then(() => performance.now() - started);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('list', { name: 'Requests waiting for you' }).getByRole('link').first().waitFor({ state: 'visible', timeout: 30_000 });
      const elapsed = performance.now() - started;
      const total = await page.getByText(`${PENDING} requests wait for you`).count();
      if (r >= 0) {
        times.push(elapsed);
        phases.push({ session: Math.round(await signedIn), queue: Math.round(await queueRead), onScreen: Math.round(elapsed) });
      }
      if (total !== 1) throw new Error(`the queue does not say ${PENDING} requests wait`);
      await context.close();
    }
    const s = summary(times);
    log(`queue on screen after sign-in, ${PENDING} pending: p50 ${s.p50} ms, max ${s.max} ms`);
    log(`phases (ms after pressing Sign in: session answered, queue answered, on screen): ${phases.map((p) => `${p.session}/${p.queue}/${p.onScreen}`).join(' ')}`);
    const worst = s.max;
    return {
      rows: [
        {
          id: 'web.bundle', target: "web app: first screen's JS + CSS", measured: Math.round(bundle.gzip / 102.4) / 10, unit: 'KB gzip',
          baseline: null, ratio: null, bound: '≤ 250 KB gzip', pass: bundle.gzip <= 250 * 1024, note: bundle.files.join(', '),
        },
        {
          id: 'web.queue', target: `web app: queue on screen after sign-in, ${PENDING} pending`, measured: Math.round(worst), unit: 'ms',
          baseline: null, ratio: null, bound: '≤ 1,000 ms', pass: worst <= 1000,
          note: `slowest of ${rounds} sign-ins in fresh headless Chromium contexts (p50 ${s.p50} ms); from pressing "Sign in" to the first request of the queue visible`,
        },
      ],
      details: { bundle, times, phases },
    };
  } finally {
    await browser?.close();
    await server?.stop();
    await db.drop();
  }
}
