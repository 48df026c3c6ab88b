/**
 * The "law does not fit" check: its statistics are the textbook ones on a linear law, it stays
 * quiet on a well-specified Chinchilla law, fires when the law bends away from the data by more
 * than the noise, and never throws or returns NaN on degenerate input.
 */
import { Matrix, inverse } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { rngFor, type Rng } from '../random/seeds.js';
import { LeastSquares } from '../fit/multistart.js';
import { compileLaw, type Law } from '../laws/law.js';
import { ALARM_LEVEL, checkLawFits, runsNeeded, type LawFitsReport } from './alarm.js';

const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(rng() + 1e-300)) * Math.cos(2 * Math.PI * rng());

/** Every stat is a finite number or null. */
function expectClean(report: LawFitsReport): void {
  for (const [k, v] of Object.entries(report.stats)) {
    if (v !== null) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
  }
  expect(typeof report.ok).toBe('boolean');
  expect(report.why.length).toBeGreaterThan(0);
  expect(report.why).not.toMatch(/NaN|undefined/);
}

// ───────────── the linear model: each statistic equals its brute-force definition ─────────────

const plane = compileLaw({ formula: 'a + b * x + c * z', params: { a: [-100, 100], b: [-100, 100], c: [-100, 100] }, features: ['x', 'z'] });

function lmFit(law: Law, X: Float64Array[], y: Float64Array, rows: number[]): { theta: Float64Array; sse: number } {
  const Xs = X.map((col) => Float64Array.from(rows, (i) => col[i]));
  const ys = Float64Array.from(rows, (i) => y[i]);
  const f = new LeastSquares(law, Xs, ys, { fitter: 'lm', objective: 'sse' }).fitOne(new Float64Array(law.params.length));
  return { theta: f.theta, sse: f.loss };
}

function planeData(n: number, seed: number) {
  const rng = rngFor(['alarm-linear', seed]);
  const x = Float64Array.from({ length: n }, () => 4 * rng());
  const z = Float64Array.from({ length: n }, () => 4 * rng());
  const y = Float64Array.from(x, (v, i) => 1 + 2 * v - 0.5 * z[i] + 0.1 * normal(rng));
  // log cost = x + z²: not a direction of the plane, so the trend test has something to test
  const cost = Float64Array.from(x, (v, i) => Math.exp(v + z[i] * z[i]));
  return { X: [x, z], y, cost };
}

