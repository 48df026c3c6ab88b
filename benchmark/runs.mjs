// Whole-run speed: one unit (first law, repeat 0, one worker) of a method per task, and a whole
// cheapest run per task (all laws, one repeat). BENCH_TASKS=a,b limits the tasks, BENCH_LAWS=a,b
// picks the laws. The reference protocol (lbfgsb, 64 restarts) unless `fitter: 'trf'` (16 restarts,
// the reference's Jacobian: `run --fitter trf`'s defaults).
import { performance } from 'node:perf_hooks';
import { builtinTaskNames, loadTask, loadTaskData, runUnit } from '../dist/index.js';
import { defaultRestarts } from '../dist/fit/multistart.js';

const tasks = () => (process.env.BENCH_TASKS ? process.env.BENCH_TASKS.split(',') : builtinTaskNames());

export async function benchUnits(method, { allLaws = false, fitter = 'lbfgsb' } = {}) {
  const out = [];
  for (const name of tasks()) {
    const task = loadTask(name);
    const data = await loadTaskData(task);
    const laws = process.env.BENCH_LAWS ? process.env.BENCH_LAWS.split(',') : allLaws ? Object.keys(task.laws) : [Object.keys(task.laws)[0]];
    const config = { method, seed: 0, restarts: defaultRestarts(fitter), fitter, gradient: 'reference' };
    const t0 = performance.now();
    const r2 = laws.map((law) => runUnit(data, law, 0, config).r2);
    out.push({
      task: name,
      method,
      fitter,
      restarts: config.restarts,
      laws: laws.length,
      seconds: +((performance.now() - t0) / 1000).toFixed(2),
      r2: laws.length === 1 ? r2[0] : undefined,
    });
  }
  return out;
}
