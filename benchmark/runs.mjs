// Whole-run speed: one unit (first law, repeat 0, 64 restarts, one worker) of a method per task, and
// a whole cheapest run per task (all laws, one repeat). BENCH_TASKS=a,b limits the tasks.
import { performance } from 'node:perf_hooks';
import { builtinTaskNames, loadTask, loadTaskData, runUnit } from '../dist/index.js';

const tasks = () => (process.env.BENCH_TASKS ? process.env.BENCH_TASKS.split(',') : builtinTaskNames());

export async function benchUnits(method, { allLaws = false } = {}) {
  const out = [];
  for (const name of tasks()) {
    const task = loadTask(name);
    const data = await loadTaskData(task);
    const laws = allLaws ? Object.keys(task.laws) : [Object.keys(task.laws)[0]];
    const t0 = performance.now();
    const r2 = laws.map((law) => runUnit(data, law, 0, { method, seed: 0, restarts: 64, fitter: 'lbfgsb', gradient: 'reference' }).r2);
    out.push({ task: name, method, laws: laws.length, seconds: +((performance.now() - t0) / 1000).toFixed(2), r2: laws.length === 1 ? r2[0] : undefined });
  }
  return out;
}