describe('checkLawFits on a linear law', () => {
  const n = 20;
  const { X, y, cost } = planeData(n, 1);
  const all = Array.from({ length: n }, (_, i) => i);
  const full = lmFit(plane, X, y, all);
  const report = checkLawFits(plane, X, y, full.theta, cost);

  it('the largest externally studentised residual is the leave-one-out prediction error over its sd', () => {
    let best = 0;
    for (let i = 0; i < n; i++) {
      const rest = all.filter((k) => k !== i);
      const loo = lmFit(plane, X, y, rest);
      const G = new Matrix(rest.map((k) => [1, X[0][k], X[1][k]]));
      const g = new Matrix([[1, X[0][i], X[1][i]]]);
      const v =
        1 +
        g
          .mmul(inverse(G.transpose().mmul(G)))
          .mmul(g.transpose())
          .get(0, 0);
      const e = y[i] - (loo.theta[0] + loo.theta[1] * X[0][i] + loo.theta[2] * X[1][i]);
      best = Math.max(best, Math.abs(e) / Math.sqrt((loo.sse / (n - 1 - 3)) * v));
    }
    expect(report.stats.maxStudentised).toBeCloseTo(best, 8);
  });

  it("the holdout's F is Chow's predictive-failure F from the two fits' SSE", () => {
    const k = report.stats.holdoutRuns!;
    expect(k).toBe(4); // a fifth of 20
    const byCost = [...all].sort((a, b) => cost[b] - cost[a]);
    const reduced = lmFit(plane, X, y, byCost.slice(k));
    const chow = (full.sse - reduced.sse) / k / (reduced.sse / (n - k - 3));
    expect(report.stats.holdoutFittedOn).toBe(n - k);
    expect(report.stats.holdoutF).toBeCloseTo(chow, 8);
  });

  it("the trend's t is the t statistic of log cost added as a regressor", () => {
    const withCost = compileLaw({ formula: 'a + b * x + c * z + d * w', params: ['a', 'b', 'c', 'd'], features: ['x', 'z', 'w'] });
    const w = Float64Array.from(cost, Math.log);
    const aug = lmFit(withCost, [...X, w], y, all);
    const G = new Matrix(all.map((i) => [1, X[0][i], X[1][i], w[i]]));
    const se = Math.sqrt((aug.sse / (n - 4)) * inverse(G.transpose().mmul(G)).get(3, 3));
    expect(report.stats.trendT).toBeCloseTo(aug.theta[3] / se, 8);
  });

  it('a well-specified linear law passes, and says so with its numbers', () => {
    expect(report.checked).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.why).toMatch(/the 4 costliest runs sit within .* predictive sd .*no trend with cost/);
    expectClean(report);
  });

  it('one corrupted run fires the outlier test and is named', () => {
    const bad = Float64Array.from(y);
    bad[7] += 1.5; // 15 noise sd
    const fit = lmFit(plane, X, bad, all);
    const r = checkLawFits(plane, X, bad, fit.theta, cost, { runNames: all.map((i) => `observed row ${i + 1}`) });
    expect(r.ok).toBe(false);
    expect(r.fired[0]).toBe('outlier');
    expect(r.stats.maxStudentisedRun).toBe(7);
    expect(r.why).toMatch(/^observed row 8 sits [\d.]+ sd above the law fitted to the others/);
  });

  it('a kink at the costly end fires the holdout: the costliest runs sit above the law fitted to the rest', () => {
    const line = compileLaw({ formula: 'a + b * x', params: { a: [-100, 100], b: [-100, 100] }, features: ['x'] });
    const m = 30;
    const rng = rngFor(['alarm-kink']);
    const x = Float64Array.from({ length: m }, (_, i) => i / 3);
    const yk = Float64Array.from(x, (v) => 1 + 0.5 * v + 2 * Math.max(0, v - 8) ** 2 + 0.05 * normal(rng));
    const fit = lmFit(
      line,
      [x],
      yk,
      Array.from({ length: m }, (_, i) => i),
    );
    const r = checkLawFits(line, [x], yk, fit.theta, Float64Array.from(x, Math.exp));
    expect(r.ok).toBe(false);
    expect(r.fired).toContain('holdout');
    expect(r.stats.holdoutMeanZ!).toBeGreaterThan(3);
  });

  it('with an independent σ², residuals 3× too large fire the scale test', () => {
    const r = checkLawFits(plane, X, y, full.theta, cost, { sigma2: (0.1 / 3) ** 2 });
    expect(r.ok).toBe(false);
    expect(r.fired).toContain('scale');
    expect(r.stats.scaleRatio!).toBeGreaterThan(4);
    expect(checkLawFits(plane, X, y, full.theta, cost, { sigma2: 0.01 }).ok).toBe(true);
  });
});

// ───────────── the tests beyond cost: each input, pairs of inputs, pinned parameters, replicates ─────────────

