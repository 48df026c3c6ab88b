// Table-2 regression: a subset of the grid (3 tasks × 3 methods × 3 repeats), compared with the
// task-level means we measured with this code (test/regress/baseline.json). Fails when a mean falls
// more than MARGIN below its baseline. `npm run regress -- --update` rewrites the baseline (review
// the diff). Prints JSON with every cell, its baseline and the verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTask, loadTaskData, runBenchmark } from '../dist/index.js';

const MARGIN = 0.05;
const TASKS = ['parallel_scaling_law', 'moe_scaling_law', 'farseer_scaling_law'];
const METHODS = ['cheapest', 'v-opt', 'mspe'];
const REPEATS = 3;
const baselineFile = fileURLToPath(new URL('../test/regress/baseline.json', import.meta.url));
const update = process.argv.includes('--update');

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'active-sl-regress-'));
const started = Date.now();
const cells = {};
for (const name of TASKS) {
  const task = loadTask(name);
  const data = await loadTaskData(task);
  for (const method of METHODS) {
    const r = await runBenchmark(
      {
        task,
        method,
        laws: Object.keys(task.laws),
        repeats: REPEATS,
        seed: 0,
        restarts: 64,
        fitter: 'lbfgsb',
        gradient: 'reference',
        workers: os.availableParallelism(),
        out,
        shard: null,
        resume: false,
        quiet: true,
      },
      data,
    );
    cells[`${name}/${method}`] = r.summary.overall.mean.map((v) => +v.toFixed(4));
    process.stderr.write(`regress: ${name} ${method} ${cells[`${name}/${method}`].join(' ')}\n`);
  }
}
const seconds = Math.round((Date.now() - started) / 1000);
// the run folders only back the means above: kept only when a cell fails, for a look at its units
if (update) {
  fs.rmSync(out, { recursive: true, force: true });
  fs.writeFileSync(baselineFile, `${JSON.stringify({ repeats: REPEATS, margin: MARGIN, cells }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ updated: baselineFile, seconds, cells }, null, 2)}\n`);
  process.exit(0);
}
const baseline = JSON.parse(fs.readFileSync(baselineFile, 'utf8'));
const report = Object.entries(cells).map(([key, means]) => {
  const base = baseline.cells[key];
  const drops = means.map((m, b) => (base ? +(base[b] - m).toFixed(4) : null));
  return { cell: key, means, baseline: base ?? null, ok: Boolean(base) && drops.every((d) => d <= MARGIN), drops };
});
const failed = report.filter((r) => !r.ok);
process.stdout.write(`${JSON.stringify({ margin: MARGIN, seconds, failed: failed.length, report }, null, 2)}\n`);
if (failed.length) {
  process.stderr.write(
    `regress: ${failed.length} cell(s) fell more than ${MARGIN} below the baseline: ${failed.map((f) => f.cell).join(', ')}; the runs are in ${out}\n`,
  );
  process.exit(1);
}
fs.rmSync(out, { recursive: true, force: true });
process.stderr.write(`regress: all ${report.length} cells within ${MARGIN} of the baseline (${seconds} s)\n`);
