/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createClient, type Client } from '@countersign/sdk';
import { createAgent, createApprover, startStack } from '../support/server.js';
import { gqlOk } from '../support/graphql.js';
import { GET_ACTION, INPUTS, apply, governanceYaml, submit } from '../support/fixtures.js';
import { waitFor } from '../support/wait.js';
import { DESKTOP, PHONE, SCREENSHOTS, eventually, expectNoSeriousAxeViolations, expectNoSidewaysScroll, launchBrowser, nav, newPage, origin, signIn } from './browser.js';

type Person = { id: string; name: string; token: string };

/**
 * The payments policy of the test governance, opted in to grants (at most 8 h, up to HIGH)
 * and break-glass; `grants: false` leaves grants out (the policy then allows none).
 */
function governance({ grants = true } = {}): string {
  const blocks = `${grants ? '    grants: { allowed: true, maxTtl: 8h, maxLevel: HIGH }\n' : ''}    breakGlass: { allowed: true, maxPerDay: 5 }\n`;
  const document = governanceYaml();
  if (document.split('\nescalationChains:').length !== 2) throw new Error('the test governance changed shape');
  return document.replace('\nescalationChains:', `\n${blocks}escalationChains:`);
}

describe('grants and break-glass in the web app (a real Chromium on a real server)', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let base: string;
  let browser: Browser;
  let fiona: Person;
  let felix: Person;
  let payments: { id: string; name: string; apiKey: string };
  let ops: { id: string; name: string; apiKey: string };
  let sdk: Client;
  let serial = 0;

  /**
   * A payment to an internal destination: WRITE (20) + CONFIDENTIAL (25) + over 10,000 (25)
   * = 70 → HIGH → SYNC_APPROVAL under the payments policy, which may grant up to HIGH.
   */
  const transfer = (amount = 25_000) => {
    const n = ++serial;
    return {
      type: 'payments.transfer', operation: 'WRITE' as const, summary: `Pay Globex invoice GX-${n}`, justification: 'The monthly supplier run',
      dataClassification: 'CONFIDENTIAL' as const, destination: { system: 'swift', external: false }, amount: { value: amount, currency: 'USD' },
      payload: { to: 'GLOBEX-IBAN', invoice: `GX-${n}`, amount, currency: 'USD' }, idempotencyKey: `gx-${n}-${Date.now()}`,
    };
  };
  const queueOf = async (person: Person) => (await gqlOk(stack.url, '{ approvalQueue(first: 500) { nodes { id summary } } }', {}, person.token)).approvalQueue.nodes as { id: string; summary: string }[];
  const inQueue = (person: Person, id: string) => waitFor(async () => (await queueOf(person)).some((n) => n.id === id), { what: `${id} in ${person.name}'s queue` });
  const actionOf = async (id: string) => (await gqlOk(stack.url, GET_ACTION, { id }, stack.adminToken)).action;
  const grantsOf = async (token: string) => (await gqlOk(stack.url, '{ grants(first: 100) { nodes { id active uses maxUses revokedAt grantedBy { name } } } }', {}, token)).grants.nodes as { id: string; active: boolean; uses: number; maxUses: number | null; revokedAt: string | null; grantedBy: { name: string } }[];

  async function openRequest(page: Page, id: string, summary: string) {
    await page.goto(`${base}/actions/${id}`);
    await eventually(() => page.getByRole('heading', { name: summary, level: 1 }).isVisible());
  }

  beforeAll(async () => {
    stack = await startStack();
    base = origin(stack.url);
    fiona = await createApprover(stack, 'fiona', ['finance']);
    felix = await createApprover(stack, 'felix', ['finance']);
    payments = await createAgent(stack, 'payments-bot');
    ops = await createAgent(stack, 'ops-bot');
    await apply(stack, governance());
    sdk = createClient({ url: stack.url, apiKey: payments.apiKey, retry: { initialDelay: 50, maxDelay: 500 } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sdk?.dispose();
    await stack?.dispose();
  });

  it('approves and allows similar with the scope spelled out: the next similar submission is approved at once, and revoking it from the grants page makes the next one wait again', async () => {
    const first = transfer();
    const { id } = await sdk.submit(first);
    await inQueue(fiona, id);
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await openRequest(page, id, first.summary);

    await page.getByRole('button', { name: 'Approve and allow similar…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve and allow similar requests?' });
    await eventually(() => dialog.isVisible());
    // The lifetime is bounded by the policy's grants.maxTtl (8 h): no 24 hours on offer.
    expect(await dialog.getByLabel('For how long').locator('option').allTextContents()).toEqual(['1 hour', '4 hours', '8 hours']);
    expect(await dialog.getByLabel('Amount ceiling (USD)').inputValue()).toBe('25000');
    const scope = dialog.getByLabel('What you allow');
    await expect.poll(() => scope.textContent()).toMatch(
      /^Approve this, and let payments-bot's next 5 payments\.transfer requests up to 25,000\.00 USD to the same destination \(swift, internal\) through without asking, until .+\. Each one is put in your review queue\.$/,
    );
    // The sentence follows the fields.
    await dialog.getByLabel('At most how many requests').fill('3');
    await dialog.getByLabel('For how long').selectOption({ label: '8 hours' });
    await dialog.getByLabel('Reason').fill('Globex month-end run');
    await expect.poll(() => scope.textContent()).toMatch(/next 3 payments\.transfer requests/);
    await page.screenshot({ path: `${SCREENSHOTS}grant-dialog-desktop-light.png` });
    await dialog.getByRole('button', { name: 'Approve and allow similar' }).click();
    await eventually(async () => (await actionOf(id)).status === 'APPROVED');
    await eventually(() => page.getByRole('heading', { name: /^Approved/ }).isVisible());

    // The agent sees it: the next similar request is approved at once, naming the grant.
    const second = transfer(24_000);
    const granted = await sdk.requestApproval(second, { timeout: '5s' });
    expect(granted).toMatchObject({ status: 'APPROVED', statusReason: 'GRANTED' });
    expect(granted.receipt).toBeTruthy();
    expect(granted.grant).toMatchObject({ uses: 1, maxUses: 3, grantedBy: { name: 'fiona' } });
    // One over the ceiling is not covered: it waits for a person.
    const over = await sdk.submit(transfer(30_000));
    expect(over).toMatchObject({ status: 'PENDING' });

    // The granted request says so on its page, with the grant's scope and a link to it.
    await openRequest(page, granted.id, second.summary);
    const card = page.getByRole('region', { name: 'Approved by grant' });
    await eventually(() => card.isVisible());
    await eventually(() => card.getByText('up to 25,000.00 USD').isVisible());
    await eventually(() => card.getByText('1 of 3 used').isVisible());
    await page.screenshot({ path: `${SCREENSHOTS}request-granted-desktop-light.png`, fullPage: true });
    await card.getByRole('link', { name: "Open fiona's grant" }).click();

    // The grants page lists it, marked, and Revoke revokes it after a confirmation.
    await eventually(() => page.getByRole('heading', { name: 'Grants', level: 1 }).isVisible());
    const item = page.getByRole('list', { name: 'Grants' }).getByRole('listitem').filter({ hasText: 'payments-bot' });
    await eventually(() => item.getByText('1 of 3 used').isVisible());
    await eventually(() => item.getByText('Globex month-end run').isVisible());
    await eventually(() => item.getByText(/^in 7 h 5\d min/).isVisible());
    // Uses go up on the open page as the agent's requests go through, with no reload.
    expect(await sdk.submit(transfer(23_000))).toMatchObject({ status: 'APPROVED', statusReason: 'GRANTED' });
    await eventually(() => item.getByText('2 of 3 used').isVisible(), 30_000);
    await item.getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this grant?' });
    await eventually(() => confirm.getByText(/payments-bot's payments\.transfer requests up to 25,000\.00 USD/).isVisible());
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Revoked' }).isVisible());
    await eventually(() => item.getByText('Revoked', { exact: true }).first().isVisible());
    expect(await item.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Show expired, used-up and revoked grants' }).uncheck();
    await eventually(() => page.getByText('No active grants.').isVisible());
    expect((await grantsOf(fiona.token))[0]).toMatchObject({ active: false, uses: 2 });
    expect((await grantsOf(fiona.token))[0]!.revokedAt).toBeTruthy();

    // The next similar request waits for a person again.
    const third = await sdk.submit(transfer(20_000));
    expect(third).toMatchObject({ status: 'PENDING', statusReason: null });
    await context.close();
  });

  it('shows approvers only their own grants and admins every one, with the ended ones on request', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, felix.token);
    await nav(page, 'Grants').click();
    await eventually(() => page.getByText('No active grants.').isVisible());
    await page.getByRole('checkbox', { name: 'Show expired, used-up and revoked grants' }).check();
    await eventually(() => page.getByText('No grants yet.').isVisible());
    await context.close();

    const admin = await newPage(browser);
    await signIn(admin.page, base, stack.adminToken);
    await nav(admin.page, 'Grants').click();
    await eventually(() => admin.page.getByRole('heading', { name: 'Grants', level: 1 }).isVisible());
    await admin.page.getByRole('checkbox', { name: 'Show expired, used-up and revoked grants' }).check();
    const item = admin.page.getByRole('list', { name: 'Grants' }).getByRole('listitem').filter({ hasText: 'payments-bot' });
    await eventually(() => item.getByText('Revoked', { exact: true }).first().isVisible());
    await eventually(() => item.getByText(/^fiona,/).isVisible());
    await admin.context.close();
  });

  it('offers no grant where the server would refuse one, says why, and shows a refusal in the dialog', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    // CRITICAL (an external destination): above the policy's maxLevel, never granted.
    const critical = await submit(stack, payments.apiKey, { ...INPUTS.sync, summary: 'Wire to an outside account', idempotencyKey: `crit-${Date.now()}` });
    expect(critical.risk.level).toBe('CRITICAL');
    await openRequest(page, critical.id, 'Wire to an outside account');
    await eventually(() => page.getByRole('button', { name: 'Approve and allow similar…' }).isDisabled());
    await eventually(() => page.getByText(/^Allowing similar requests is not possible here: its level CRITICAL is above/).isVisible());
    expect(await page.getByRole('button', { name: 'Approve', exact: true }).isEnabled()).toBe(true);

    // The policy stops allowing grants while the dialog is open: the server's refusal shows there, and nothing is decided.
    const input = transfer();
    const { id } = await sdk.submit(input);
    await inQueue(fiona, id);
    await openRequest(page, id, input.summary);
    await page.getByRole('button', { name: 'Approve and allow similar…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve and allow similar requests?' });
    await eventually(() => dialog.isVisible());
    await apply(stack, governance({ grants: false }));
    await dialog.getByRole('button', { name: 'Approve and allow similar' }).click();
    await eventually(() => dialog.getByRole('alert').filter({ hasText: /allows no grants/ }).isVisible());
    expect((await actionOf(id)).status).toBe('PENDING');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // Under a policy that allows no grants the offer is not shown at all.
    await page.reload();
    await eventually(() => page.getByRole('button', { name: 'Approve', exact: true }).isVisible());
    expect(await page.getByRole('button', { name: 'Approve and allow similar…' }).count()).toBe(0);
    await apply(stack, governance());
    await context.close();
  });

  it('puts break-glass first in the review queue, with its badge, justification and review deadline, and on the request page', async () => {
    // An ordinary review first, so that break-glass is sorted ahead of an older item.
    await submit(stack, ops.apiKey, { ...INPUTS.asyncReview, summary: 'Paid invoice INV-300', idempotencyKey: `rv-${Date.now()}` });
    const justification = 'Payroll file rejected by the bank at 16:55; salaries must leave before the 17:00 cut-off.';
    const broken = await submit(stack, ops.apiKey, { ...transfer(), summary: 'Resend payroll batch PR-12', breakGlass: { justification } });
    expect(broken).toMatchObject({ status: 'APPROVED', statusReason: 'BREAK_GLASS' });

    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await nav(page, 'Review').click();
    const items = page.getByRole('list', { name: 'Requests to review' }).getByRole('listitem');
    await eventually(async () => (await items.count()) >= 2);
    const top = items.first();
    await eventually(() => top.getByText('Resend payroll batch PR-12').isVisible());
    await eventually(() => top.getByText('Break-glass', { exact: true }).isVisible());
    await eventually(() => top.getByLabel('Justification').filter({ hasText: justification }).isVisible());
    await eventually(() => top.getByText(/^Review due/).isVisible());
    await expectNoSeriousAxeViolations(page);

    await top.getByRole('link', { name: 'Resend payroll batch PR-12' }).click();
    const card = page.getByRole('region', { name: /Break-glass/ });
    await eventually(() => card.isVisible());
    await eventually(() => card.getByText(justification).isVisible());
    await eventually(() => card.getByText(/^Review due/).isVisible());

    // Acknowledged, it leaves the queue.
    await nav(page, 'Review').click();
    await page.getByRole('checkbox', { name: 'Select Resend payroll batch PR-12' }).check();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Acknowledged 1 request.' }).isVisible());
    expect((await actionOf(broken.id)).reviewStatus).toBe('ACKNOWLEDGED');
    await context.close();
  });

  it('shows a granted request in the granter\'s review queue with the grant that let it through', async () => {
    const input = transfer(15_000);
    const { id } = await sdk.submit(input);
    await inQueue(fiona, id);
    await gqlOk(stack.url, 'mutation($input: DecisionInput!) { decide(input: $input) { id status } }', {
      input: { actionId: id, verdict: 'APPROVE', grant: { ttl: '1h', maxUses: 2, maxAmount: 20000, sameDestination: true } },
    }, fiona.token);
    const next = await sdk.submit(transfer(12_000));
    expect(next).toMatchObject({ status: 'APPROVED', statusReason: 'GRANTED' });

    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await nav(page, 'Review').click();
    const item = page.getByRole('list', { name: 'Requests to review' }).getByRole('listitem').filter({ hasText: next.summary });
    await eventually(() => item.getByText('Approved by grant').isVisible());
    await eventually(() => item.getByText("fiona's grant · 1 of 2 used").isVisible());
    await context.close();
  });

  it('is driven by the keyboard: the offer opens from the keyboard and Escape closes it', async () => {
    const input = transfer();
    const { id } = await sdk.submit(input);
    await inQueue(fiona, id);
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await openRequest(page, id, input.summary);
    await page.getByRole('button', { name: 'Approve and allow similar…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Approve and allow similar requests?' });
    await eventually(() => dialog.isVisible());
    // The first field has the focus; Tab walks the fields, and typing there is not a shortcut (a approves, d denies).
    await eventually(() => dialog.getByLabel('For how long').evaluate((e) => e === document.activeElement));
    await page.keyboard.press('Tab');
    await eventually(() => dialog.getByLabel('At most how many requests').evaluate((e) => e === document.activeElement));
    await dialog.getByLabel('Reason').focus();
    await page.keyboard.type('a d');
    expect(await dialog.getByLabel('Reason').inputValue()).toBe('a d');
    await page.keyboard.press('Escape');
    await eventually(async () => (await page.getByRole('dialog').count()) === 0);
    await context.close();
  });

  for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    it(`fits a ${name === 'phone' ? '390 px phone' : '1280 px desktop'} with no sideways scroll and passes axe in light and dark: the offer, the grants page, a break-glass review`, async () => {
      // Above every ceiling granted so far (25,000), so both wait for a person.
      const input = transfer(26_000);
      const { id } = await sdk.submit(input);
      const source = await sdk.submit(transfer(26_000));
      await inQueue(fiona, id);
      await inQueue(fiona, source.id);
      await gqlOk(stack.url, 'mutation($input: DecisionInput!) { decide(input: $input) { id } }', {
        input: { actionId: source.id, verdict: 'APPROVE', grant: { ttl: '4h', maxUses: 5, maxAmount: 25000, sameDestination: true, reason: `Screens on ${name}` } },
      }, fiona.token);
      await submit(stack, ops.apiKey, { ...transfer(), summary: `Break-glass on ${name}`, breakGlass: { justification: 'The bank closes in five minutes and nobody in finance answers.' } });
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPage(browser, { ...options, colorScheme: scheme });
        const shot = (what: string) => page.screenshot({ path: `${SCREENSHOTS}${what}-${name}-${scheme}.png`, fullPage: name === 'desktop' });
        await signIn(page, base, fiona.token);
        await openRequest(page, id, input.summary);
        await page.getByRole('button', { name: 'Approve and allow similar…' }).click();
        await eventually(() => page.getByRole('dialog').getByLabel('What you allow').isVisible());
        await expectNoSidewaysScroll(page);
        await expectNoSeriousAxeViolations(page);
        await shot('grant-offer');
        await page.keyboard.press('Escape');

        await nav(page, 'Grants').click();
        await eventually(() => page.getByRole('list', { name: 'Grants' }).isVisible());
        await expectNoSidewaysScroll(page);
        await expectNoSeriousAxeViolations(page);
        await shot('grants');

        await nav(page, 'Review').click();
        await eventually(() => page.getByText(`Break-glass on ${name}`).isVisible());
        await expectNoSidewaysScroll(page);
        await expectNoSeriousAxeViolations(page);
        await shot('reviews-break-glass');

        await page.getByRole('link', { name: `Break-glass on ${name}` }).click();
        await eventually(() => page.getByRole('region', { name: /Break-glass/ }).isVisible());
        await expectNoSidewaysScroll(page);
        await expectNoSeriousAxeViolations(page);
        await shot('request-break-glass');
        await context.close();
      }
    }, 180_000);
  }
});