describe('checkLawFits beyond cost', () => {
  const n = 30;

  /** The partial F of adding columns W to the plane's regressors [1, x, z], by two ordinary least-squares fits. */
  function partialF(X: Float64Array[], y: Float64Array, W: Float64Array[]): number {
    const rows = (extra: Float64Array[]) => Array.from({ length: y.length }, (_, i) => [1, X[0][i], X[1][i], ...extra.map((w) => w[i])]);
    const sse = (A: Matrix) => {
      const beta = inverse(A.transpose().mmul(A))
        .mmul(A.transpose())
        .mmul(Matrix.columnVector(Array.from(y)));
      const r = Matrix.columnVector(Array.from(y)).sub(A.mmul(beta));
      return r.transpose().mmul(r).get(0, 0);
    };
    const small = sse(new Matrix(rows([])));
    const big = sse(new Matrix(rows(W)));
    return (small - big) / W.length / (big / (y.length - 3 - W.length));
  }

  it("the input test's F is the partial F of a centred cubic in the input added to the law", () => {
    const { X, y, cost } = planeData(n, 3);
    const all = Array.from({ length: n }, (_, i) => i);
    const fit = lmFit(plane, X, y, all);
    const r = checkLawFits(plane, X, y, fit.theta, cost);
    const j = r.stats.inputFeature!;
    const t = X[j].map(Math.log);
    const mean = t.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    const zs = t.map((v) => (v - mean) / sd);
    const cubic = [1, 2, 3].map((d) => zs.map((v) => v ** d));
    expect(r.stats.inputF).toBeCloseTo(partialF(X, y, cubic), 8);
  });

  it('on a linear law, where every test is exact, all tests together fire on at most the stated level of seeds', () => {
    let fired = 0;
    const seeds = 300;
    for (let s = 0; s < seeds; s++) {
      const { X, y, cost } = planeData(n, 1000 + s);
      const fit = lmFit(
        plane,
        X,
        y,
        Array.from({ length: n }, (_, i) => i),
      );
      if (!checkLawFits(plane, X, y, fit.theta, cost).ok) fired++;
    }
    expect(fired / seeds).toBeLessThanOrEqual(ALARM_LEVEL);
  });

  it('a bend in one input that cost does not order fires the input test and names that input', () => {
    // a smooth step in x alone, across a design where cost follows z: no trend with cost to see
    const rng = rngFor(['alarm-step']);
    const x = Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 10) * 0.4);
    const z = Float64Array.from({ length: n }, (_, i) => 0.5 + Math.floor(i / 10) * 1.5);
    const y = Float64Array.from(x, (v, i) => 1 + 2 * v - 0.5 * z[i] + 0.6 / (1 + Math.exp(-(v - 2.3) / 0.2)) + 0.05 * normal(rng));
    const cost = Float64Array.from(z, Math.exp);
    const fit = lmFit(
      plane,
      [x, z],
      y,
      Array.from({ length: n }, (_, i) => i),
    );
    const r = checkLawFits(plane, [x, z], y, fit.theta, cost);
    expect(r.ok).toBe(false);
    expect(r.fired[0]).toBe('input');
    expect(r.stats.inputFeature).toBe(0);
    expect(r.why).toMatch(/^the residuals curve against x beyond what the law can follow: a curve in log x explains \d+% of them/);
    expectClean(r);
  });

  it('inputs acting jointly fire the interaction test and name the pair', () => {
    const rng = rngFor(['alarm-interaction']);
    const x = Float64Array.from({ length: n }, () => 0.5 + 3.5 * rng());
    const z = Float64Array.from({ length: n }, () => 0.5 + 3.5 * rng());
    const y = Float64Array.from(x, (v, i) => 1 + 2 * v - 0.5 * z[i] + 0.4 * Math.log(v) * Math.log(z[i]) + 0.02 * normal(rng));
    const fit = lmFit(
      plane,
      [x, z],
      y,
      Array.from({ length: n }, (_, i) => i),
    );
    const r = checkLawFits(
      plane,
      [x, z],
      y,
      fit.theta,
      Float64Array.from(x, (v, i) => v * z[i]),
    );
    expect(r.ok).toBe(false);
    expect(r.fired).toContain('interaction');
    expect([r.stats.interactionFirst, r.stats.interactionSecond]).toEqual([0, 1]);
    expect(r.why).toMatch(/x and z act jointly/);
  });

  it('a parameter held at its bound by data that pull it further fires the pinned test; a truth on the bound rarely does', () => {
    const ramp = compileLaw({ formula: 'a + b * x', params: { a: [-10, 10], b: [0, 10] }, features: ['x'] });
    const x = Float64Array.from({ length: n }, (_, i) => i / 5);
    const cost = Float64Array.from(x, (v) => v + 1);
    const fitOf = (y: Float64Array) => new LeastSquares(ramp, [x], y, { objective: 'sse' }).fitOne(Float64Array.of(0, 1)).theta;
    const rng = rngFor(['alarm-pinned']);
    const falling = Float64Array.from(x, (v) => 2 - 0.3 * v + 0.05 * normal(rng));
    const thetaDown = fitOf(falling);
    expect(thetaDown[1]).toBe(0);
    const r = checkLawFits(ramp, [x], falling, thetaDown, cost);
    expect(r.ok).toBe(false);
    expect(r.fired).toContain('pinned');
    expect(r.stats.pinnedParameter).toBe(1);
    expect(r.why).toMatch(/^b is held at its lower bound 0 and the runs pull it further out \(t = -[\d.]+, Bonferroni over 1 pinned p /);
    // flat truth: b lands on 0 in about half the draws, and the one-sided test fires at its share of the level
    let pinned = 0;
    let fired = 0;
    for (let s = 0; s < 200; s++) {
      const g = rngFor(['alarm-flat', s]);
      const flat = Float64Array.from(x, () => 2 + 0.05 * normal(g));
      const th = fitOf(flat);
      const c = checkLawFits(ramp, [x], flat, th, cost);
      if (c.stats.pinnedCount > 0) pinned++;
      if (c.fired.includes('pinned')) fired++;
    }
    expect(pinned).toBeGreaterThan(60);
    expect(fired / 200).toBeLessThanOrEqual(ALARM_LEVEL);
  });

  it("replicate runs give the classic lack-of-fit F: residual mean square beyond the replicates' over theirs", () => {
    const line = compileLaw({ formula: 'a + b * x', params: { a: [-100, 100], b: [-100, 100] }, features: ['x'] });
    const rng = rngFor(['alarm-replicates']);
    // 8 configurations, each run three times
    const x = Float64Array.from({ length: 24 }, (_, i) => 1 + (i % 8));
    const make = (curve: number) => Float64Array.from(x, (v) => 1 + 0.5 * v + curve * (v - 4.5) ** 2 + 0.1 * normal(rng));
    const cost = Float64Array.from(x, Math.exp);
    for (const curve of [0, 0.05]) {
      const y = make(curve);
      const theta = new LeastSquares(line, [x], y, { fitter: 'lm', objective: 'sse' }).fitOne(new Float64Array(2)).theta;
      const r = checkLawFits(line, [x], y, theta, cost);
      let sse = 0;
      for (let i = 0; i < 24; i++) sse += (y[i] - theta[0] - theta[1] * x[i]) ** 2;
      let pure = 0;
      for (let c = 1; c <= 8; c++) {
        const ys = Array.from(y).filter((_, i) => x[i] === c);
        const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
        pure += ys.reduce((a, b) => a + (b - mean) ** 2, 0);
      }
      expect(r.stats.replicateGroups).toBe(8);
      expect(r.stats.pureErrorF).toBeCloseTo((sse - pure) / (22 - 16) / (pure / 16), 8);
      if (curve === 0) expect(r.fired).not.toContain('pure-error');
      else expect(r.fired).toContain('pure-error');
    }
  });
});

