/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAgent, createApprover, startServer, type TestServer } from '../support/server.js';
import { gqlOk } from '../support/graphql.js';
import { INPUTS, apply, governanceYaml, submit } from '../support/fixtures.js';
import { waitFor } from '../support/wait.js';
import { TestSmtp } from '../support/smtp.js';
import { DESKTOP, PHONE, SCREENSHOTS, eventually, expectNoSeriousAxeViolations, expectNoSidewaysScroll, launchBrowser, nav, newPage, origin, signIn } from './browser.js';

/**
 * The admins' delivery log in the web app (a real Chromium, a real server, a real SMTP
 * server that refuses one address): what failed and why, and Retry.
 */
describe('the delivery log in the web app (admins)', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let server: TestServer;
  let base: string;
  let browser: Browser;
  let fiona: { id: string; token: string };
  let actionId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await TestSmtp.start();
    // fiona's mailbox refuses mail for good until the test says otherwise.
    smtp.answer = (address) => (address === 'fiona@example.com' ? 550 : null);
    server = await startServer({
      database,
      env: {
        COUNTERSIGN_SMTP_URL: smtp.url, COUNTERSIGN_MAIL_FROM: 'Countersign <countersign@example.com>', COUNTERSIGN_PUBLIC_URL: 'https://countersign.example.com',
        COUNTERSIGN_WEBHOOK_POLL_MS: '50', COUNTERSIGN_WEBHOOK_BACKOFF_MS: '100', COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS: '400',
      },
    });
    base = origin(server.url);
    fiona = await createApprover(server, 'fiona', ['finance']);
    await createApprover(server, 'felix', ['finance']);
    const agent = await createAgent(server, 'payments-bot');
    await apply(server, governanceYaml());
    actionId = (await submit(server, agent.apiKey, { ...INPUTS.sync, summary: 'Wire 25,000 USD to Acme Ltd' })).id;
    await waitFor(async () => {
      const { notificationDeliveries } = await gqlOk(server.url, '{ notificationDeliveries(filter: {channel: EMAIL}) { nodes { status recipient { name } } } }', {}, server.adminToken);
      const byName = new Map(notificationDeliveries.nodes.map((d: { status: string; recipient: { name: string } }) => [d.recipient.name, d.status]));
      return byName.get('fiona') === 'FAILED' && byName.get('felix') === 'DELIVERED';
    }, { what: "fiona's mail refused, felix's delivered" });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await smtp?.stop();
    await database?.drop();
  });

  it('lists what failed with the mail server\'s words, links the request, and Retry sends it again once the address works', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, server.adminToken);
    await nav(page, 'Deliveries').click();
    await eventually(() => page.getByRole('heading', { name: 'Deliveries', level: 1 }).isVisible());
    // Failures first: fiona's refused mail, not felix's delivered one.
    const list = page.getByRole('list', { name: 'Deliveries' });
    const failed = list.getByRole('listitem').filter({ hasText: 'Email to fiona: Assigned' });
    await eventually(() => failed.isVisible());
    expect(await list.getByRole('listitem').count()).toBe(1);
    await eventually(() => failed.getByText('Failed', { exact: true }).isVisible());
    await eventually(() => failed.getByText(/Last error: SMTP 550/).isVisible());
    expect(await failed.getByRole('link', { name: 'The request' }).getAttribute('href')).toBe(`/actions/${actionId}`);
    await page.screenshot({ path: `${SCREENSHOTS}deliveries-failed-desktop.png`, fullPage: true });

    // The address is fixed: Retry, and the mail goes out.
    smtp.answer = () => null;
    await failed.getByRole('button', { name: 'Retry the Email delivery to fiona' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Sent again to fiona' }).isVisible());
    await waitFor(() => smtp.mailsTo('fiona@example.com').find((m) => m.text.includes(`/actions/${actionId}`)), { what: 'the retried mail' });
    await eventually(() => page.getByText('No deliveries: failed.').isVisible(), 30_000);

    // Everything, email only: both, delivered.
    await page.getByLabel('Show').selectOption('ALL');
    await page.getByLabel('Channel').selectOption('EMAIL');
    await eventually(() => list.getByRole('listitem').filter({ hasText: 'Email to fiona: Assigned' }).getByText('Delivered', { exact: true }).isVisible());
    await eventually(() => list.getByRole('listitem').filter({ hasText: 'Email to felix: Assigned' }).getByText('Delivered', { exact: true }).isVisible());
    await expectNoSeriousAxeViolations(page);
    await context.close();
  }, 120_000);

  it('is for admins only', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token, '/deliveries');
    await eventually(() => page.getByRole('heading', { name: 'For admins only' }).isVisible());
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).count()).toBe(0);
    await context.close();
  });

  for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    it(`fits a ${name === 'phone' ? '390 px phone' : '1280 px desktop'} with no sideways scroll and passes axe in light and dark`, async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { context, page } = await newPage(browser, { ...options, colorScheme });
        await signIn(page, base, server.adminToken, '/deliveries');
        await page.getByLabel('Show').selectOption('ALL');
        await eventually(() => page.getByRole('list', { name: 'Deliveries' }).getByRole('listitem').first().isVisible());
        await expectNoSidewaysScroll(page);
        await expectNoSeriousAxeViolations(page);
        await page.screenshot({ path: `${SCREENSHOTS}deliveries-${name}-${colorScheme}.png`, fullPage: true });
        await context.close();
      }
    }, 180_000);
  }
});
