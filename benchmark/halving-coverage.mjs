// `node benchmark/halving-coverage.mjs [--curves ../shared/curves/gemstones.csv] [--fractions 0.05,0.1,0.2,0.4] [--budgets 3e20,1e21,3e21,1e22] [--eta 3] [--seed 0] [--markdown]`
// `node benchmark/halving-coverage.mjs --table saved.json` prints the table of a saved result.
//
// Do the 90% intervals of `halving suggest`'s predicted final losses hold the truth? Replays
// recorded learning curves as an oracle (a prefix of a constant-learning-rate curve is what a shorter
// run would have shown), forecasts every model through the code `halving suggest` runs (the LMC
// surrogate of `lmcForecaster`, seed [seed, 'halving-suggest'], its 20 screened restarts, the
// interval mean ± Z90·√variance) and checks the recorded loss at the forecast's compute:
//   fraction f   every model observed up to f of its last recorded compute (the same number of
//                tokens for all), forecast at its last recorded compute
//   round 1, B   a halving campaign of all the models with total budget B and pruning factor η:
//                each trained to SH's first rung C = ⌊B / (M0 · ⌈log_η M0⌉)⌋ (models with fewer
//                than two logged points by then are left out), then `adviseHalving` itself
//                (`halving suggest --budget <B − M0·C>`), which forecasts every model at the
//                compute it would end with
//   round 2, B   the models round 1 keeps, each trained by the `next` it was given, then
//                `adviseHalving` again with the budget still left
// The truth at a forecast's compute is the recorded loss there, interpolated linearly in
// log-compute between logged points; a forecast past a curve's last recorded compute has no truth
// and is counted in `beyondRecord`, not in the coverage. Per setting: the models scored, the share
// whose interval holds the truth, the median half-width, the mean signed error (forecast − truth),
// the mean and 90th percentile of |error| / half-width (the factor a 90% interval would need to be
// widened by), and how many truths fell above / below their interval; then the same pooled over
// the fraction settings, the round-1 settings and the round-2 settings. Prints one JSON object;
// `--markdown` prints the table instead (`--json-out file` also writes the JSON). About 2.5 minutes
// on one core for the default grid (the f = 0.1…0.4 fits take about 30 s each).
import fs from 'node:fs';
import { readCurves } from '../dist/halving/curves.js';
import { lmcForecaster } from '../dist/halving/forecast.js';
import { adviseHalving } from '../dist/halving/suggest.js';
import { roundCount } from '../dist/halving/schedule.js';
import { Z90 } from '../dist/select/predictive.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const list = (s) => (s === '' || s === 'none' ? [] : s.split(',').map(Number));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const h = (s.length - 1) * q;
  const k = Math.floor(h);
  return k + 1 < s.length ? s[k] + (h - k) * (s[k + 1] - s[k]) : s[k];
}
const mean = (xs) => (xs.length ? xs.reduce((a, v) => a + v, 0) / xs.length : NaN);
const round = (v, d) => (Number.isFinite(v) ? +v.toFixed(d) : null);

/** The recorded loss at compute c, linear in log-compute between logged points; null past the record. */
function truthAt(curve, c) {
  const { compute, loss } = curve;
  const n = compute.length;
  if (c > compute[n - 1] * (1 + 1e-12) || c < compute[0] * (1 - 1e-12)) return null;
  let k = 0;
  while (k + 1 < n && compute[k + 1] <= c * (1 - 1e-12)) k++;
  if (Math.abs(compute[k] - c) <= 1e-12 * c || k + 1 >= n) return loss[k];
  if (Math.abs(compute[k + 1] - c) <= 1e-12 * c) return loss[k + 1];
  const w = (Math.log(c) - Math.log(compute[k])) / (Math.log(compute[k + 1]) - Math.log(compute[k]));
  return loss[k] + w * (loss[k + 1] - loss[k]);
}

/** The curve as a run trained to compute `c` would have logged it (what its rows in the CSV would be). */
function prefix(curve, c) {
  let n = 0;
  while (n < curve.compute.length && curve.compute[n] <= c * (1 + 1e-12)) n++;
  return { model: curve.model, params: curve.params, compute: curve.compute.slice(0, n), loss: curve.loss.slice(0, n) };
}

