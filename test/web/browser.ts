/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What the web app's browser tests share: Debian's Chromium driven by playwright-core (no
 * browser downloads), signing in as a person does, and the checks every page must pass.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const DIST = fileURLToPath(new URL('../../packages/web/dist/index.html', import.meta.url));

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(DIST)) throw new Error('packages/web/dist is missing: run `pnpm run build:web` (the root `pnpm test` does it first).');
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it).`);
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** The server's origin (stack.url is its /graphql endpoint). */
export function origin(url: string): string {
  return new URL(url).origin;
}

/** Opens `path` and signs in with `token` through the form, as a person would. */
export async function signIn(page: Page, base: string, token: string, path = '/'): Promise<void> {
  await page.goto(base + path);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).isVisible(), { timeout: 15_000 }).toBe(true);
}

export async function newPage(browser: Browser, options: Parameters<Browser['newContext']>[0] = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  // A stuck click or fill fails with the step that stuck, before the test's own timeout hides it.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  return { context, page };
}

/** Fails on any serious or critical axe violation, listing them. */
export async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** The page fits its viewport: nothing makes it scroll sideways. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth, 'document wider than the viewport').toBeLessThanOrEqual(clientWidth);
}

/** Polls a locator-based condition with a deadline (no fixed sleeps). */
export async function eventually(check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  await expect.poll(check, { timeout, interval: 100 }).toBe(true);
}

/** A link of the main navigation (the page may have others with the same name). */
export function nav(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}
