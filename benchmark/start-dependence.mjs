// `node benchmark/start-dependence.mjs [--task lr_bsz_scaling_law] [--laws sl_2,sl_3,sl_8] [--repeats 3] [--results results/converged]`
//
// Does a converged fit stop depending on its starts once there are enough of them? For each law,
// repeat and budget level, the rows the random baseline fitted (read from a committed grid), fitted
// under `--fitter trf` from two independent streams of uniform starts, 16 at a time up to 256. Prints
// one JSON line per design: for each stream, the best Σr² and its target-region R² after 16, 64 and
// 256 starts, and how many starts reached that best (within 1e-6 relative). Where the two streams
// still disagree at 256 starts, no fixed number of starts makes the score start-independent.
import fs from 'node:fs';
import path from 'node:path';
import { designAt } from './design-at.mjs';
import { lawOf, loadTask, loadTaskData, LeastSquares, rngFor, subset, taskR2, uniformStarts } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const taskName = flag('--task', 'lr_bsz_scaling_law');
const laws = flag('--laws', 'sl_2,sl_3,sl_8').split(',');
const repeats = Number(flag('--repeats', '3'));
const results = flag('--results', 'results/converged');
const BATCH = 16;
const BATCHES = 16;
const REPORT_AT = [1, 4, 16];

const task = loadTask(taskName);
const data = await loadTaskData(task);
const dir = path.join(results, taskName, 'random');
const records = fs
  .readdirSync(dir)
  .map((run) => path.join(dir, run, 'runs.jsonl'))
  .filter((f) => fs.existsSync(f))
  .flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
const group = data.groups[0];

for (const lawId of laws) {
  const law = lawOf(task, lawId);
  for (let repeat = 0; repeat < repeats; repeat++) {
    const record = records.find((r) => r.law === lawId && r.repeat === repeat);
    if (!record) continue;
    for (let level = 0; level < task.budgets.length; level++) {
      const rows = designAt(record.groups[group.name], group.pool.cost, level);
      const { X, y } = subset(group.pool.X, group.pool.y, law.outputs, rows);
      const bound = law.bind(X);
      const line = { task: taskName, law: lawId, repeat, level: task.budgets[level], rows: rows.length };
      for (const stream of ['a', 'b']) {
        const problem = new LeastSquares(law, X, y, { fitter: 'trf', objective: 'sse', distinct: false });
        const rng = rngFor(['start-dependence', lawId, repeat, level, stream]);
        const sse = [];
        const thetas = [];
        const report = [];
        for (let b = 1; b <= BATCHES; b++) {
          for (const f of problem.fit(uniformStarts(law.bounds, BATCH, rng)).fits) {
            if (!Number.isFinite(f.loss)) continue;
            sse.push(bound.sse(f.theta, y));
            thetas.push(f.theta);
          }
          if (!REPORT_AT.includes(b)) continue;
          let best = 0;
          sse.forEach((s, i) => {
            if (s < sse[best]) best = i;
          });
          const hits = sse.filter((s) => s <= sse[best] * (1 + 1e-6)).length;
          report.push({ starts: b * BATCH, sse: Number(sse[best].toPrecision(6)), hits, r2: Number(taskR2(law, [group], [thetas[best]]).toFixed(3)) });
        }
        line[stream] = report;
      }
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
}
