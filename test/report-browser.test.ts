/**
 * The report as a browser shows it: Debian's headless Chromium opens report.html from disk, every
 * figure must be laid out and drawn, nothing may be fetched, and a screenshot is taken.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmark } from '../src/benchmark/run.js';
import type { Method } from '../src/benchmark/unit.js';
import { loadTaskData } from '../src/data/dataset.js';
import { loadTask } from '../src/data/task.js';
import { writeReport, type ReportFiles } from '../src/report/html.js';
import { CHROMIUM, CHROMIUM_ARGS } from './shared.js';

async function makeResults(out: string): Promise<void> {
  const task = loadTask('parallel_scaling_law');
  const data = await loadTaskData(task);
  for (const method of ['cheapest', 'mspe'] as Method[]) {
    await runBenchmark(
      {
        task,
        method,
        laws: ['sl_9'],
        repeats: 2,
        seed: 0,
        restarts: 4,
        fitter: 'lbfgsb',
        gradient: 'reference',
        workers: 1,
        out,
        shard: null,
        resume: false,
        quiet: true,
      },
      data,
    );
  }
}

describe('report.html in a browser', () => {
  let tmp: string;
  let files: ReportFiles;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-report-browser-'));
    await makeResults(path.join(tmp, 'out'));
    files = await writeReport(path.join(tmp, 'out'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('renders every figure with marks, fetches nothing, and screenshots', async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: this test needs Debian's chromium; install it with 'apt-get install -y chromium' (or run .ci/install-chromium)`);
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const fetched: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) fetched.push(r.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(files.html).href, { waitUntil: 'load' });

      const figures = await page.$$('figure.plot');
      expect(figures).toHaveLength(files.svgs.length);
      for (const figure of figures) {
        const svg = await figure.$('svg');
        const box = await svg!.boundingBox();
        expect(box!.width).toBeGreaterThan(100);
        expect(box!.height).toBeGreaterThan(100);
        const marks = await svg!.$$eval(
          'g.role-mark path, g.role-mark line',
          (els) =>
            els.filter((el) => {
              const b = (el as SVGGraphicsElement).getBBox();
              return b.width > 0 || b.height > 0;
            }).length,
        );
        expect(marks).toBeGreaterThan(0);
      }
      expect(await page.locator('table.results td.cell').count()).toBe(6);
      expect(fetched).toEqual([]);
      expect(errors).toEqual([]);

      const shot = path.join(tmp, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      const png = fs.readFileSync(shot);
      expect(png.length).toBeGreaterThan(10_000);
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
