// Fitter speed: one 64-start multistart fit per task on the reference's initial design (the
// cheapest points up to ⌊2.5·P/outputs⌋ within 2% of the total cost), for the first law and group.
// Each fit is timed BENCH_RUNS times (default 5) after a warm-up: `milliseconds` is the best run,
// as timeit reports, since a benchmark run makes thousands of such fits in a warm process.
import { performance } from 'node:perf_hooks';
import { builtinTaskNames, initialDesign, lawOf, loadTask, loadTaskData, LeastSquares, logUniformStarts, rngFor, subset } from '../dist/index.js';

/** The benchmark problems: per task, its first law on the initial design of its first group. */
export async function fitProblems(starts = 64) {
  const out = [];
  for (const name of builtinTaskNames()) {
    const task = loadTask(name);
    const data = await loadTaskData(task);
    const group = data.groups[0];
    const lawId = Object.keys(task.laws)[0];
    const law = lawOf(task, lawId);
    const rows = initialDesign(group, law.params.length, law.outputs);
    const { X, y } = subset(group.pool.X, group.pool.y, law.outputs, rows);
    const rowsX = rows.map((_, k) => X.map((col) => col[k]));
    out.push({
      task: name,
      law: lawId,
      lawObject: law,
      X,
      rowsX,
      y,
      outputs: law.outputs,
      bounds: law.bounds,
      rows,
      starts: logUniformStarts(law.bounds, starts, rngFor(['bench', name])),
    });
  }
  return out;
}

/** Timed runs of each fit (after one untimed run that warms the JIT): the best and the median. */
export const TIMED_RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));

export async function benchFit({ starts = 64, fitter = 'lbfgsb', runs = TIMED_RUNS } = {}) {
  const out = [];
  for (const p of await fitProblems(starts)) {
    const { task: name, law: lawId, lawObject: law, X, y, rows } = p;
    const problem = new LeastSquares(law, X, y, { objective: 'mse', fitter });
    let result = problem.fit(p.starts);
    const times = [];
    for (let k = 0; k < runs; k++) {
      const t0 = performance.now();
      result = problem.fit(p.starts);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const statuses = {};
    for (const f of result.fits) statuses[f.status] = (statuses[f.status] ?? 0) + 1;
    out.push({
      task: name,
      law: lawId,
      params: law.params.length,
      rows: rows.length,
      starts,
      fitter,
      runs,
      milliseconds: +times[0].toFixed(1),
      medianMilliseconds: +times[Math.floor((runs - 1) / 2)].toFixed(1),
      bestLoss: result.best >= 0 ? result.fits[result.best].loss : null,
      statuses,
    });
  }
  return out;
}