/** One forecast checked against the record. */
function scoreRow(full, observed, predicted) {
  const truth = truthAt(full, predicted.compute);
  const half = (predicted.hi90 - predicted.lo90) / 2;
  return {
    model: full.model,
    compute: observed.compute[observed.compute.length - 1],
    lastLoss: observed.loss[observed.loss.length - 1],
    horizon: predicted.compute,
    mean: predicted.mean,
    lo90: predicted.lo90,
    hi90: predicted.hi90,
    truth,
    inside: truth === null ? null : truth >= predicted.lo90 && truth <= predicted.hi90,
    error: truth === null ? null : predicted.mean - truth,
    ratio: truth === null ? null : Math.abs(predicted.mean - truth) / half,
    half,
  };
}

function summarise(setting, rows, extra) {
  const scored = rows.filter((r) => r.truth !== null);
  const inside = scored.filter((r) => r.inside).length;
  return {
    ...setting,
    models: rows.length,
    n: scored.length,
    beyondRecord: rows.length - scored.length,
    covered: inside,
    coverage: round(inside / scored.length, 3),
    medianHalfWidth: round(median(scored.map((r) => r.half)), 4),
    meanError: round(mean(scored.map((r) => r.error)), 4),
    meanAbsError: round(mean(scored.map((r) => Math.abs(r.error))), 4),
    meanAbsErrorOverHalf: round(mean(scored.map((r) => r.ratio)), 2),
    q90AbsErrorOverHalf: round(
      quantile(
        scored.map((r) => r.ratio),
        0.9,
      ),
      2,
    ),
    truthAbove: scored.filter((r) => r.truth > r.hi90).length,
    truthBelow: scored.filter((r) => r.truth < r.lo90).length,
    ...extra,
    rows: rows.map((r) => ({
      model: r.model,
      compute: r.compute,
      lastLoss: round(r.lastLoss, 5),
      horizon: r.horizon,
      mean: round(r.mean, 5),
      lo90: round(r.lo90, 5),
      hi90: round(r.hi90, 5),
      truth: r.truth === null ? null : round(r.truth, 5),
      inside: r.inside,
    })),
  };
}

