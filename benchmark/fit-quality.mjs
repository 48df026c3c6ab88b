// `node benchmark/fit-quality.mjs [--tasks a,b] [--shard i/n] [--out file.jsonl] [--starts 64] [--scalebench dir]`
//
// Fit quality of `--fitter trf` against the reference protocol (`lbfgsb`), on every law of every
// built-in task and every group, on seven designs: the whole pool, and the rows fitted at each
// budget level of repeat 0 of one random run and one MSPE run (read from the committed grid in
// results/scalebench). Both fitters get the same starts and objective as that design's method
// does in `run` (baselines: Σr² from uniform starts; model-based and all-data: MSE from
// log-uniform starts). One JSON line per problem: both best SSEs, both times, the distinct optima.
// Resumable: problems already in --out are skipped. `--summary` prints the tally of a finished file.
// `--ref-only` fills only the reference protocol's cache (--ref-cache, default beside --out).
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { designAt } from './design-at.mjs';
import { builtinTaskNames, lawOf, loadTask, loadTaskData, LeastSquares, logUniformStarts, rngFor, subset, uniformStarts } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const out = flag('--out', 'results/fit-quality/quality.jsonl');
const starts = Number(flag('--starts', '64'));
const scalebench = flag('--scalebench', 'results/scalebench');
const [shardIndex, shardCount] = flag('--shard', '0/1').split('/').map(Number);
const tasks = flag('--tasks', builtinTaskNames().join(',')).split(',');
const RTOL = 1e-9;

function summary(file) {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const ok = lines.filter((l) => l.sseTrf <= l.sseRef * (1 + RTOL) + 1e-300);
  const byTask = {};
  for (const l of lines) {
    const t = (byTask[l.task] ??= { problems: 0, trfAtMost: 0, msRef: 0, msTrf: 0 });
    t.problems++;
    if (l.sseTrf <= l.sseRef * (1 + RTOL) + 1e-300) t.trfAtMost++;
    t.msRef += l.msRef;
    t.msTrf += l.msTrf;
  }
  const exceptions = lines
    .filter((l) => !(l.sseTrf <= l.sseRef * (1 + RTOL) + 1e-300))
    .map((l) => ({
      task: l.task,
      law: l.law,
      group: l.group,
      design: l.design,
      rows: l.rows,
      params: l.params,
      sseRef: l.sseRef,
      sseTrf: l.sseTrf,
      relative: l.sseTrf / l.sseRef - 1,
      trfStatuses: l.trfStatuses,
    }));
  return { problems: lines.length, trfAtMost: ok.length, share: ok.length / lines.length, byTask, exceptions };
}

if (args.includes('--summary')) {
  process.stdout.write(`${JSON.stringify(summary(out), null, 2)}\n`);
  process.exit(0);
}

function runRecords(task, method) {
  const dir = path.join(scalebench, task, method);
  if (!fs.existsSync(dir)) return [];
  const recs = [];
  for (const run of fs.readdirSync(dir).sort()) {
    const f = path.join(dir, run, 'runs.jsonl');
    if (!fs.existsSync(f)) continue;
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) if (line.trim()) recs.push(JSON.parse(line));
  }
  return recs;
}

const done = new Set();
if (fs.existsSync(out)) {
  for (const line of fs.readFileSync(out, 'utf8').split('\n')) if (line.trim()) done.add(JSON.parse(line).key);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
// the reference protocol's fits do not change when trf does: kept apart, reused by every rerun
const refCache = flag('--ref-cache', path.join(path.dirname(out), 'reference.jsonl'));
const refs = new Map();
if (fs.existsSync(refCache)) {
  for (const line of fs.readFileSync(refCache, 'utf8').split('\n'))
    if (line.trim()) {
      const r = JSON.parse(line);
      refs.set(r.key, r);
    }
}

let index = 0;
for (const name of tasks) {
  const task = loadTask(name);
  const data = await loadTaskData(task);
  const records = { random: runRecords(name, 'random'), mspe: runRecords(name, 'mspe') };
  for (const lawId of Object.keys(task.laws)) {
    const law = lawOf(task, lawId);
    for (const group of data.groups) {
      const designs = [{ design: 'pool', rows: Array.from({ length: group.pool.n }, (_, i) => i), protocol: 'model' }];
      for (const method of ['random', 'mspe']) {
        const rec = records[method].filter((r) => r.law === lawId && r.repeat === 0).pop();
        const trace = rec?.groups[group.name];
        if (!trace) continue;
        task.budgets.forEach((b, level) => {
          if (trace.fitted && !trace.fitted[level]) return;
          const rows = designAt(trace, group.pool.cost, level);
          if (rows.length > 0) designs.push({ design: `${method}@${b}`, rows, protocol: method === 'random' ? 'baseline' : 'model' });
        });
      }
      for (const d of designs) {
        const key = `${name}/${lawId}/${group.name}/${d.design}`;
        if (index++ % shardCount !== shardIndex || (done.has(key) && !args.includes('--ref-only'))) continue;
        const { X, y } = subset(group.pool.X, group.pool.y, law.outputs, d.rows);
        const objective = d.protocol === 'baseline' ? 'sse' : 'mse';
        const draw = d.protocol === 'baseline' ? uniformStarts : logUniformStarts;
        const s = draw(law.bounds, starts, rngFor(['fit-quality', name, lawId, group.name, d.design]));
        const result = {};
        if (refs.has(key)) result.lbfgsb = refs.get(key);
        const refOnly = args.includes('--ref-only');
        if (refOnly && refs.has(key)) continue;
        for (const fitter of refOnly ? ['lbfgsb'] : refs.has(key) ? ['trf'] : ['lbfgsb', 'trf']) {
          const problem = new LeastSquares(law, X, y, { fitter, objective });
          const t0 = performance.now();
          const r = problem.fit(s);
          const ms = performance.now() - t0;
          const statuses = {};
          for (const f of r.fits) statuses[f.status] = (statuses[f.status] ?? 0) + 1;
          // the law's own Σr² at the best θ, not the fitter's report of it (0.4.4's trf misreported some)
          result[fitter] = { sse: r.best >= 0 ? problem.bound.sse(r.fits[r.best].theta, y) : null, ms, fits: r.fits.length, statuses };
          if (fitter === 'lbfgsb') fs.appendFileSync(refCache, `${JSON.stringify({ key, ...result.lbfgsb })}\n`);
        }
        if (refOnly) continue;
        const line = {
          key,
          task: name,
          law: lawId,
          group: group.name,
          design: d.design,
          rows: d.rows.length,
          params: law.params.length,
          linear: law.linear.length,
          sseRef: result.lbfgsb.sse,
          sseTrf: result.trf.sse,
          msRef: +result.lbfgsb.ms.toFixed(1),
          msTrf: +result.trf.ms.toFixed(1),
          trfOptima: result.trf.fits,
          refStatuses: result.lbfgsb.statuses,
          trfStatuses: result.trf.statuses,
        };
        fs.appendFileSync(out, `${JSON.stringify(line)}\n`);
        process.stderr.write(
          `${key}: ref ${line.sseRef?.toPrecision(6)} (${line.msRef} ms) trf ${line.sseTrf?.toPrecision(6)} (${line.msTrf} ms, ${line.trfOptima} optima)\n`,
        );
      }
    }
  }
}
