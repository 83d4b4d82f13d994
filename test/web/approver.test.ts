/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ActionDeniedError, ChangesRequestedError, createClient, type Client } from '@countersign/sdk';
import { createAgent, createApprover, startStack } from '../support/server.js';
import { gqlOk } from '../support/graphql.js';
import { DECIDE, GET_ACTION, INPUTS, apply, governanceYaml, submit } from '../support/fixtures.js';
import { waitFor } from '../support/wait.js';
import { DESKTOP, PHONE, SCREENSHOTS, eventually, expectNoSeriousAxeViolations, expectNoSidewaysScroll, launchBrowser, nav, newPage, origin, signIn } from './browser.js';

type Person = { id: string; name: string; token: string };

describe('the web app for approvers (a real Chromium on a real server)', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let base: string;
  let browser: Browser;
  let fiona: Person;
  let felix: Person;
  let carla: Person;
  let agent: { id: string; name: string; apiKey: string };
  let sdk: Client;
  let serial = 0;

  /** A SYNC_APPROVAL request for the finance role, with a summary no other test uses. */
  const syncInput = (what: string) => ({ ...INPUTS.sync, summary: `${what} #${++serial}`, idempotencyKey: `web-${serial}-${Date.now()}` });
  const queueOf = async (person: Person) => (await gqlOk(stack.url, '{ approvalQueue(first: 500) { nodes { id summary } } }', {}, person.token)).approvalQueue.nodes as { id: string; summary: string }[];
  const pendingId = (person: Person, summary: string) => waitFor(async () => (await queueOf(person)).find((n) => n.summary === summary)?.id, { what: `${summary} in ${person.name}'s queue` });

  beforeAll(async () => {
    stack = await startStack();
    base = origin(stack.url);
    fiona = await createApprover(stack, 'fiona', ['finance']);
    felix = await createApprover(stack, 'felix', ['finance']);
    carla = await createApprover(stack, 'carla', ['compliance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    agent = await createAgent(stack, 'payments-bot');
    await apply(stack, governanceYaml());
    sdk = createClient({ url: stack.url, apiKey: agent.apiKey, retry: { initialDelay: 50, maxDelay: 500 } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sdk?.dispose();
    await stack?.dispose();
  });

  it('signs in with a token, keeps it out of every script-readable store, and signs out so the old cookie is dead', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(base + '/');
    await page.getByLabel('Token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('alert').filter({ hasText: /not accepted|invalid|unknown|token/i }).isVisible());
    await expectNoSeriousAxeViolations(page);

    await signIn(page, base, fiona.token);
    await eventually(() => page.getByRole('heading', { name: 'Your approval queue' }).isVisible());
    const stores = await page.evaluate(() => ({ local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), cookie: document.cookie }));
    for (const store of Object.values(stores)) expect(store).not.toContain(fiona.token);
    expect(stores.cookie).not.toContain('cs_session');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'cs_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookie!.value).not.toContain(fiona.token);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await eventually(() => page.getByLabel('Token').isVisible());
    const replay = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, cookie: `cs_session=${cookie!.value}` },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    const body = (await replay.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await context.close();
  });

  it('shows the queue live: a request appears when it is assigned and leaves when someone else decides it', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await eventually(() => page.getByRole('heading', { name: 'Your approval queue' }).isVisible());
    const input = syncInput('Wire 25,000 USD to Acme Ltd');
    const submitted = await submit(stack, agent.apiKey, input);
    const item = page.getByRole('link', { name: input.summary });
    await eventually(() => item.isVisible());
    await expect.poll(() => page.getByRole('listitem').filter({ has: item }).textContent()).toMatch(/Critical risk/);

    await gqlOk(stack.url, DECIDE, { input: { actionId: submitted.id, verdict: 'DENY', comment: 'Handled by Felix' } }, felix.token);
    await eventually(async () => (await item.count()) === 0);
    await context.close();
  });

  it('each verdict reaches the agent waiting through the SDK: approve, deny and request changes with a comment', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);

    const approveInput = syncInput('Approve me');
    const approved = sdk.requestApproval(approveInput, { timeout: '2m' });
    await page.getByRole('link', { name: approveInput.summary }).click();
    await page.getByLabel('Comment').fill('Invoice matches the PO');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await expect(approved).resolves.toMatchObject({ status: 'APPROVED', approvedPayload: approveInput.payload });

    const denyInput = syncInput('Deny me');
    const denied = sdk.requestApproval(denyInput, { timeout: '2m' }).catch((e: unknown) => e);
    await nav(page, 'Queue').click();
    await page.getByRole('link', { name: denyInput.summary }).click();
    await page.getByLabel('Comment').fill('Not budgeted this quarter');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deny' }).click();
    const denial = await denied;
    expect(denial).toBeInstanceOf(ActionDeniedError);

    const changesInput = syncInput('Change me');
    const changes = sdk.requestApproval(changesInput, { timeout: '2m' }).catch((e: unknown) => e);
    await nav(page, 'Queue').click();
    await page.getByRole('link', { name: changesInput.summary }).click();
    await page.getByRole('button', { name: 'Request changes' }).click();
    await eventually(() => page.getByRole('alert').filter({ hasText: 'Say in the comment what should change.' }).isVisible());
    await page.getByLabel('Comment').fill('Split it: 20k now, the rest next month');
    await page.getByRole('button', { name: 'Request changes' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Request changes' }).click();
    const requested = await changes;
    expect(requested).toBeInstanceOf(ChangesRequestedError);
    expect((requested as ChangesRequestedError).comment).toBe('Split it: 20k now, the rest next month');

    // The page follows the request: it now says how it ended, with the verdict and its author.
    await eventually(() => page.getByRole('heading', { name: /^Changes requested/ }).isVisible());
    await eventually(() => page.getByRole('region', { name: 'Timeline' }).getByText('fiona').first().isVisible());

    // The agent's revision shows what it changed, next to what was asked.
    const revision = await submit(stack, agent.apiKey, { ...changesInput, idempotencyKey: `${changesInput.idempotencyKey}-r`, amount: { value: 20000, currency: 'USD' }, payload: { ...changesInput.payload, amount: 20000 }, revisionOf: requested && (requested as ChangesRequestedError).action?.id });
    await page.goto(`${base}/actions/${revision.id}`);
    const changed = page.getByRole('region', { name: 'What this revision changed' });
    await eventually(() => changed.isVisible());
    await eventually(() => changed.getByText('Split it: 20k now, the rest next month').isVisible());
    await eventually(() => changed.getByRole('cell', { name: /^payload\.amount/ }).isVisible());

    // And my history lists the three verdicts, most recent first.
    await nav(page, 'History').click();
    const verdicts = page.getByRole('list', { name: 'Your verdicts' });
    await eventually(async () => (await verdicts.getByRole('listitem').count()) >= 3);
    expect((await verdicts.getByRole('listitem').allTextContents()).slice(0, 3).map((t) => /You: (Approve|Deny|Request changes)/.exec(t)?.[1])).toEqual(['Request changes', 'Deny', 'Approve']);
    await context.close();
  });

  it('approves with an edited payload: the diff is shown first, and the agent runs with the edited arguments', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    const input = syncInput('Wire with an edit');
    let ranWith: unknown = null;
    const guarded = sdk.guard(input, async (payload) => {
      ranWith = payload;
      return 'sent';
    }, { timeout: '2m' });
    await page.getByRole('link', { name: input.summary }).click();
    await page.getByRole('checkbox', { name: 'Edit the payload before approving' }).check();
    const editor = page.getByLabel('Payload to approve (JSON)');
    await editor.fill('{ "to": "ACME-IBAN", "amount": ');
    await eventually(() => page.getByText(/^Not valid JSON/).isVisible());
    const edited = { to: 'ACME-IBAN', amount: 20000, currency: 'USD' };
    await editor.fill(JSON.stringify(edited, null, 2));
    const diff = page.getByLabel('Changes to the payload');
    await eventually(() => diff.isVisible());
    expect(await diff.textContent()).toMatch(/"amount": 25000[\s\S]*"amount": 20000/);

    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await eventually(() => dialog.getByLabel('Payload changes you are approving').isVisible());
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect(guarded).resolves.toBe('sent');
    expect(ranWith).toEqual(edited);
    await context.close();
  });

  it('shows the second approver of a two-person rule the payload the first one changed, and approving approves that version', async () => {
    const input = { ...syncInput('Wire 2M in two hands'), amount: { value: 2_000_000, currency: 'USD' } };
    const { id } = await sdk.submit(input);
    await pendingId(fiona, input.summary);
    const changed = { to: 'ACME-IBAN', amount: 1_500_000, currency: 'USD' };
    await gqlOk(stack.url, DECIDE, { input: { actionId: id, verdict: 'APPROVE', modifiedPayload: changed } }, fiona.token);

    const { context, page } = await newPage(browser);
    await signIn(page, base, felix.token);
    // fiona's approval of her own change counts: one of two, in the queue and on the page.
    const row = page.getByRole('listitem').filter({ hasText: input.summary });
    await eventually(() => row.getByText('1 of 2 approvals').isVisible());
    await page.goto(`${base}/actions/${id}`);
    const candidate = page.getByRole('region', { name: 'Payload now up for approval' });
    await eventually(() => candidate.isVisible());
    await eventually(() => page.getByText('1 of 2 approvals').first().isVisible());
    expect(await candidate.getByLabel('Changes from the submitted payload').textContent()).toMatch(/25000[\s\S]*1500000/);
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    const decided = await waitFor(async () => {
      const action = (await gqlOk(stack.url, GET_ACTION, { id }, stack.adminToken)).action;
      return action.status === 'APPROVED' ? action : undefined;
    }, { what: 'the two-person approval' });
    expect(decided.approvedPayload).toEqual(changed);
    await context.close();
  });

  it('refuses an approval of a payload another approver changed while the page was open: the page says so and then shows the new payload', async () => {
    const input = { ...syncInput('Wire 2M changed under fiona'), amount: { value: 2_000_000, currency: 'USD' } };
    const { id } = await sdk.submit(input);
    await pendingId(fiona, input.summary);
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token, `/actions/${id}`);
    await eventually(() => page.getByRole('button', { name: 'Approve', exact: true }).isVisible());
    expect(await page.getByRole('region', { name: 'Payload now up for approval' }).count()).toBe(0);

    // felix's change lands after fiona's page loaded and before her vote reaches the server.
    const changed = { to: 'ACME-IBAN', amount: 1_250_000, currency: 'USD' };
    let raced = false;
    await page.route('**/graphql', async (route) => {
      if (!raced && route.request().method() === 'POST' && (route.request().postData() ?? '').includes('mutation Decide')) {
        raced = true;
        await gqlOk(stack.url, DECIDE, { input: { actionId: id, verdict: 'APPROVE', modifiedPayload: changed } }, felix.token);
      }
      await route.continue();
    });
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'The payload up for approval changed since you loaded it' });
    await eventually(() => alert.isVisible());
    expect(await alert.textContent()).toContain('your approval was not recorded');
    const candidate = page.getByRole('region', { name: 'Payload now up for approval' });
    await eventually(() => candidate.isVisible());
    expect(await candidate.getByLabel('Changes from the submitted payload').textContent()).toMatch(/25000[\s\S]*1250000/);
    // Nothing of fiona's was recorded: felix's approval of his own change is the only vote.
    const after = (await gqlOk(stack.url, `query($id: ID!) { action(id: $id) { status approvals decisions { verdict approver { name } } } }`, { id }, stack.adminToken)).action;
    expect(after).toEqual({ status: 'PENDING', approvals: 1, decisions: [{ verdict: 'APPROVE', approver: { name: 'felix' } }] });

    // Approving what the page now shows counts, and it is the payload felix changed.
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    const decided = await waitFor(async () => {
      const action = (await gqlOk(stack.url, GET_ACTION, { id }, stack.adminToken)).action;
      return action.status === 'APPROVED' ? action : undefined;
    }, { what: 'the approval of the new payload' });
    expect(decided.approvedPayload).toEqual(changed);
    await eventually(async () => (await alert.count()) === 0);
    await context.close();
  });

  it('acknowledges and flags several reviews at once', async () => {
    const reviews = [];
    for (let i = 0; i < 3; i++) reviews.push(await submit(stack, agent.apiKey, { ...INPUTS.asyncReview, summary: `Paid invoice INV-${100 + i}`, idempotencyKey: `review-${i}-${Date.now()}` }));
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await nav(page, 'Review').click();
    await page.getByRole('checkbox', { name: 'Select Paid invoice INV-100' }).check();
    await page.getByRole('checkbox', { name: 'Select Paid invoice INV-101' }).check();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Acknowledged 2 requests.' }).isVisible());
    await page.getByRole('checkbox', { name: 'Select Paid invoice INV-102' }).check();
    await page.getByLabel('Comment').fill('This vendor is not on the approved list');
    await page.getByRole('button', { name: 'Flag' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Flagged 1 request.' }).isVisible());
    await eventually(() => page.getByText('Nothing to review.').isVisible());

    const status = async (id: string) => (await gqlOk(stack.url, GET_ACTION, { id }, stack.adminToken)).action.reviewStatus;
    expect([await status(reviews[0]!.id), await status(reviews[1]!.id), await status(reviews[2]!.id)]).toEqual(['ACKNOWLEDGED', 'ACKNOWLEDGED', 'FLAGGED']);
    await context.close();
  });

  it('opens a deep link after sign-in, and returns to it when the session ends midway', async () => {
    const input = syncInput('Deep link');
    const submitted = await submit(stack, agent.apiKey, input);
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token, `/actions/${submitted.id}`);
    await eventually(() => page.getByRole('heading', { name: input.summary, level: 1 }).isVisible());
    expect(new URL(page.url()).pathname).toBe(`/actions/${submitted.id}`);

    // The session ends elsewhere (signed out from another tab): the page asks to sign in again, and keeps the link.
    const cookie = (await context.cookies()).find((c) => c.name === 'cs_session')!;
    await fetch(`${base}/auth/session`, { method: 'DELETE', headers: { origin: base, cookie: `cs_session=${cookie.value}` } });
    await page.reload();
    await eventually(() => page.getByLabel('Token').isVisible());
    expect(new URL(page.url()).pathname).toBe(`/actions/${submitted.id}`);
    await page.getByLabel('Token').fill(fiona.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('heading', { name: input.summary, level: 1 }).isVisible());

    // Already signed in, a link from a notification opens the request at once, with no sign-in form.
    const next = syncInput('Deep link, signed in');
    const second = await submit(stack, agent.apiKey, next);
    await page.goto(`${base}/actions/${second.id}`);
    await eventually(() => page.getByRole('heading', { name: next.summary, level: 1 }).isVisible());
    expect(await page.getByLabel('Token').count()).toBe(0);
    await context.close();
  });

  it('ends a live page at once when the session ends, asking to sign in again', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await eventually(() => page.getByRole('heading', { name: 'Your approval queue' }).isVisible());
    // The live queue is connected: a new request shows up.
    const input = syncInput('Before the session ends');
    await submit(stack, agent.apiKey, input);
    await eventually(() => page.getByRole('link', { name: input.summary }).isVisible());
    const cookie = (await context.cookies()).find((c) => c.name === 'cs_session')!;
    await fetch(`${base}/auth/session`, { method: 'DELETE', headers: { origin: base, cookie: `cs_session=${cookie.value}` } });
    await eventually(() => page.getByText('Your session has ended. Sign in again to continue.').isVisible());
    await context.close();
  });

  it('moves a pending request to the delegate when a delegation is created in the page', async () => {
    const dora = await createApprover(stack, 'dora', ['finance']);
    const input = syncInput('Pending while Dora is away');
    const submitted = await submit(stack, agent.apiKey, input);
    await pendingId(dora, input.summary);
    expect((await queueOf(carla)).map((n) => n.id)).not.toContain(submitted.id);

    const { context, page } = await newPage(browser);
    await signIn(page, base, dora.token);
    await nav(page, 'Delegations').click();
    await page.getByLabel('Who decides in my place').selectOption({ label: 'carla (compliance)' });
    await page.getByRole('checkbox', { name: 'finance' }).check();
    await page.getByLabel('Reason').fill('On leave');
    await page.getByRole('button', { name: 'Delegate' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Delegated to carla.' }).isVisible());
    await eventually(() => page.getByRole('list', { name: 'Delegations' }).getByText('dora → carla').isVisible());
    await waitFor(async () => (await queueOf(carla)).some((n) => n.id === submitted.id), { what: 'the request in the delegate’s queue' });
    await nav(page, 'Queue').click();
    await eventually(() => page.getByRole('heading', { name: 'Your approval queue' }).isVisible());
    await eventually(async () => (await page.getByRole('link', { name: input.summary }).count()) === 0);

    await nav(page, 'Delegations').click();
    await page.getByRole('button', { name: 'Revoke the delegation from dora to carla' }).click();
    await waitFor(async () => !(await queueOf(carla)).some((n) => n.id === submitted.id), { what: 'the request back with Dora' });
    await context.close();
  });

  it('is driven by the keyboard: j moves, Enter opens, a asks to approve', async () => {
    const input = syncInput('Keyboard');
    await submit(stack, agent.apiKey, input);
    const { context, page } = await newPage(browser);
    await signIn(page, base, fiona.token);
    await eventually(() => page.getByRole('link', { name: input.summary }).isVisible());
    const items = page.getByRole('list', { name: 'Requests waiting for you' }).getByRole('listitem');
    const index = (await items.allTextContents()).findIndex((t) => t.includes(input.summary));
    for (let i = 0; i <= index; i++) await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await eventually(() => page.getByRole('heading', { name: input.summary, level: 1 }).isVisible());
    // The verdict keys belong to the verdict panel: press once it is on the page.
    await eventually(() => page.getByRole('button', { name: 'Approve', exact: true }).isVisible());
    await page.keyboard.press('a');
    await eventually(() => page.getByRole('dialog').getByRole('button', { name: 'Approve' }).isVisible());
    await page.keyboard.press('Escape');
    await eventually(async () => (await page.getByRole('dialog').count()) === 0);
    await context.close();
  });

  for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    it(`fits a ${name === 'phone' ? '390 px phone' : '1280 px desktop'} with no sideways scroll, passes axe in light and dark, and is photographed`, async () => {
      const input = syncInput('Wire 25,000 USD to Acme Ltd for invoice INV-42');
      await submit(stack, agent.apiKey, input);
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPage(browser, { ...options, colorScheme: scheme });
        const shot = (what: string) => page.screenshot({ path: `${SCREENSHOTS}${what}-${name}-${scheme}.png`, fullPage: name === 'desktop' });
        await signIn(page, base, fiona.token);
        await eventually(() => page.getByRole('link', { name: input.summary }).isVisible());
        await expectNoSidewaysScroll(page);
        await expectNoSeriousAxeViolations(page);
        await shot('queue');

        await page.getByRole('link', { name: input.summary }).click();
        await eventually(() => page.getByRole('heading', { name: input.summary, level: 1 }).isVisible());
        await eventually(() => page.getByRole('heading', { name: 'Similar past requests' }).isVisible());
        await expectNoSidewaysScroll(page);
        await expectNoSeriousAxeViolations(page);
        await shot('request');

        // The other pages, once (light): they share the request page's components and colours.
        for (const link of scheme === 'light' ? ['Review', 'Delegations', 'History'] : []) {
          await nav(page, link).click();
          await eventually(() => page.getByRole('heading', { level: 1 }).isVisible());
          await expectNoSidewaysScroll(page);
          await expectNoSeriousAxeViolations(page);
          await shot(link.toLowerCase());
        }
        await context.close();
      }
    }, 180_000);
  }
});
