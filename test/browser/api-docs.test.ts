// Swagger UI in a real browser: headless Chromium (the Debian package, /usr/bin/chromium, driven
// through playwright-core; no browser is ever downloaded) opens /api-docs on the emulator
// listening on 127.0.0.1 (port 0), the page renders the resource list, the page signs in with
// fetch (so the browser holds the session cookie), and a "try it out" GET on defects, clicked
// through the UI, answers 200 with the defect created beforehand.
//
// Without Chromium the tests are reported as skipped, with the reason printed. The screenshot goes
// to docs/api-docs.png when that file is missing or UPDATE_SCREENSHOTS=1 is set (it shows a port
// and times, so it would change at every run), else to the temporary directory.

import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { PACKAGE_ROOT } from '../../src/package-info.js';
import { makeApp, type TestApp } from '../helpers/app.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} is not installed (Debian package "chromium": apt-get install -y chromium); the browser check of /api-docs did not run`;
const SCREENSHOT = path.join(PACKAGE_ROOT, 'docs', 'api-docs.png');

type Context = import('playwright-core').BrowserContext;
type Page = import('playwright-core').Page;

let t: TestApp;
let base: string;
let userDataDir: string;
let browser: Context | undefined;
let page: Page;
let defectId: string;

function skipWithoutChromium(ctx: TestContext): boolean {
  if (hasChromium) return false;
  console.warn(`[skipped] ${SKIP_REASON}`);
  ctx.skip(SKIP_REASON);
  return true;
}

beforeAll(async () => {
  if (!hasChromium) return;
  t = await makeApp();
  [defectId] = await t.create('defects', { name: 'Seen from the browser', parent: { type: 'work_item_root', id: 'work_item_root' } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address() as AddressInfo;
  expect(address.address).toBe('127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
  const { chromium } = await import('playwright-core');
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'octane-emulator-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  await t?.close();
});

describe('Swagger UI at /api-docs in headless Chromium', () => {
  it('renders the resource list without a session', async (ctx) => {
    if (skipWithoutChromium(ctx)) return;
    await page.goto(`${base}/api-docs`);
    await page.waitForSelector('.opblock-tag', { timeout: 20_000 });
    const tags = await page.$$eval('.opblock-tag', (els) => els.map((e) => e.getAttribute('data-tag')));
    for (const tag of ['authentication', 'metadata', 'defect', 'work_item', 'release', 'test_manual']) expect(tags).toContain(tag);
    await expect(page.locator('.info .title').innerText()).resolves.toContain('octane-emulator');
    expect(await browser!.cookies()).toEqual([]);
  });

  it('signs in from the page: the browser then holds the session cookie', async (ctx) => {
    if (skipWithoutChromium(ctx)) return;
    const status = await page.evaluate(async () => {
      const res = await fetch('/authentication/sign_in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'sa@nga', password: 'Welcome1' }) });
      return res.status;
    });
    expect(status).toBe(200);
    const cookies = await browser!.cookies();
    expect(cookies.find((c) => c.name === 'LWSSO_COOKIE_KEY')).toMatchObject({ path: '/', httpOnly: true });
  });

  it('"Try it out" on GET defects, clicked through the UI, answers 200 with the defect', async (ctx) => {
    if (skipWithoutChromium(ctx)) return;
    // open the defect resource, then its collection GET, as a user would
    await page.locator('.opblock-tag[data-tag="defect"]').click();
    const op = page.locator('#operations-defect-get_defects');
    await op.locator('.opblock-summary-control').click();
    await op.locator('button.try-out__btn').click({ timeout: 20_000 });
    await op.locator('tr[data-param-name="sid"] input').fill(String(t.app.emulator.defaults.sharedSpaceId));
    await op.locator('tr[data-param-name="wid"] input').fill(String(t.app.emulator.defaults.workspaceId));
    await op.locator('tr[data-param-name="fields"] input').fill('name,phase');
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 20_000 });
    expect((await status.innerText()).trim()).toBe('200');
    const body = JSON.parse(await op.locator('.live-responses-table tbody .highlight-code .microlight').first().innerText());
    expect(body.total_count).toBe(1);
    expect(body.data[0]).toMatchObject({ type: 'defect', id: defectId, name: 'Seen from the browser', phase: { type: 'phase' } });
    expect(await op.locator('.request-url pre').innerText()).toBe(`${base}/api/shared_spaces/1001/workspaces/1002/defects?fields=name%2Cphase`);

    // the whole operation in one picture: parameters, the call and its answer
    await page.setViewportSize({ width: 1280, height: 1720 });
    await op.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    const target = !fs.existsSync(SCREENSHOT) || process.env.UPDATE_SCREENSHOTS === '1' ? SCREENSHOT : path.join(os.tmpdir(), 'octane-emulator-api-docs.png');
    await page.screenshot({ path: target });
    expect(fs.statSync(target).size).toBeGreaterThan(10_000);
    console.info(`screenshot: ${target}`);
  });
});
