/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createApprover, startStack } from '../support/server.js';
import { gqlOk } from '../support/graphql.js';
import { PHONE, SCREENSHOTS, eventually, expectNoSeriousAxeViolations, expectNoSidewaysScroll, launchBrowser, nav, newPage, origin, signIn } from './browser.js';

describe('Settings: an approver links their Slack account (a real Chromium on a real server)', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let browser: Browser;
  let fiona: { id: string; name: string; token: string };

  const slackIdOf = async (token: string) => (await gqlOk<{ me: { approver: { slackUserId: string | null } } }>(stack.url, '{ me { approver { slackUserId } } }', {}, token)).me.approver.slackUserId;

  beforeAll(async () => {
    stack = await startStack();
    fiona = await createApprover(stack, 'fiona', ['finance']);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  it('sets, refuses a malformed id, and unlinks, on a phone', async () => {
    const { context, page } = await newPage(browser, PHONE);
    // What the page met on the way, for a failure to explain itself (this test once stalled after its reload in CI).
    const trace: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && trace.push(`console: ${m.text()}`)));
    page.on('requestfailed', (r) => void trace.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => void (r.status() >= 400 && trace.push(`${r.status()} ${r.request().method()} ${r.url()}`)));
    try {
      await signIn(page, origin(stack.url), fiona.token);
      await nav(page, 'Settings').click();
      await eventually(() => page.getByRole('heading', { name: 'Slack' }).isVisible());
      const field = page.getByLabel('Slack member ID');

      await field.fill('@fiona');
      await page.getByRole('form', { name: 'Slack' }).getByRole('button', { name: 'Save' }).click();
      await eventually(() => page.getByRole('alert').filter({ hasText: 'not a Slack member id' }).isVisible());
      expect(await slackIdOf(fiona.token)).toBeNull();

      await field.fill('U0FIONA');
      await page.getByRole('form', { name: 'Slack' }).getByRole('button', { name: 'Save' }).click();
      await eventually(() => page.getByRole('status').filter({ hasText: 'Linked to Slack member U0FIONA' }).isVisible());
      expect(await slackIdOf(fiona.token)).toBe('U0FIONA');
      await expectNoSeriousAxeViolations(page);
      await expectNoSidewaysScroll(page);

      // After a reload the field shows the link, and it can be undone.
      await page.reload();
      try {
        await eventually(() => page.getByLabel('Slack member ID').isVisible(), 30_000);
      } catch (error) {
        await page.screenshot({ path: `${SCREENSHOTS}slack-settings-after-reload-failure.png`, fullPage: true });
        const shown = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 600);
        throw new Error(`The Slack field did not come back after the reload. The page at ${page.url()} shows: "${shown}". On the way: ${trace.join(' | ') || 'nothing failed'}`, { cause: error });
      }
      expect(await page.getByLabel('Slack member ID').inputValue()).toBe('U0FIONA');
      await page.getByRole('button', { name: 'Unlink Slack' }).click();
      await eventually(() => page.getByRole('status').filter({ hasText: 'Unlinked' }).isVisible());
      expect(await slackIdOf(fiona.token)).toBeNull();
    } finally {
      await context.close();
    }
  }, 180_000);
});
