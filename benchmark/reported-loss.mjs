// `DIST=<build>/dist node benchmark/reported-loss.mjs [tasks]`: does every trf start report the law's own Σr² at
// its θ? 16-start fits (every start kept) on the rows random fitted at each level of repeat 0 in
// results/converged, for every law with linear parameters (up to two groups). One JSON line per law:
// starts, starts whose loss is off by more than 1e-6 relative, how many of those were the best fit,
// and the worst relative error. 0.4.4 and earlier misreported (see docs/design.md); 0.4.5 on should not.
import fs from 'node:fs';
import { designAt } from './design-at.mjs';
const D = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const { loadTask, lawOf, builtinTaskNames } = await import(`${D}/data/task.js`);
const { loadTaskData } = await import(`${D}/data/dataset.js`);
const { LeastSquares, subset } = await import(`${D}/fit/multistart.js`);
const { uniformStarts } = await import(`${D}/fit/starts.js`);
const { rngFor } = await import(`${D}/random/seeds.js`);
for (const name of (process.argv[2] ?? builtinTaskNames().join(',')).split(',')) {
  const task = loadTask(name);
  const data = await loadTaskData(task);
  const dir = `results/converged/${name}/random`;
  const f = fs
    .readdirSync(dir)
    .map((d) => `${dir}/${d}/runs.jsonl`)
    .find((p) => fs.existsSync(p));
  const recs = fs
    .readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  for (const lawId of Object.keys(task.laws)) {
    const law = lawOf(task, lawId);
    if (!law.linear?.length) continue;
    let bad = 0,
      total = 0,
      bestBad = 0,
      worst = 0;
    const t0 = performance.now();
    for (const group of data.groups.slice(0, 2)) {
      const rec = recs.find((r) => r.law === lawId && r.repeat === 0);
      const trace = rec.groups[group.name];
      for (let level = 0; level < task.budgets.length; level++) {
        const rows = designAt(trace, group.pool.cost, level);
        if (!rows.length) continue;
        const { X, y } = subset(group.pool.X, group.pool.y, law.outputs, rows);
        const problem = new LeastSquares(law, X, y, { fitter: 'trf', gradient: 'reference', objective: 'sse', distinct: false });
        const res = problem.fit(uniformStarts(law.bounds, 16, rngFor(['scan', lawId, level])));
        const b = law.bind(X);
        res.fits.forEach((fit, k) => {
          if (!Number.isFinite(fit.loss)) return;
          total++;
          const sse = b.sse(fit.theta, y);
          const rel = Math.abs(sse - fit.loss) / Math.max(sse, 1e-300);
          if (rel > 1e-6) {
            bad++;
            if (k === res.best) bestBad++;
            worst = Math.max(worst, rel);
          }
        });
      }
    }
    console.log(
      JSON.stringify({ task: name, law: lawId, total, bad, bestBad, worst: Number(worst.toPrecision(3)), s: Math.round((performance.now() - t0) / 1000) }),
    );
  }
}
