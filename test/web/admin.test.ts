/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAgent, createApprover, startServer, type TestServer } from '../support/server.js';
import { gqlOk } from '../support/graphql.js';
import { INPUTS, apply, governanceYaml, submit } from '../support/fixtures.js';
import { clock, seedAction, seedAssignment, seedDecision } from '../support/seed.js';
import { DESKTOP, PHONE, SCREENSHOTS, eventually, expectNoSeriousAxeViolations, expectNoSidewaysScroll, launchBrowser, nav, newPage, origin, signIn } from './browser.js';

describe('the web app for admins (a real Chromium on a real server)', () => {
  let database: TestDatabase;
  let server: TestServer;
  let base: string;
  let browser: Browser;
  let agent: { id: string; name: string; apiKey: string };
  let alertMessage: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServer({ database });
    base = origin(server.url);
    const fiona = await createApprover(server, 'fiona', ['finance']);
    const frank = await createApprover(server, 'frank', ['finance']);
    agent = await createAgent(server, 'payments-bot');
    await apply(server, governanceYaml());
    await apply(server, governanceYaml({ financeTimeout: '20m' }));

    // A day in which fiona approved everything within seconds: the charts have a shape, and
    // the rubber-stamping alert has a reason to appear.
    const at = clock(new Date(Date.now() - 20 * 3600_000));
    for (let i = 0; i < 20; i++) {
      const createdAt = at(i);
      const decidedAt = at(i, 0, 4 + (i % 5));
      const id = await seedAction(database, { agentId: agent.id, mode: 'SYNC_APPROVAL', status: 'APPROVED', statusReason: 'APPROVED_BY_APPROVER', policy: 'payments', route: 'payments', chain: 'finance', createdAt, decidedAt, amount: { value: 900 + i, currency: 'EUR' } });
      await seedAssignment(database, { actionId: id, approverId: fiona.id, viaRole: 'finance', createdAt, endedAt: decidedAt });
      await seedDecision(database, { actionId: id, approverId: fiona.id, verdict: 'APPROVE', at: decidedAt });
    }
    // And frank, who reads before deciding: slower, and he denies some.
    for (const hour of [3, 9, 15]) {
      const createdAt = at(hour, 10);
      const decidedAt = at(hour, 10 + 4 * hour);
      const id = await seedAction(database, { agentId: agent.id, mode: 'SYNC_APPROVAL', status: 'DENIED', statusReason: 'DENIED_BY_APPROVER', policy: 'payments', route: 'payments', chain: 'finance', createdAt, decidedAt });
      await seedAssignment(database, { actionId: id, approverId: frank.id, viaRole: 'finance', createdAt, endedAt: decidedAt });
      await seedDecision(database, { actionId: id, approverId: frank.id, verdict: 'DENY', at: decidedAt });
    }
    for (let i = 0; i < 3; i++) await submit(server, agent.apiKey, { ...INPUTS.sync, summary: `Waiting ${i}` });
    const metrics = await gqlOk(server.url, '{ metrics(window: "24h") { alerts { kind message } } }', {}, server.adminToken);
    expect(metrics.metrics.alerts.length).toBeGreaterThan(0);
    alertMessage = metrics.metrics.alerts[0].message;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await database?.drop();
  });

  it('lands on oversight: the approval rate with charts of the window, and the fatigue alerts with their suggestions', async () => {
    for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const { context, page } = await newPage(browser, options);
      await signIn(page, base, server.adminToken);
      await eventually(() => page.getByRole('heading', { name: 'Oversight', level: 1 }).isVisible());
      expect(new URL(page.url()).pathname).toBe('/oversight');
      await eventually(() => page.getByText('Approval rate', { exact: true }).first().isVisible());
      for (const chart of ['Approval rate', 'Time to decision', 'Queue depth', 'Escalations']) {
        await eventually(() => page.getByRole('img', { name: `${chart} over the window` }).isVisible());
      }
      expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(4);
      await eventually(() => page.getByText(alertMessage).isVisible());
      await eventually(() => page.getByText('Suggestion:').first().isVisible());
      await expectNoSidewaysScroll(page);
      await expectNoSeriousAxeViolations(page);
      await page.screenshot({ path: `${SCREENSHOTS}oversight-${name}-light.png`, fullPage: name === 'desktop' });
      await context.close();
    }
  }, 180_000);

  it('suspends an agent from the agents page: what it waits for is cancelled, its next request denied; resuming lets it ask again', async () => {
    const waiting = await submit(server, agent.apiKey, { ...INPUTS.sync, summary: 'Wire waiting when the switch is pulled' });
    expect(waiting.status).toBe('PENDING');
    const { context, page } = await newPage(browser);
    await signIn(page, base, server.adminToken);
    await nav(page, 'Agents').click();
    await page.getByRole('button', { name: 'Suspend payments-bot' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Sending duplicate wires');
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await eventually(() => page.getByRole('button', { name: 'Resume payments-bot' }).isVisible());
    await eventually(() => page.getByText('Suspended: Sending duplicate wires').isVisible());
    expect(await submit(server, agent.apiKey, INPUTS.auto)).toMatchObject({ status: 'DENIED', statusReason: 'AGENT_SUSPENDED' });
    // The kill switch reaches what was already waiting for a human: no approver can let it run now.
    const after = await gqlOk(server.url, 'query($id: ID!) { action(id: $id) { status statusReason receipt } }', { id: waiting.id }, server.adminToken);
    expect(after.action).toEqual({ status: 'CANCELLED', statusReason: 'AGENT_SUSPENDED', receipt: null });

    await page.getByRole('button', { name: 'Resume payments-bot' }).click();
    await eventually(() => page.getByRole('button', { name: 'Suspend payments-bot' }).isVisible());
    expect(await submit(server, agent.apiKey, INPUTS.auto)).toMatchObject({ status: 'APPROVED' });
    await expectNoSeriousAxeViolations(page);
    await context.close();
  });

  it('verifies the audit chain and shows governance versions with their diffs', async () => {
    const { context, page } = await newPage(browser, PHONE);
    await signIn(page, base, server.adminToken);
    await nav(page, 'Audit').click();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await eventually(() => page.getByText(/^Chain intact: \d+ events checked\.$/).isVisible());
    await expectNoSidewaysScroll(page);
    await expectNoSeriousAxeViolations(page);

    await nav(page, 'Governance').click();
    await eventually(() => page.getByText('Version 2', { exact: true }).isVisible());
    const diff = page.getByLabel('Version 2 against version 1');
    await eventually(() => diff.isVisible());
    expect(await diff.textContent()).toMatch(/timeout: 15m[\s\S]*timeout: 20m/);
    await expectNoSidewaysScroll(page);
    await expectNoSeriousAxeViolations(page);
    await context.close();
  });

  it('says when the server cannot be reached, keeps retrying, and carries on signed in when it is back', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, server.adminToken);
    await eventually(() => page.getByRole('heading', { name: 'Oversight', level: 1 }).isVisible());
    const port = new URL(server.url).port;
    await server.dispose();
    await nav(page, 'Agents').click();
    await eventually(() => page.getByRole('alert').filter({ hasText: "Countersign can't be reached. Retrying…" }).isVisible());

    server = await startServer({ database, adminToken: server.adminToken, env: { PORT: port } });
    await eventually(async () => (await page.getByText("Countersign can't be reached").count()) === 0, 30_000);
    await nav(page, 'Agents').click();
    await eventually(() => page.getByRole('button', { name: 'Suspend payments-bot' }).isVisible());
    await context.close();
  });
});
