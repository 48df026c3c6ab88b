// `node benchmark/coverage.mjs [--tasks a,b] [--laws 3] [--repeats 2] [--method mspe] [--fitter lbfgsb|trf] [--restarts 64]
//   [--conditioning equilibrated|reference] [--out file.jsonl]`
//
// Do the target-region 90% intervals that `suggest` and `fit` print cover the truth? Runs the
// benchmark's model-based loop and, at each budget level, takes the fit that level reports and
// its modes, forms the predictive mixture at the task's target rows, and counts the held-out
// target values inside the band. The posterior of each mode is inverted as `suggest` and `fit` do
// (`--conditioning equilibrated`, the default since 0.4.6; `reference` is the benchmark's arithmetic,
// which the study used before). Each noise-variance rule is tried on the same fits:
//   pool      σ² prior from the variance of every pool loss (the reference's rule: it reads
//             losses nobody has paid for, so it exists only on a benchmark)
//   observed  σ² prior from the variance of the observed losses only (what a practitioner has)
//   residual  SSE/(n − P) when n > P, else the observed rule
//   residual-t the residual rule with Student's t quantile on n − P degrees of freedom instead of z
//   forecast  what `suggest` and `fit` report (forecastNoise): residual-t once n ≥ 2P, else the
//             observed rule with z
// One JSON line per unit to --out (resumable: finished units are skipped), then a JSON summary
// on stdout: per task, rule and level, the pooled coverage and the median relative half-width.
import fs from 'node:fs';
import os from 'node:os';
import { loadTaskData } from '../dist/data/dataset.js';
import { builtinTaskNames, loadTask, lawOf } from '../dist/data/task.js';
import { runSequential } from '../dist/benchmark/sequential-loop.js';
import { unitSeed } from '../dist/benchmark/unit.js';
import { forecastNoise } from '../dist/campaign/model.js';
import { noiseVariance } from '../dist/select/fisher.js';
import { prepareState, stateModes } from '../dist/select/score.js';
import { intervalHits, studentT90, targetPredictive, Z90 } from '../dist/select/predictive.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const tasks = flag('tasks', builtinTaskNames().join(',')).split(',');
const lawsPerTask = Number(flag('laws', '3'));
const repeats = Number(flag('repeats', '2'));
const method = flag('method', 'mspe');
const fitter = flag('fitter', 'lbfgsb');
const restarts = Number(flag('restarts', '64'));
const conditioning = flag('conditioning', 'equilibrated');
if (!['equilibrated', 'reference'].includes(conditioning)) throw new Error(`--conditioning ${conditioning}: expected equilibrated or reference`);
const outFile = flag('out', `coverage-${method}${fitter === 'lbfgsb' ? '' : `-${fitter}`}.jsonl`);

// a perfect fit of identical losses would give σ² = 0; keep it a hair above
const floored = (state, s2) => {
  const y = observedY(state);
  return Math.max(s2, (1e-12 * y.reduce((a, v) => a + v * v, 0)) / y.length);
};
const RULES = {
  pool: (state) => state.sigma2,
  observed: (state) => floored(state, noiseVariance(bestMse(state), state.selected.length, observedY(state))),
  residual: (state) => {
    const n = state.selected.length * state.law.outputs;
    const P = state.law.params.length;
    return n > P ? floored(state, (bestMse(state) * n) / (n - P)) : RULES.observed(state);
  },
};
RULES['residual-t'] = RULES.residual;
RULES.forecast = (state) => forecastOf(state).sigma2;

/** The product's rule, on the observed rows of this state. */
function forecastOf(state) {
  const X = state.pool.X.map((col) => Float64Array.from(state.selected, (i) => col[i]));
  const obs = { X, y: Float64Array.from(observedY(state)), n: state.selected.length };
  const best = state.fitMse.indexOf(bestMse(state));
  const fits = { thetas: state.fits.map((t) => Float64Array.from(t)), mse: [...state.fitMse], best };
  return forecastNoise(state.law, obs, fits, RULES.observed(state));
}

function bestMse(state) {
  return Math.min(...state.fitMse);
}

