/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createApprover, startStack } from '../support/server.js';
import { gqlOk } from '../support/graphql.js';
import { TestSmtp } from '../support/smtp.js';
import { DESKTOP, PHONE, SCREENSHOTS, eventually, expectNoSeriousAxeViolations, expectNoSidewaysScroll, launchBrowser, nav, newPage, origin, signIn } from './browser.js';

describe('the settings page (a real Chromium on a real server)', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let smtp: TestSmtp;
  let base: string;
  let browser: Browser;
  let fiona: { id: string; token: string };

  const stored = async () =>
    (await gqlOk(stack.url, '{ me { approver { notificationPreferences { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc } } } }', {}, fiona.token)).me.approver.notificationPreferences;

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    stack = await startStack({ COUNTERSIGN_SMTP_URL: smtp.url, COUNTERSIGN_MAIL_FROM: 'countersign@example.com' });
    base = origin(stack.url);
    fiona = await createApprover(stack, 'fiona', ['finance']);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
    await smtp?.stop();
  });

  for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    it(`lets an approver turn a mail off and choose the digest hour, and the choice sticks (${name === 'phone' ? '390 px phone' : 'desktop'})`, async () => {
      const { context, page } = await newPage(browser, options);
      await signIn(page, base, fiona.token);
      await nav(page, 'Settings').click();
      await eventually(() => page.getByRole('heading', { name: 'Settings', level: 1 }).isVisible());
      await eventually(() => page.getByText('fiona@example.com').isVisible());
      const escalated = page.getByRole('checkbox', { name: 'A request escalates to me' });
      const wanted = name === 'desktop';
      // Each run flips the setting from what the previous left.
      expect(await escalated.isChecked()).toBe(!wanted);
      await expectNoSidewaysScroll(page);
      await expectNoSeriousAxeViolations(page);

      await escalated.setChecked(wanted);
      await page.getByLabel('Send the digest at').selectOption({ value: wanted ? '9' : '6' });
      await page.getByRole('form', { name: 'Email' }).getByRole('button', { name: 'Save' }).click();
      await eventually(() => page.getByRole('status').filter({ hasText: 'Saved.' }).isVisible());
      await page.screenshot({ path: `${SCREENSHOTS}settings-${name}.png`, fullPage: true });
      expect(await stored()).toMatchObject({ emailEscalated: wanted, emailAssigned: true, digestHourUtc: wanted ? 9 : 6 });

      await page.reload();
      await eventually(() => page.getByRole('heading', { name: 'Settings', level: 1 }).isVisible());
      await eventually(async () => (await page.getByRole('checkbox', { name: 'A request escalates to me' }).isChecked()) === wanted);
      expect(await page.getByLabel('Send the digest at').inputValue()).toBe(wanted ? '9' : '6');
      await expectNoSidewaysScroll(page);
      await context.close();
    });
  }
});
