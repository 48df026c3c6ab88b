// `node benchmark/modes-dedupe.mjs [--tasks a,b] [--laws 3] [--starts 16] [--scalebench dir]`
//
// What counting each optimum once does to MSPE under `--fitter trf`. For the first --laws laws of
// each task and every group, at the rows MSPE had fitted at each budget level (repeat 0 of the MSPE
// run in --scalebench), the same 16 trf starts are fitted twice: every start kept, and one fit per
// distinct optimum (the default). Each gives MSPE's modes and its scores over the unrun candidates;
// the summary counts modes, the mean inter-mode and within-mode terms, and how often the pick
// changes. JSON on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { builtinTaskNames, lawOf, loadTask, loadTaskData, LeastSquares, logUniformStarts, mspeScores, prepareState, rngFor, subset } from '../dist/index.js';
import { noiseVariance } from '../dist/select/fisher.js';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const tasks = flag('--tasks', builtinTaskNames().join(',')).split(',');
const lawsPerTask = Number(flag('--laws', '3'));
const starts = Number(flag('--starts', '16'));
const scalebench = flag('--scalebench', 'results/scalebench');

function mspeRecords(task) {
  const dir = path.join(scalebench, task, 'mspe');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((run) => {
      const f = path.join(dir, run, 'runs.jsonl');
      return fs.existsSync(f)
        ? fs
            .readFileSync(f, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l))
        : [];
    });
}

const mean = (a) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
const rows = [];
for (const name of tasks) {
  const task = loadTask(name);
  const data = await loadTaskData(task);
  const records = mspeRecords(name);
  for (const lawId of Object.keys(task.laws).slice(0, lawsPerTask)) {
    const law = lawOf(task, lawId);
    const rec = records.filter((r) => r.law === lawId && r.repeat === 0).pop();
    if (!rec) continue;
    for (const group of data.groups) {
      const trace = rec.groups[group.name];
      if (!trace) continue;
      task.budgets.forEach((b, level) => {
        const limit = trace.spent[level] * (1 + 1e-12);
        const selected = [];
        let spent = 0;
        for (const i of trace.chosen) {
          if (spent + group.pool.cost[i] > limit) break;
          spent += group.pool.cost[i];
          selected.push(i);
        }
        const { X, y } = subset(group.pool.X, group.pool.y, law.outputs, selected);
        const s = logUniformStarts(law.bounds, starts, rngFor(['modes-dedupe', name, lawId, group.name, level]));
        const taken = new Set(selected);
        const candidates = Array.from({ length: group.pool.n }, (_, i) => i).filter((i) => !taken.has(i));
        const out = { task: name, law: lawId, group: group.name, level: b };
        for (const distinct of [false, true]) {
          const r = new LeastSquares(law, X, y, { fitter: 'trf', objective: 'mse', distinct }).fit(s);
          const ok = r.fits.filter((f) => Number.isFinite(f.loss));
          if (ok.length === 0) return;
          const mse = ok.map((f) => f.loss);
          const best = mse.indexOf(Math.min(...mse));
          const state = {
            law,
            pool: group.pool,
            target: group.target,
            selected,
            candidates,
            fits: ok.map((f) => Array.from(f.theta)),
            fitMse: mse,
            sigma2: noiseVariance(mse[best], selected.length, group.pool.y),
            totalCost: group.totalCost,
            goodFitRule: 'refit',
          };
          const m = mspeScores(prepareState(state));
          out[distinct ? 'distinct' : 'all'] = {
            fits: ok.length,
            modes: m.modes.modes.length,
            inter: mean(Array.from(m.dvInter)),
            intra: mean(Array.from(m.dvIntra)),
            pick: m.pick,
          };
        }
        rows.push(out);
        process.stderr.write(
          `${name} ${lawId} ${group.name} ${b}: fits ${out.all.fits}→${out.distinct.fits}, modes ${out.all.modes}→${out.distinct.modes}, pick ${out.all.pick === out.distinct.pick ? 'same' : 'changed'}\n`,
        );
      });
    }
  }
}
const byTask = {};
for (const r of rows) {
  const t = (byTask[r.task] ??= {
    states: 0,
    fitsAll: [],
    fitsDistinct: [],
    modesAll: [],
    modesDistinct: [],
    interAll: [],
    interDistinct: [],
    intraAll: [],
    intraDistinct: [],
    pickChanged: 0,
  });
  t.states++;
  t.fitsAll.push(r.all.fits);
  t.fitsDistinct.push(r.distinct.fits);
  t.modesAll.push(r.all.modes);
  t.modesDistinct.push(r.distinct.modes);
  t.interAll.push(r.all.inter);
  t.interDistinct.push(r.distinct.inter);
  t.intraAll.push(r.all.intra);
  t.intraDistinct.push(r.distinct.intra);
  if (r.all.pick !== r.distinct.pick) t.pickChanged++;
}
const summary = Object.fromEntries(
  Object.entries(byTask).map(([k, t]) => [
    k,
    {
      states: t.states,
      meanFits: [mean(t.fitsAll), mean(t.fitsDistinct)],
      meanModes: [mean(t.modesAll), mean(t.modesDistinct)],
      meanInter: [mean(t.interAll), mean(t.interDistinct)],
      meanIntra: [mean(t.intraAll), mean(t.intraDistinct)],
      pickChanged: t.pickChanged,
    },
  ]),
);
process.stdout.write(`${JSON.stringify({ starts, summary, rows }, null, 2)}\n`);