function observedY(state) {
  const O = state.law.outputs;
  const out = [];
  for (const i of state.selected) for (let o = 0; o < O; o++) out.push(state.pool.y[i * O + o]);
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/** The quantile each rule's interval uses: t on the residual degrees of freedom for residual-t. */
function quantile(rule, state) {
  const dof = state.selected.length * state.law.outputs - state.law.params.length;
  if (rule === 'forecast') return forecastOf(state).quantile;
  return rule === 'residual-t' && dof > 0 ? studentT90(dof) : Z90;
}

/** Coverage and relative half-width of one level's state under one σ² rule. */
function levelFigures(state, targetY, sigma2, z) {
  const prepared = prepareState({ ...state, sigma2, conditioning });
  const pred = targetPredictive(prepared, stateModes(prepared));
  const { inside, total } = intervalHits(pred, targetY, z);
  const rel = [];
  for (let r = 0; r < pred.mean.length; r++) rel.push((z * Math.sqrt(pred.variance[r])) / Math.abs(pred.mean[r]));
  return { inside, total, relHalfWidth: median(rel) };
}

// lines written before the flag existed were made with the reference arithmetic
const conditioningOf = (r) => r.conditioning ?? 'reference';

const done = new Set();
if (fs.existsSync(outFile)) {
  for (const line of fs.readFileSync(outFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    if (conditioningOf(r) === conditioning) done.add(`${r.task}/${r.law}/${r.repeat}`);
  }
}

for (const name of tasks) {
  const task = loadTask(name);
  const data = await loadTaskData(task);
  const laws = Object.keys(task.laws).slice(0, lawsPerTask);
  for (const lawId of laws) {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const key = `${task.name}/${lawId}/${repeat}`;
      if (done.has(key)) continue;
      const started = performance.now();
      const law = lawOf(task, lawId);
      // levels × rules, pooled over groups
      const acc = task.budgets.map(() => Object.fromEntries(Object.keys(RULES).map((r) => [r, { inside: 0, total: 0, rel: [] }])));
      const observeLevel = ({ group, level, state }) => {
        for (const [rule, sigma2Of] of Object.entries(RULES)) {
          const f = levelFigures(state, group.target.y, sigma2Of(state), quantile(rule, state));
          const a = acc[level][rule];
          a.inside += f.inside;
          a.total += f.total;
          a.rel.push(f.relHalfWidth);
        }
      };
      const seed = unitSeed(0, task.name, lawId, repeat);
      const outcome = runSequential({ data, law, seedPath: [seed] }, { method, restarts, fitter, gradient: 'reference', observeLevel });
      const levels = acc.map((byRule) =>
        Object.fromEntries(Object.entries(byRule).map(([rule, a]) => [rule, { inside: a.inside, total: a.total, relHalfWidth: median(a.rel) }])),
      );
      const record = {
        task: task.name,
        law: lawId,
        repeat,
        method,
        conditioning,
        r2: outcome.r2,
        levels,
        seconds: +((performance.now() - started) / 1000).toFixed(1),
      };
      fs.appendFileSync(outFile, `${JSON.stringify(record)}\n`);
      process.stderr.write(
        `${key}: ${levels.map((l) => (l.observed.total ? (l.observed.inside / l.observed.total).toFixed(2) : '-')).join(' ')} (${record.seconds} s)\n`,
      );
    }
  }
}

// summary over every unit in the file (this run's and earlier ones')
const byTask = {};
for (const line of fs.readFileSync(outFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  if (r.method !== method || !tasks.includes(r.task) || conditioningOf(r) !== conditioning) continue;
  const t = (byTask[r.task] ??= { units: 0, levels: [] });
  t.units++;
  r.levels.forEach((byRule, l) => {
    t.levels[l] ??= {};
    for (const [rule, f] of Object.entries(byRule)) {
      const a = (t.levels[l][rule] ??= { inside: 0, total: 0, rel: [] });
      a.inside += f.inside;
      a.total += f.total;
      a.rel.push(f.relHalfWidth);
    }
  });
}
const summary = Object.fromEntries(
  Object.entries(byTask).map(([task, t]) => [
    task,
    {
      units: t.units,
      levels: t.levels.map((byRule) =>
        Object.fromEntries(
          Object.entries(byRule).map(([rule, a]) => [
            rule,
            { coverage: a.total ? +(a.inside / a.total).toFixed(3) : null, points: a.total, medianRelHalfWidth: +median(a.rel).toPrecision(3) },
          ]),
        ),
      ),
    },
  ]),
);
process.stdout.write(`${JSON.stringify({ method, conditioning, node: process.version, cpus: os.cpus().length, summary }, null, 2)}\n`);