const fmt = (v, d) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));
const signed = (v, d) => (v === null || v === undefined ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}`);
function table(result) {
  const lines = [
    '| setting | models scored | coverage (90% nominal) | median half-width | mean error (forecast − truth) | mean \\|error\\| / half-width | 90th pct \\|error\\| / half-width | truth above / below interval |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of result.settings) {
    const name = s.kind === 'fraction' ? `f = ${s.fraction}` : `round ${s.round}, B = ${s.budget.toExponential(0).replace('+', '')}`;
    const scored = s.beyondRecord ? `${s.n} (of ${s.models})` : `${s.n}`;
    lines.push(
      `| ${name} | ${scored} | ${s.n ? `${(100 * s.coverage).toFixed(0)}% (${s.covered}/${s.n})` : '—'} | ${fmt(s.medianHalfWidth, 4)} | ${signed(s.meanError, 4)} | ${fmt(s.meanAbsErrorOverHalf, 1)} | ${fmt(s.q90AbsErrorOverHalf, 1)} | ${s.truthAbove} / ${s.truthBelow} |`,
    );
  }
  for (const [name, p] of Object.entries(result.pooled)) {
    if (!p.n) continue;
    lines.push(
      `| all ${name} | ${p.n} | ${(100 * p.coverage).toFixed(0)}% (${p.covered}/${p.n}) | ${fmt(p.medianHalfWidth, 4)} | ${signed(p.meanError, 4)} | ${fmt(p.meanAbsErrorOverHalf, 1)} | ${fmt(p.q90AbsErrorOverHalf, 1)} | ${p.truthAbove} / ${p.truthBelow} |`,
    );
  }
  return lines.join('\n');
}

if (flag('table', undefined)) {
  console.log(table(JSON.parse(fs.readFileSync(flag('table'), 'utf8'))));
  process.exit(0);
}

const file = flag('curves', new URL('../../shared/curves/gemstones.csv', import.meta.url).pathname);
const fractions = list(flag('fractions', '0.05,0.1,0.2,0.4'));
const budgets = list(flag('budgets', '3e20,1e21,3e21,1e22'));
const eta = Number(flag('eta', '3'));
const seed = Number(flag('seed', '0'));
const set = await readCurves(file);
const curves = set.curves;
const settings = [];
const allRows = { fraction: [], 'round 1': [], 'round 2': [] };
const say = (line) => process.stderr.write(`${line}\n`);

for (const f of fractions) {
  // each model up to f of its last recorded compute: the CSV a shorter run of every model would give
  const observed = curves.map((c) => prefix(c, f * c.compute[c.compute.length - 1]));
  const ok = observed.map((o) => o.compute.length >= 2);
  const used = observed.filter((_, i) => ok[i]);
  const full = curves.filter((_, i) => ok[i]);
  const started = performance.now();
  // what adviseHalving does (src/halving/suggest.ts), at each curve's last recorded compute instead of
  // current + the schedule's future compute
  const outcome = lmcForecaster(used, undefined, { seed: [seed, 'halving-suggest'] });
  const seconds = (performance.now() - started) / 1000;
  if (outcome.status !== 'fitted') {
    settings.push({ kind: 'fraction', fraction: f, error: outcome.status === 'failed' ? outcome.reason : outcome.status });
    continue;
  }
  const { forecaster } = outcome;
  const rows = used.map((o, i) => {
    const horizon = full[i].compute[full[i].compute.length - 1];
    const p = forecaster.forecast(i, horizon) ?? { mean: o.loss[o.loss.length - 1], variance: 0 };
    const half = Z90 * Math.sqrt(p.variance);
    return scoreRow(full[i], o, { compute: horizon, mean: p.mean, lo90: p.mean - half, hi90: p.mean + half });
  });
  allRows.fraction.push(...rows.filter((r) => r.truth !== null));
  const noiseSd = Math.sqrt(forecaster.fit.hyper.noise) * forecaster.fit.scale.std;
  const s = summarise({ kind: 'fraction', fraction: f }, rows, {
    left: curves.length - used.length,
    noiseSd: round(noiseSd, 5),
    note: forecaster.note,
    seconds: round(seconds, 1),
  });
  settings.push(s);
  say(`f = ${f}: coverage ${s.covered}/${s.n}, median half-width ${s.medianHalfWidth}, mean error ${s.meanError} (${s.seconds} s)`);
}

for (const budget of budgets) {
  // round 1: SH's first rung for all M0 models, then `halving suggest` with what is left
  const m0 = curves.length;
  const rung = Math.floor(budget / (m0 * roundCount(m0, eta)));
  let observed = curves.map((c) => prefix(c, rung));
  let full = curves.filter((_, i) => observed[i].compute.length >= 2);
  observed = observed.filter((o) => o.compute.length >= 2);
  let left = budget - m0 * rung;
  let spent = rung;
  for (let r = 1; r <= 2 && observed.length >= 2; r++) {
    const started = performance.now();
    const advice = adviseHalving({ name: set.name, curves: observed }, left, eta, 'sh-lmc', [seed]);
    const seconds = (performance.now() - started) / 1000;
    const rows = advice.models.map((m, i) => scoreRow(full[i], observed[i], m.predicted));
    allRows[`round ${r}`].push(...rows.filter((x) => x.truth !== null));
    const s = summarise({ kind: 'round', round: r, budget, spent, left }, rows, { notes: advice.notes, seconds: round(seconds, 1) });
    settings.push(s);
    say(
      `B = ${budget} round ${r}: ${observed.length} models, coverage ${s.covered}/${s.n} (${s.beyondRecord} past the record), median half-width ${s.medianHalfWidth}, mean error ${s.meanError} (${s.seconds} s)`,
    );
    // round 2: the kept models, each trained by the compute round 1 gave it
    const kept = advice.models.map((m, i) => (m.action === 'continue' ? i : -1)).filter((i) => i >= 0);
    const next = advice.models[kept[0]].next;
    left -= kept.length * next;
    spent += next;
    observed = kept.map((i) => prefix(full[i], spent));
    full = kept.map((i) => full[i]);
  }
}

const pooled = {};
for (const [kind, rows] of Object.entries(allRows)) pooled[kind] = summarise({}, rows, {});
for (const p of Object.values(pooled)) delete p.rows;
const result = { curves: set.name, models: curves.length, eta, seed, z: Z90, node: process.version, settings, pooled };
if (flag('json-out', undefined)) fs.writeFileSync(flag('json-out'), `${JSON.stringify(result, null, 1)}\n`);
if (args.includes('--markdown')) console.log(table(result));
else console.log(JSON.stringify(result, null, 1));
