// Law evaluation throughput: value + exact Jacobian over a task's whole pool, per law, and the
// compile time of each law. Prints JSON. Run through `npm run bench` (which builds first).
import { performance } from 'node:perf_hooks';
import { builtinTaskNames, lawOf, loadTask, loadTaskData } from '../dist/index.js';

const SECONDS_PER_LAW = Number(process.env.BENCH_SECONDS ?? 0.25);

function timeLoop(fn) {
  // warm up so that the JIT has compiled the generated kernel before we time it
  for (let i = 0; i < 20; i++) fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < SECONDS_PER_LAW * 1000) {
    for (let i = 0; i < 10; i++) fn();
    calls += 10;
    now = performance.now();
  }
  return { calls, seconds: (now - start) / 1000 };
}

export async function benchLaws() {
  const tasks = [];
  for (const name of builtinTaskNames()) {
    const task = loadTask(name);
    const data = await loadTaskData(task);
    const group = data.groups[0];
    const laws = [];
    let rowEvals = 0;
    let seconds = 0;
    for (const id of Object.keys(task.laws)) {
      const t0 = performance.now();
      const law = lawOf(task, id);
      const compileMs = performance.now() - t0;
      const bound = law.bind(group.pool.X);
      const theta = law.bounds.map(([lo, hi]) => (lo > 0 ? Math.sqrt(lo * hi) : (lo + hi) / 2));
      const out = new Float64Array(bound.n * law.outputs);
      const J = new Float64Array(bound.n * law.outputs * law.params.length);
      const g = new Float64Array(law.params.length);
      const vj = timeLoop(() => bound.valueJac(theta, out, J));
      const sg = timeLoop(() => bound.sseGrad(theta, group.pool.y, g));
      const perSecond = (bound.n * vj.calls) / vj.seconds;
      rowEvals += bound.n * vj.calls;
      seconds += vj.seconds;
      laws.push({
        id,
        params: law.params.length,
        outputs: law.outputs,
        compileMs: +compileMs.toFixed(3),
        valueJacRowsPerSecond: Math.round(perSecond),
        sseGradRowsPerSecond: Math.round((bound.n * sg.calls) / sg.seconds),
      });
    }
    tasks.push({ task: name, rows: group.pool.n, laws, valueJacRowsPerSecond: Math.round(rowEvals / seconds) });
  }
  const small = tasks.flatMap((t) => t.laws.filter((l) => l.params >= 4 && l.params <= 9));
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    tasks,
    laws4to9Params: {
      count: small.length,
      medianValueJacRowsPerSecond: median(small.map((l) => l.valueJacRowsPerSecond)),
      minValueJacRowsPerSecond: Math.min(...small.map((l) => l.valueJacRowsPerSecond)),
    },
    compileMs: { max: Math.max(...tasks.flatMap((t) => t.laws.map((l) => l.compileMs))), median: median(tasks.flatMap((t) => t.laws.map((l) => l.compileMs))) },
  };
}
