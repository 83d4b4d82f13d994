/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createAgent, createApprover } from '../support/server.js';
import { INPUTS, apply, governanceYaml, submit } from '../support/fixtures.js';
import { startSsoStack } from '../support/oidc.js';
import { SCREENSHOTS, eventually, expectNoSeriousAxeViolations, launchBrowser, newPage } from './browser.js';

/**
 * Single sign-on in a real Chromium against a real OpenID provider (DESIGN §14): the app is
 * opened at localhost, the provider is at 127.0.0.1 (another site), and the person signs
 * in at the provider's own login form.
 */
describe('single sign-on in the web app (a real Chromium, a real OpenID provider)', () => {
  let stack: Awaited<ReturnType<typeof startSsoStack>>;
  let browser: Browser;
  let actionId: string;
  const summary = 'Wire 25,000 USD to Acme Ltd (SSO)';

  beforeAll(async () => {
    stack = await startSsoStack({ host: 'localhost' });
    await createApprover(stack, 'fiona', ['finance']);
    await createApprover(stack, 'felix', ['finance']);
    await createApprover(stack, 'lars', ['finance-lead']);
    await createApprover(stack, 'carla', ['compliance']);
    await apply(stack, governanceYaml());
    const agent = await createAgent(stack, 'payments-bot');
    actionId = (await submit(stack, agent.apiKey, { ...INPUTS.sync, summary, idempotencyKey: `sso-${Date.now()}` })).id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.dispose();
  });

  /** Clicks "Sign in with SSO" and signs in at the provider's login form as `email`. */
  async function signInWithSso(page: Page, email: string): Promise<void> {
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL((url) => url.origin === stack.idp.issuer);
    await page.getByPlaceholder('Enter any login').fill(email);
    await page.getByPlaceholder('and password').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL((url) => url.origin === stack.publicUrl);
  }

  it('signs an approver in by their email and lands on the queue as them; sign-out ends the session here and at the provider', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(stack.publicUrl + '/');
    await eventually(() => page.getByRole('link', { name: 'Sign in with SSO' }).isVisible());
    // The token form stays for those who sign in with one.
    expect(await page.getByLabel('Token').isVisible()).toBe(true);
    await expectNoSeriousAxeViolations(page);

    await signInWithSso(page, 'fiona@example.com');
    await eventually(() => page.getByRole('heading', { name: 'Your approval queue' }).isVisible());
    expect(new URL(page.url()).pathname).toBe('/');
    await eventually(() => page.getByText('fiona', { exact: true }).isVisible());
    await eventually(() => page.getByRole('link', { name: summary }).isVisible());

    const [cookie] = (await context.cookies(stack.publicUrl)).filter((c) => c.name === 'cs_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // The sign-in's own cookie is spent.
    expect((await context.cookies(stack.publicUrl)).some((c) => c.name === 'cs_oidc')).toBe(false);

    await page.getByRole('button', { name: 'Sign out' }).click();
    // On to the provider's own sign-out (RP-initiated logout), which brings the browser back to the sign-in page.
    await page.waitForURL((url) => url.origin === stack.idp.issuer);
    await page.screenshot({ path: `${SCREENSHOTS}sso-provider-sign-out.png` });
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.origin === stack.publicUrl);
    await eventually(() => page.getByLabel('Token').isVisible());
    // The provider's session ended too: signing in by SSO again asks for the login, on this shared browser.
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL((url) => url.origin === stack.idp.issuer);
    await eventually(() => page.getByPlaceholder('Enter any login').isVisible());
    // Through the address the server listens on: the old cookie is dead.
    const base = new URL(stack.url).origin;
    const replay = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, cookie: `cs_session=${cookie!.value}` },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    const body = (await replay.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await context.close();
  });

  it('opens a notification\'s deep link after signing in by SSO', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${stack.publicUrl}/actions/${actionId}`);
    await signInWithSso(page, 'felix@example.com');
    await eventually(() => page.getByRole('heading', { name: summary }).isVisible());
    expect(new URL(page.url()).pathname).toBe(`/actions/${actionId}`);
    await eventually(() => page.getByRole('button', { name: 'Approve' }).isVisible());
    await context.close();
  });

  it('refuses an email that is no approver\'s, says why on the sign-in page, and opens no session', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(stack.publicUrl + '/');
    await signInWithSso(page, 'stranger@example.com');
    const alert = page.getByRole('alert').filter({ hasText: /not an approver's or admin's here/ });
    await eventually(() => alert.isVisible());
    await eventually(() => page.getByLabel('Token').isVisible());
    await page.screenshot({ path: `${SCREENSHOTS}sso-refused.png` });
    // The reason is not left in the address for a reload or a shared link.
    expect(new URL(page.url()).search).toBe('');
    expect((await context.cookies(stack.publicUrl)).some((c) => c.name === 'cs_session')).toBe(false);
    await expectNoSeriousAxeViolations(page);
    await context.close();
  });
});
