/**
 * The campaign page in a browser: Debian's headless Chromium opens `active-sl serve`'s page, sees
 * the figures, the forecast band and the suggested batch; a run added through the form changes the
 * band and the batch without a reload; runs told through the API and a dropped CSV appear by
 * themselves. Nothing is fetched from anywhere but the server. Screenshots: with
 * ACTIVE_SL_SCREENSHOTS=docs they are written to docs/serve-page.png and docs/serve-after-run.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, repoRoot } from './shared.js';
import { api, makeServeCampaign, makeTempDir, startServe, type ServeFixture, type ServerProcess } from './serve-fixture.js';

/** The diagonal and a few more of the 6 × 6 pool: enough runs for a fit and a band. */
const FIRST_RUNS = [0, 7, 14, 21, 1, 6, 8];

let dir: string;
let fx: ServeFixture;
let server: ServerProcess;

beforeAll(async () => {
  dir = makeTempDir('asl-serve-browser-');
  fx = makeServeCampaign(dir, { points: 6 });
  fs.writeFileSync(fx.runs, `N,D,loss\n${FIRST_RUNS.map((r) => `${fx.pool[r].N},${fx.pool[r].D},${fx.lossOf(r)}`).join('\n')}\n`);
  server = await startServe([
    '--task',
    fx.task,
    '--observed',
    fx.runs,
    '--restarts',
    '8',
    '--history',
    '6',
    '--batch',
    '3',
    '--stop-below',
    '0.01',
    '--budget',
    '2e21',
  ]);
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  fs.rmSync(dir, { recursive: true, force: true });
});

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
const batchRows = (page: Page) => page.$$eval('#next-0 tbody tr', (rows) => rows.map((r) => (r.children[1] as HTMLElement).innerText));
const runsShown = async (page: Page) => Number(await text(page, '#runs-count'));

async function screenshot(page: Page, name: string): Promise<void> {
  const shot = path.join(dir, name);
  await page.screenshot({ path: shot, fullPage: true });
  const png = fs.readFileSync(shot);
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  if (process.env.ACTIVE_SL_SCREENSHOTS === 'docs') fs.copyFileSync(shot, path.join(repoRoot, 'docs', name));
}

describe('the campaign page', () => {
  it('shows the campaign, takes a run from the form, and follows runs from elsewhere', async (ctx) => {
    if (!fs.existsSync(CHROMIUM)) {
      ctx.skip(`${CHROMIUM} not found: this test needs Debian's chromium; install it with 'apt-get install -y chromium' (or run .ci/install-chromium)`);
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
      const origin = new URL(server.url).origin;
      const elsewhere: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(origin)) elsewhere.push(r.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.url, { waitUntil: 'load' });

      // the figures (law against N and D, the forecast, the band's history), the band and the batch
      // the history is filled in the background: the forecasts after the first k runs, k = 2 … 6 (one run cannot be fitted)
      await page.waitForFunction(() => Number(document.querySelector('.figures figure.history')?.getAttribute('data-points')) >= 5, undefined, {
        timeout: 60_000,
      });
      expect(await page.locator('.figures figure.input svg').count()).toBe(2);
      expect(await page.locator('.figures figure.forecast svg').count()).toBe(1);
      for (const svg of await page.$$('.figures svg')) {
        const marks = await svg.$$eval('g.role-mark path, g.role-mark line, g.role-mark rect', (els) => els.length);
        expect(marks).toBeGreaterThan(0);
      }
      expect(await runsShown(page)).toBe(FIRST_RUNS.length);
      expect(await page.locator('#forecast-0 tbody tr').count()).toBe(4);
      expect(await page.locator('[data-alarm]').count()).toBe(1);
      const before = { uncertainty: await text(page, '#uncertainty-0'), batch: await batchRows(page), band: await text(page, '#forecast-0') };
      expect(before.batch).toHaveLength(3);
      expect(await text(page, '#next-0')).toMatch(/highest MSPE score/);
      expect(await text(page, '#budget-left')).not.toBe('no limit set');
      await screenshot(page, 'serve-page.png');

      // the form: the first suggested run, with what its training returned
      const row = Number(before.batch[0]);
      await page.fill('#field-N', String(fx.pool[row].N));
      await page.fill('#field-D', String(fx.pool[row].D));
      await page.fill('#field-loss', String(fx.lossOf(row)));
      await page.click('#add-run');
      await page.waitForFunction((n) => document.querySelector('#runs-count')?.textContent === String(n), FIRST_RUNS.length + 1, { timeout: 30_000 });
      expect(await text(page, '#message')).toMatch(/^recorded 1 run \(data row 8\)/);
      await page.waitForFunction(
        (old) => {
          const rows = [...document.querySelectorAll('#next-0 tbody tr')].map((r) => (r.children[1] as HTMLElement).innerText);
          return rows.length > 0 && rows.join() !== old;
        },
        before.batch.join(),
        { timeout: 30_000 },
      );
      expect(await batchRows(page)).not.toContain(String(row));
      expect(await text(page, '#uncertainty-0')).not.toBe(before.uncertainty);
      expect(await text(page, '#forecast-0')).not.toBe(before.band);

      // a bad run is refused with the server's message, and nothing changes
      await page.fill('#field-N', String(fx.pool[row].N));
      await page.fill('#field-D', String(fx.pool[row].D));
      await page.fill('#field-loss', String(fx.lossOf(row)));
      await page.click('#add-run');
      await page.waitForFunction(() => document.querySelector('#message')?.className === 'error', undefined, { timeout: 30_000 });
      expect(await text(page, '#message')).toMatch(/is already in runs\.csv \(data row 8\), with the same loss: this run was told before/);

      // a run from elsewhere (a job telling the API) and a dropped CSV appear without a reload
      const next = Number((await batchRows(page))[0]);
      const told = await api(`${server.url}runs`, { method: 'POST', body: { N: fx.pool[next].N, D: fx.pool[next].D, loss: fx.lossOf(next) } });
      expect(told.status).toBe(200);
      await page.waitForFunction((n) => document.querySelector('#runs-count')?.textContent === String(n), FIRST_RUNS.length + 2, { timeout: 30_000 });
      const csvRows = [28, 35];
      await page.setInputFiles('#file', {
        name: 'more.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`N,D,loss\n${csvRows.map((r) => `${fx.pool[r].N},${fx.pool[r].D},${fx.lossOf(r)}`).join('\n')}\n`),
      });
      await page.waitForFunction((n) => document.querySelector('#runs-count')?.textContent === String(n), FIRST_RUNS.length + 4, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector('#message')?.className === 'done', undefined, { timeout: 30_000 });
      await page.waitForFunction(
        (n) => document.querySelectorAll('.figures figure.history svg g.role-mark path').length > 0 && Number(document.body.dataset.version) >= n,
        0,
      );
      await screenshot(page, 'serve-after-run.png');

      expect(elsewhere).toEqual([]);
      expect(errors).toEqual([]);
      expect(fs.readFileSync(fx.runs, 'utf8').trim().split('\n')).toHaveLength(FIRST_RUNS.length + 5);
    } finally {
      await browser.close();
    }
  });
});
