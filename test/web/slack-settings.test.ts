/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createApprover, startStack } from '../support/server.js';
import { gqlOk } from '../support/graphql.js';
import { PHONE, eventually, expectNoSeriousAxeViolations, expectNoSidewaysScroll, launchBrowser, nav, newPage, origin, signIn } from './browser.js';

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
      await eventually(async () => (await page.getByLabel('Slack member ID').inputValue()) === 'U0FIONA');
      await page.getByRole('button', { name: 'Unlink Slack' }).click();
      await eventually(() => page.getByRole('status').filter({ hasText: 'Unlinked' }).isVisible());
      expect(await slackIdOf(fiona.token)).toBeNull();
    } finally {
      await context.close();
    }
  }, 180_000);
});