// ───────────── Chinchilla on an 8 × 8 grid: false alarms and hits ─────────────

const CHINCHILLA_PARAMS = { E: [0.5, 4], A: [1, 1e5], alpha: [0.05, 1.5], B: [1, 1e6], beta: [0.05, 1.5] } as const;
const PARAMS = CHINCHILLA_PARAMS as unknown as Record<string, [number, number]>;
const TRUTH = [1.69, 406.4, 0.34, 410.7, 0.28];
const law = (formula: string) => compileLaw({ formula, params: PARAMS, features: ['N', 'D'] });
const chinchilla = law('E + A * N^(-alpha) + B * D^(-beta)');
/** The N term bends from exponent alpha to 0.2 above N = 3e8. */
const bentN = law('E + A * N^(-alpha) * (1 + N/3e8)^(alpha - 0.2) + B * D^(-beta)');
/** Data stop helping around D = 2e10 (effective D saturates). */
const saturatingD = law('E + A * N^(-alpha) + B * (2e10 * (1 - exp(-D/2e10)))^(-beta)');

const logGrid = (lo: number, hi: number, k: number) => Array.from({ length: k }, (_, i) => lo * (hi / lo) ** (i / (k - 1)));
const Ns = logGrid(1e7, 1e9, 8);
const Ds = logGrid(2e8, 2e10, 8);
const N = Float64Array.from(Ns.flatMap((v) => Ds.map(() => v)));
const D = Float64Array.from(Ns.flatMap(() => Ds));
const COST = Float64Array.from(N, (v, i) => 6 * v * D[i]);
const SEEDS = Number(process.env.ALARM_SEEDS ?? 100);

/** Chinchilla fitted (4 starts near the truth) to one noisy draw of `truth` on the grid, then checked. */
function simulate(truth: Law, sd: number, seed: number): LawFitsReport {
  const rng = rngFor(['alarm-chinchilla', truth.formula as string, sd, seed]);
  const mean = truth.bind([N, D]).value(TRUTH, new Float64Array(N.length));
  const y = Float64Array.from(mean, (m) => m + sd * normal(rng));
  const starts = Array.from({ length: 4 }, () =>
    Float64Array.from(TRUTH, (t, j) => Math.min(Math.max(t * Math.exp(0.3 * normal(rng)), chinchilla.bounds[j][0]), chinchilla.bounds[j][1])),
  );
  const fits = new LeastSquares(chinchilla, [N, D], y, { objective: 'mse' }).fit(starts);
  return checkLawFits(chinchilla, [N, D], y, fits.fits[fits.best].theta, COST);
}

function alarmRate(truth: Law, sd: number): number {
  let fired = 0;
  for (let s = 0; s < SEEDS; s++) {
    const r = simulate(truth, sd, s);
    expectClean(r);
    if (!r.ok) fired++;
  }
  return fired / SEEDS;
}

/** SSE/σ² of the best Chinchilla fit to the noiseless truth: the most any test could see at noise sd σ. */
function noncentrality(truth: Law, sd: number): number {
  const y = truth.bind([N, D]).value(TRUTH, new Float64Array(N.length));
  const fits = new LeastSquares(chinchilla, [N, D], y, { objective: 'sse' }).fit([
    Float64Array.from(TRUTH),
    Float64Array.of(2, 300, 0.3, 300, 0.3),
    Float64Array.of(1.5, 1000, 0.4, 1000, 0.3),
  ]);
  return fits.fits[fits.best].loss / (sd * sd);
}

describe('checkLawFits on Chinchilla, 8 × 8 grid N 1e7…1e9 × D 2e8…2e10', () => {
  // the rates over many truths, designs and noise levels are measured by benchmark/alarm.mjs (docs/alarm.md)
  let rightLaw = NaN;
  beforeAll(() => {
    rightLaw = alarmRate(chinchilla, 0.02);
  });

  it(`fires on the right law at about its stated level (at most 5 points above it over ${SEEDS} seeds at sd 0.02)`, () => {
    expect(rightLaw).toBeLessThanOrEqual(ALARM_LEVEL + 0.05);
  });

  it('at sd 0.02 the wrong laws leave less misfit inside the pool than the noise: no test can fire in most seeds', () => {
    // SSE/σ² of the noiseless misfit is the non-centrality of the best possible test, one told the
    // exact shape of the misfit: 0.40 (power ≤ ~10%) and 4.0 (≤ ~50%)
    expect(noncentrality(bentN, 0.02)).toBeLessThan(1);
    expect(noncentrality(saturatingD, 0.02)).toBeLessThan(5);
    // the saturating law still fires clearly more often than the right one
    expect(alarmRate(saturatingD, 0.02)).toBeGreaterThan(rightLaw + 0.1);
  });

  it('fires in most seeds once the misfit stands above the noise (saturating D at sd 0.01, bent N at sd 0.002)', () => {
    expect(noncentrality(saturatingD, 0.01)).toBeGreaterThan(15);
    expect(alarmRate(saturatingD, 0.01)).toBeGreaterThanOrEqual(0.6);
    expect(alarmRate(saturatingD, 0.005)).toBeGreaterThanOrEqual(0.9);
    expect(alarmRate(bentN, 0.005)).toBeGreaterThanOrEqual(0.3);
    expect(alarmRate(bentN, 0.002)).toBeGreaterThanOrEqual(0.9);
  });

  it('names the input whose effect saturates, and the trend with cost, when it fires on the saturating law', () => {
    const r = simulate(saturatingD, 0.005, 0);
    expect(r.ok).toBe(false);
    expect(r.fired.slice(0, 2)).toEqual(['input', 'trend']);
    expect(r.stats.inputFeature).toBe(1);
    expect(r.why).toMatch(
      /^the residuals curve against D beyond what the law can follow: a curve in log D explains \d+% of them \(F = [\d.]+ on 3 and \d+ dof/,
    );
  });
});

// ───────────── degenerate input: never a throw, never a NaN ─────────────

describe('checkLawFits on degenerate input', () => {
  it('too few runs: not checked, and says how many are needed', () => {
    const rows = [0, 9, 18, 27, 36, 45];
    const X = [Float64Array.from(rows, (i) => N[i]), Float64Array.from(rows, (i) => D[i])];
    const y = chinchilla.bind(X).value(TRUTH, new Float64Array(rows.length));
    const r = checkLawFits(
      chinchilla,
      X,
      y,
      Float64Array.from(TRUTH),
      Float64Array.from(rows, (i) => COST[i]),
    );
    expect(runsNeeded(5, 1)).toBe(10);
    expect(r).toMatchObject({ ok: true, checked: false, fired: [] });
    expect(r.why).toBe('too few runs to check (n = 6 for 5 parameters; need ≥ 10)');
    expectClean(r);
  });

  it('a singular Jacobian (two parameters in one direction, a constant feature) does not throw', () => {
    const twin = compileLaw({ formula: 'a + b + c * x', params: { a: [-10, 10], b: [-10, 10], c: [-10, 10] }, features: ['x'] });
    const x = Float64Array.from({ length: 15 }, (_, i) => i);
    const rng = rngFor(['alarm-singular']);
    const y = Float64Array.from(x, (v) => 1 + 0.3 * v + 0.01 * normal(rng));
    const r = checkLawFits(
      twin,
      [x],
      y,
      Float64Array.of(0.5, 0.5, 0.3),
      Float64Array.from(x, (v) => v + 1),
    );
    expect(r.checked).toBe(true);
    expect(r.stats.rank).toBe(2);
    expectClean(r);
    const flat = checkLawFits(
      plane,
      [Float64Array.from(x), new Float64Array(15).fill(2)],
      y,
      Float64Array.of(1, 0.3, 0),
      Float64Array.from(x, (v) => v + 1),
    );
    expect(flat.stats.rank).toBe(2);
    expectClean(flat);
  });

  it('a perfect fit (σ̂ = 0) fits', () => {
    const y = chinchilla.bind([N, D]).value(TRUTH, new Float64Array(N.length));
    const r = checkLawFits(chinchilla, [N, D], y, Float64Array.from(TRUTH), COST);
    expect(r).toMatchObject({ ok: true, checked: true });
    expectClean(r);
  });

  it('non-finite predictions say no, costs that are not usable skip the cost tests, mismatched inputs are not checked', () => {
    const logLaw = compileLaw({ formula: 'a + b * log(x)', params: { a: [-10, 10], b: [-10, 10] }, features: ['x'] });
    const x = Float64Array.from({ length: 12 }, (_, i) => i); // log(0) = −∞
    const y = Float64Array.from(x, (v) => 1 + v);
    const r = checkLawFits(
      logLaw,
      [x],
      y,
      Float64Array.of(1, 1),
      Float64Array.from(x, (v) => v + 1),
    );
    expect(r).toMatchObject({ ok: false, checked: true, fired: ['prediction'] });
    expectClean(r);

    const xs = Float64Array.from({ length: 12 }, (_, i) => i + 1);
    const noCost = checkLawFits(
      logLaw,
      [xs],
      Float64Array.from(xs, (v) => 1 + Math.log(v)),
      Float64Array.of(1, 1),
      new Float64Array(12).fill(NaN),
    );
    expect(noCost.checked).toBe(true);
    expect(noCost.stats.trendP).toBeNull();
    expect(noCost.stats.holdoutP).toBeNull();
    expectClean(noCost);

    const bad = checkLawFits(logLaw, [xs], new Float64Array(5), Float64Array.of(1, 1), new Float64Array(12));
    expect(bad).toMatchObject({ ok: true, checked: false });
    expectClean(bad);
  });

  it('multi-output laws: values flattened, whole runs held out, and a wrong second output is caught', () => {
    const two = compileLaw({
      formula: { y1: 'a + b * x', y2: 'a + c * x' },
      params: { a: [-10, 10], b: [-10, 10], c: [-10, 10] },
      features: ['x'],
    });
    const n = 25;
    const rng = rngFor(['alarm-two']);
    const x = Float64Array.from({ length: n }, (_, i) => i / 5);
    const cost = Float64Array.from(x, Math.exp);
    const make = (curve: number) => {
      const y = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        y[2 * i] = 1 + 0.5 * x[i] + 0.01 * normal(rng);
        y[2 * i + 1] = 1 - 0.2 * x[i] + curve * x[i] * x[i] + 0.01 * normal(rng);
      }
      const fit = new LeastSquares(two, [x], y, { fitter: 'lm' }).fitOne(new Float64Array(3));
      return checkLawFits(two, [x], y, fit.theta, cost);
    };
    const right = make(0);
    expect(right.stats.values).toBe(2 * n);
    expect(right.stats.holdoutRuns).toBe(5);
    expect(right.ok).toBe(true);
    expectClean(right);
    const wrong = make(0.05);
    expect(wrong.ok).toBe(false);
    expectClean(wrong);
  });
});
