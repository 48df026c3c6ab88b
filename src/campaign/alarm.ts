/**
 * "Your law does not fit": a check of a fitted law against the very runs it was fitted to, before
 * anyone trusts its forecast far beyond them. Textbook tests of linear regression applied to the
 * Jacobian at θ̂ (exact for a linear law, first-order for a nonlinear one), combined by Bonferroni
 * at one stated overall level:
 *
 * - holdout: refit without the costliest runs (warm start from θ̂) and ask whether those runs lie
 *   within the reduced fit's predictive spread, σ̃²(I + G (J̃ᵀJ̃)⁺ Gᵀ): Chow's predictive-failure F
 *   test. It is the forecast's own question asked one step back, where the answer is known.
 * - trend: do the residuals trend with log cost once the law's own directions are taken out? The
 *   added-variable t test of log cost: a law that bends beyond its form leaves cheap and costly runs
 *   on opposite sides.
 * - input: the same question asked of each input alone, with a cubic in the (log) input as the added
 *   variables: a bend in one input that cost does not order (a step in model size across a grid of
 *   data sizes) leaves no trend with cost but a curve against that input.
 * - interaction: the product of each pair of (log) inputs as an added variable: a law whose terms
 *   are separate in inputs that act jointly.
 * - pinned: a parameter held at a declared bound, and the residuals pulling it further out (the
 *   score test of releasing the bound, one-sided): the law fits only beyond the box it was given.
 * - outlier: the largest externally studentised residual r_i / (σ̂_(i) √(1 − h_ii)), Bonferroni over
 *   the values: a run that disagrees with the law fitted to all the others (a diverged run, a typo).
 * - scale (only with an independent noise estimate σ²): SSE/σ² against χ² on n − rank dof.
 * - pure-error (only with replicate runs, several runs at one configuration): the classic
 *   lack-of-fit F test of the residuals against the replicates' own scatter.
 *
 * Multi-output laws are checked on the flattened values (run × output); each run's cost and inputs
 * stand for all its outputs and the holdout leaves out whole runs. Runs with a non-finite target are
 * left out.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { LeastSquares } from '../fit/multistart.js';
import type { Bounds, Law } from '../laws/law.js';
import { cholesky, solveLower } from '../linalg/cholesky.js';
import { figure } from '../text/figure.js';
import { chiSquareUpperP, fUpperP, studentTwoSidedP } from './tails.js';

/**
 * Overall false-alarm level on a well-specified law, shared by Bonferroni. On a linear law every
 * test is exact and the rate is at most this; on a curved law the linearisation shifts the tails a
 * little either way. A warning that fires about one campaign in ten on a law that is right is the
 * trade this check makes for power against laws that bend at the noise of real pilots (the
 * measured rates are in docs/alarm.md, with the command that makes them).
 */
export const ALARM_LEVEL = 0.1;

/**
 * How the level is shared (Bonferroni weights, renormalised over the tests that ran). The holdout
 * asks the forecast's own question; the trend with cost and the curves against each input are the
 * tests with power against laws that bend beyond their form; each gets 2. Interactions, pinned
 * parameters and single outlying runs are narrower diagnostics: 1 each. The tests against an
 * independent noise estimate (a given σ², replicate runs) get 1 each when they run.
 */
export const TEST_WEIGHTS: Readonly<Record<LawFitsTest, number>> = {
  holdout: 2,
  trend: 2,
  input: 2,
  interaction: 1,
  pinned: 1,
  outlier: 1,
  scale: 1,
  'pure-error': 1,
};

/** Highest power of the (log) input in the curve the input test fits to the residuals: a cubic follows a bend or a step. */
export const INPUT_DEGREE = 3;

/**
 * Fraction of the (costed) runs held out as "the costliest": the reduced fit keeps four fifths of
 * the runs, so its own parameter uncertainty grows little, while the held-out set is large enough
 * for the F test's numerator (k·outputs dof) to see a systematic shift rather than one noisy run.
 */
export const HOLDOUT_FRACTION = 1 / 5;

/** At least two held-out runs: one run is the outlier test's business, two make a direction. */
export const MIN_HOLDOUT = 2;

/**
 * Residual degrees of freedom the reduced fit must keep: below 3, σ̃² from the residuals is so
 * unstable (the F test's denominator has infinite variance at 2 dof and below) that the test has
 * no power and its level rests on the Gaussian tails alone.
 */
export const MIN_REDUCED_DOF = 3;

/** Values per parameter the full fit needs before it is checked: the forecast's own residual rule (n ≥ 2P). */
export const MIN_VALUES_PER_PARAMETER = 2;

/**
 * Singular values of the column-equilibrated Jacobian below this fraction of the largest count as
 * zero: a direction determined to worse than 1e-10 relative is not estimated by the data (double
 * precision leaves about 1e-16, so this is far above rounding and far below real ill-conditioning
 * of scaling-law fits, which reaches 1e6–1e8).
 */
export const RANK_TOLERANCE = 1e-10;

/** Leverages above 1 − 1e-8: the run alone pins a direction, its deleted residual is undefined. */
export const LEVERAGE_CEILING = 1 - 1e-8;

/**
 * σ̂ never falls below 1e-6 of the root-mean-square target (as in the forecast's σ² floor): a
 * noiseless perfect fit must read as "fits", not as infinitely many sd from a 1e-12 rounding error.
 */
export const NOISE_FLOOR_RELATIVE_SD = 1e-6;

/** A parameter this close (relative) to a bound is held there by the fit and takes no part in J. */
export const BOUND_TOLERANCE = 1e-9;

/** Log cost must vary beyond the law's own directions by this fraction for the trend to mean anything. */
export const MIN_TREND_VARIATION = 1e-8;

export type LawFitsTest = 'holdout' | 'trend' | 'input' | 'interaction' | 'pinned' | 'outlier' | 'scale' | 'pure-error';
/** What made the check say no: one of the tests, or a fitted law that cannot even predict the runs. */
export type LawFitsFinding = LawFitsTest | 'prediction';

export interface LawFitsStats {
  /** Runs checked (rows with every target finite). */
  n: number;
  /** Values checked: n × outputs. */
  values: number;
  parameters: number;
  /** Rank of the Jacobian over the parameters not held at a bound. */
  rank: number | null;
  /** Residual degrees of freedom, values − rank. */
  dof: number | null;
  /** Residual sd √(SSE/dof) (floored, see NOISE_FLOOR_RELATIVE_SD). */
  sigma: number | null;
  /** The largest |externally studentised residual|, the run (index in the inputs) it belongs to, and its Bonferroni p. */
  maxStudentised: number | null;
  maxStudentisedRun: number | null;
  outlierP: number | null;
  /** t of the residuals' slope on log cost (added-variable test) and its two-sided p. */
  trendT: number | null;
  trendP: number | null;
  /** The costliest runs held out, the runs the reduced law was fitted to, their mean and largest |z|, Chow's F and p. */
  holdoutRuns: number | null;
  holdoutFittedOn: number | null;
  holdoutMeanZ: number | null;
  holdoutMaxZ: number | null;
  holdoutF: number | null;
  holdoutP: number | null;
  /** The input (index into the law's features) whose curve explains the most residual, its F and Bonferroni p over the inputs. */
  inputFeature: number | null;
  inputF: number | null;
  inputP: number | null;
  /** The pair of inputs (indices, first < second) whose product explains the most residual, its F and Bonferroni p over the pairs. */
  interactionFirst: number | null;
  interactionSecond: number | null;
  interactionF: number | null;
  interactionP: number | null;
  /** Parameters held at a bound; the one pulled hardest outward (index), its t and Bonferroni one-sided p. */
  pinnedCount: number;
  pinnedParameter: number | null;
  pinnedT: number | null;
  pinnedP: number | null;
  /** SSE / (dof · σ²) for a user-supplied σ², and its upper-tail χ² p. */
  scaleRatio: number | null;
  scaleP: number | null;
  /** Replicate runs: configurations run more than once, the replicates' sd, the lack-of-fit F and p. */
  replicateGroups: number;
  replicateSd: number | null;
  pureErrorF: number | null;
  pureErrorP: number | null;
  /** The overall level the tests share. */
  level: number;
}

export interface LawFitsReport {
  /** false when some test fired (or the law cannot even predict the runs). */
  ok: boolean;
  /** false when there were too few runs to check anything (then ok is true). */
  checked: boolean;
  /** In plain words: which test fired and its numbers, or why all is well, or why nothing was checked. */
  why: string;
  /** What fired, most significant first. */
  fired: LawFitsFinding[];
  stats: LawFitsStats;
}

export interface LawFitsOptions {
  /** An independent estimate of the noise variance (e.g. from repeated seeds), for the scale test. */
  sigma2?: number;
  /** How `why` names run i (default `run i`, i the index in the inputs). */
  runNames?: readonly string[];
}

// ───────────────────────── the linearised fit ─────────────────────────

/** A law's values and Jacobian on some rows at θ; non-finite Jacobian entries become 0 (no information). */
interface AtTheta {
  pred: Float64Array;
  J: Float64Array;
  /** Values whose prediction is not finite. */
  nonFinite: number;
}

function atTheta(law: Law, X: Float64Array[], theta: Float64Array): AtTheta {
  const bound = law.bind(X);
  const m = bound.n * law.outputs;
  const P = law.params.length;
  const pred = new Float64Array(m);
  const J = new Float64Array(m * P);
  if (m > 0) bound.valueJac(theta, pred, J);
  let nonFinite = 0;
  for (let v = 0; v < m; v++) if (!Number.isFinite(pred[v])) nonFinite++;
  for (let i = 0; i < m * P; i++) if (!Number.isFinite(J[i])) J[i] = 0;
  return { pred, J, nonFinite };
}

/** Per parameter: −1 held at its lower bound, +1 at its upper, 0 free. */
function boundSides(theta: Float64Array, bounds: Bounds): number[] {
  const near = (t: number, b: number) => t === b || (Number.isFinite(b) && Math.abs(t - b) <= BOUND_TOLERANCE * Math.max(Math.abs(b), Math.abs(t)));
  return bounds.map(([lo, hi], j) => (near(theta[j], lo) ? -1 : near(theta[j], hi) ? 1 : 0));
}

/** Parameters not held at a bound by the fit. */
function freeParameters(theta: Float64Array, bounds: Bounds): boolean[] {
  return boundSides(theta, bounds).map((s) => s === 0);
}

/**
 * The Jacobian's column space and pseudo-inverse, from the SVD of J·D (free columns only, D scaling
 * each to unit length so the rank cut is scale-free): U (m × r) gives the leverages h = Σ_k U_ik²
 * and the projection onto the law's directions; `back` (P × r) = D W S⁻¹ maps a gradient row g to
 * g·back, whose squared length is g (JᵀJ)⁺ gᵀ.
 */
interface Linear {
  U: Float64Array;
  back: Float64Array;
  rank: number;
}

function linearPart(J: Float64Array, m: number, P: number, free: boolean[]): Linear {
  const cols: number[] = [];
  const scale: number[] = [];
  for (let j = 0; j < P; j++) {
    if (!free[j]) continue;
    let s = 0;
    for (let v = 0; v < m; v++) s += J[v * P + j] * J[v * P + j];
    if (s > 0 && Number.isFinite(s)) {
      cols.push(j);
      scale.push(1 / Math.sqrt(s));
    }
  }
  const q = cols.length;
  if (q === 0 || m === 0) return { U: new Float64Array(0), back: new Float64Array(0), rank: 0 };
  const A = new Matrix(m, q);
  for (let v = 0; v < m; v++) for (let c = 0; c < q; c++) A.set(v, c, J[v * P + cols[c]] * scale[c]);
  const svd = new SingularValueDecomposition(A, { autoTranspose: true });
  const s = svd.diagonal;
  const Uall = svd.leftSingularVectors;
  const Wall = svd.rightSingularVectors;
  const order = s.map((_, k) => k).sort((a, b) => s[b] - s[a]);
  const top = s[order[0]] ?? 0;
  const keep = order.filter((k) => s[k] > RANK_TOLERANCE * top && top > 0);
  const r = keep.length;
  const U = new Float64Array(m * r);
  for (let v = 0; v < m; v++) for (let k = 0; k < r; k++) U[v * r + k] = Uall.get(v, keep[k]);
  const back = new Float64Array(P * r);
  for (let c = 0; c < q; c++) for (let k = 0; k < r; k++) back[cols[c] * r + k] = (scale[c] * Wall.get(c, keep[k])) / s[keep[k]];
  return { U, back, rank: r };
}

// ───────────────────────── the tests ─────────────────────────

interface TestOutcome {
  test: LawFitsTest;
  p: number;
  /** Plain words with the numbers, for `why`. */
  words: string;
}

const show = (v: number, digits = 2) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(1) : v.toFixed(digits));
const showP = (p: number) => (p < 1e-6 ? 'p < 1e-6' : `p = ${p.toPrecision(2)}`);
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The fit of the law at θ to the checked values: residuals, σ̂ and the linear part. */
interface FullFit {
  res: Float64Array;
  sse: number;
  dof: number;
  sigma2: number;
  /** The floor σ̂² never goes below (NOISE_FLOOR_RELATIVE_SD). */
  sigma2Floor: number;
  lin: Linear;
}

function outlierTest(full: FullFit, m: number, O: number, runIndex: readonly number[], name: (i: number) => string, stats: LawFitsStats): TestOutcome | null {
  const { res, sse, dof, lin } = full;
  const nu = dof - 1;
  if (nu < 1) return null;
  const floor2 = full.sigma2Floor;
  let best = -1;
  let bestT = 0;
  let counted = 0;
  for (let v = 0; v < m; v++) {
    let h = 0;
    for (let k = 0; k < lin.rank; k++) h += lin.U[v * lin.rank + k] ** 2;
    if (!(h < LEVERAGE_CEILING)) continue;
    counted++;
    const s2 = Math.max((sse - (res[v] * res[v]) / (1 - h)) / nu, floor2);
    const t = res[v] / Math.sqrt(s2 * (1 - h));
    if (best < 0 || Math.abs(t) > Math.abs(bestT)) {
      best = v;
      bestT = t;
    }
  }
  if (best < 0) return null;
  const p = Math.min(1, counted * studentTwoSidedP(bestT, nu));
  const run = runIndex[Math.floor(best / O)];
  stats.maxStudentised = finiteOrNull(Math.abs(bestT));
  stats.maxStudentisedRun = run;
  stats.outlierP = p;
  return {
    test: 'outlier',
    p,
    words: `${name(run)} sits ${show(Math.abs(bestT), 1)} sd ${bestT > 0 ? 'above' : 'below'} the law fitted to the others (largest of ${counted} studentised residuals, Bonferroni ${showP(p)})`,
  };
}

function trendTest(full: FullFit, logCost: Float64Array, m: number, stats: LawFitsStats): TestOutcome | null {
  const { res, sse, dof, lin } = full;
  const nu = dof - 1;
  if (nu < 1) return null;
  // w = centred log cost (runs without a usable cost sit at the centre: no leverage on the slope)
  let mean = 0;
  let count = 0;
  for (let v = 0; v < m; v++) {
    if (Number.isFinite(logCost[v])) {
      mean += logCost[v];
      count++;
    }
  }
  if (count < 3) return null;
  mean /= count;
  const w = new Float64Array(m);
  for (let v = 0; v < m; v++) w[v] = Number.isFinite(logCost[v]) ? logCost[v] - mean : 0;
  let ww = 0;
  for (let v = 0; v < m; v++) ww += w[v] * w[v];
  // w⊥ = (I − U Uᵀ) w: log cost with the law's own directions taken out
  const r = lin.rank;
  const a = new Float64Array(r);
  for (let v = 0; v < m; v++) for (let k = 0; k < r; k++) a[k] += lin.U[v * r + k] * w[v];
  let perp2 = 0;
  let c = 0;
  for (let v = 0; v < m; v++) {
    let p = w[v];
    for (let k = 0; k < r; k++) p -= lin.U[v * r + k] * a[k];
    perp2 += p * p;
    c += p * res[v];
  }
  if (!(ww > 0) || !(perp2 > MIN_TREND_VARIATION * ww)) return null;
  const explained = (c * c) / perp2;
  const s2 = Math.max((sse - explained) / nu, full.sigma2Floor);
  const t = c / Math.sqrt(perp2 * s2);
  const p = studentTwoSidedP(t, nu);
  stats.trendT = finiteOrNull(t);
  stats.trendP = p;
  return {
    test: 'trend',
    p,
    words: `the residuals trend with cost: the costlier the run, the ${t > 0 ? 'higher' : 'lower'} it sits against the law (slope on log cost t = ${show(t, 1)}, ${showP(p)})`,
  };
}

/** The F test of added variables W (columns over the m values) against the residuals, with the law's directions taken out. */
interface AddedVariables {
  F: number;
  /** Columns that survive the projection (numerator dof) and the residual dof left (denominator). */
  q: number;
  nu: number;
  p: number;
  /** Share of the SSE the added variables explain. */
  share: number;
  /** With one column: its coefficient's t, signed along the column's direction beyond the law's. */
  t: number;
}

function dotOf(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let v = 0; v < a.length; v++) s += a[v] * b[v];
  return s;
}

/**
 * W's columns (centred, for shapes whose level is not the question) with the law's column space U
 * and each other taken out (Gram–Schmidt, twice for rounding), unit length; a column that vanishes
 * (it lies in the law's directions, or repeats an earlier one) is dropped.
 */
function beyondTheLaw(lin: Linear, W: readonly Float64Array[], centre: boolean): Float64Array[] {
  const r = lin.rank;
  const out: Float64Array[] = [];
  for (const col of W) {
    const m = col.length;
    const w = Float64Array.from(col);
    if (centre) {
      let mean = 0;
      for (let v = 0; v < m; v++) mean += w[v];
      mean /= m;
      for (let v = 0; v < m; v++) w[v] -= mean;
    }
    const before = dotOf(w, w);
    if (!(before > 0) || !Number.isFinite(before)) continue;
    for (let pass = 0; pass < 2; pass++) {
      const a = new Float64Array(r);
      for (let v = 0; v < m; v++) for (let k = 0; k < r; k++) a[k] += lin.U[v * r + k] * w[v];
      for (let v = 0; v < m; v++) for (let k = 0; k < r; k++) w[v] -= lin.U[v * r + k] * a[k];
      for (const q of out) {
        const c = dotOf(q, w);
        for (let v = 0; v < m; v++) w[v] -= c * q[v];
      }
    }
    const after = dotOf(w, w);
    if (!(after > MIN_TREND_VARIATION * before)) continue;
    const norm = Math.sqrt(after);
    for (let v = 0; v < m; v++) w[v] /= norm;
    out.push(w);
  }
  return out;
}

function addedVariables(full: FullFit, W: readonly Float64Array[], centre = true): AddedVariables | null {
  const Q = beyondTheLaw(full.lin, W, centre);
  const q = Q.length;
  const nu = full.dof - q;
  if (q === 0 || nu < MIN_REDUCED_DOF) return null;
  let explained = 0;
  let first = 0;
  for (const col of Q) {
    const c = dotOf(col, full.res);
    if (col === Q[0]) first = c;
    explained += c * c;
  }
  const s2 = Math.max((full.sse - explained) / nu, full.sigma2Floor);
  const F = explained / q / s2;
  return { F, q, nu, p: fUpperP(F, q, nu), share: full.sse > 0 ? Math.min(explained / full.sse, 1) : 0, t: first / Math.sqrt(s2) };
}

/** An input on the scale its law reads it: log when every value is positive (sizes, counts, rates), as is otherwise. */
function onItsScale(x: Float64Array): { z: Float64Array; log: boolean; distinct: number } | null {
  const log = x.every((v) => v > 0 && Number.isFinite(v));
  const t = log ? x.map(Math.log) : Float64Array.from(x);
  if (!t.every(Number.isFinite)) return null;
  const distinct = new Set(t).size;
  let mean = 0;
  for (const v of t) mean += v;
  mean /= t.length;
  let ss = 0;
  for (const v of t) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / t.length);
  if (!(sd > 0)) return null;
  return { z: t.map((v) => (v - mean) / sd), log, distinct };
}

/** Each value's input (values are run × output, so each run's input repeats over its outputs). */
const perValue = (x: Float64Array, O: number) => Float64Array.from({ length: x.length * O }, (_, v) => x[Math.floor(v / O)]);

function inputTest(full: FullFit, law: Law, X: readonly Float64Array[], O: number, stats: LawFitsStats): TestOutcome | null {
  let best: { j: number; at: AddedVariables; log: boolean } | null = null;
  let tests = 0;
  X.forEach((x, j) => {
    const scaled = onItsScale(x);
    if (scaled === null || scaled.distinct < 2) return;
    const z = perValue(scaled.z, O);
    const W: Float64Array[] = [];
    for (let d = 1; d <= Math.min(INPUT_DEGREE, scaled.distinct - 1); d++) W.push(z.map((v) => v ** d));
    const at = addedVariables(full, W);
    if (at === null) return;
    tests++;
    if (best === null || at.p < best.at.p) best = { j, at, log: scaled.log };
  });
  if (best === null) return null;
  const { j, at, log } = best as { j: number; at: AddedVariables; log: boolean };
  const p = Math.min(1, tests * at.p);
  stats.inputFeature = j;
  stats.inputF = finiteOrNull(at.F);
  stats.inputP = p;
  const name = log ? `log ${law.features[j]}` : law.features[j];
  return {
    test: 'input',
    p,
    words: `the residuals curve against ${law.features[j]} beyond what the law can follow: a curve in ${name} explains ${Math.round(100 * at.share)}% of them (F = ${show(at.F)} on ${at.q} and ${at.nu} dof, Bonferroni over ${tests} inputs ${showP(p)})`,
  };
}

function interactionTest(full: FullFit, law: Law, X: readonly Float64Array[], O: number, stats: LawFitsStats): TestOutcome | null {
  const scaled = X.map((x) => onItsScale(x));
  let best: { a: number; b: number; at: AddedVariables } | null = null;
  let tests = 0;
  for (let a = 0; a < X.length; a++) {
    for (let b = a + 1; b < X.length; b++) {
      const sa = scaled[a];
      const sb = scaled[b];
      if (sa === null || sb === null || sa.distinct < 2 || sb.distinct < 2) continue;
      const at = addedVariables(full, [
        perValue(
          sa.z.map((v, i) => v * sb.z[i]),
          O,
        ),
      ]);
      if (at === null) continue;
      tests++;
      if (best === null || at.p < best.at.p) best = { a, b, at };
    }
  }
  if (best === null) return null;
  const { a, b, at } = best as { a: number; b: number; at: AddedVariables };
  const p = Math.min(1, tests * at.p);
  stats.interactionFirst = a;
  stats.interactionSecond = b;
  stats.interactionF = finiteOrNull(at.F);
  stats.interactionP = p;
  return {
    test: 'interaction',
    p,
    words: `${law.features[a]} and ${law.features[b]} act jointly in a way the law has no term for: their product explains ${Math.round(100 * at.share)}% of the residuals (F = ${show(at.F)} on 1 and ${at.nu} dof, Bonferroni over ${tests} pairs ${showP(p)})`,
  };
}

function pinnedTest(full: FullFit, law: Law, theta: Float64Array, J: Float64Array, m: number, stats: LawFitsStats): TestOutcome | null {
  const P = law.params.length;
  const side = boundSides(theta, law.bounds);
  let best: { j: number; at: AddedVariables; p: number } | null = null;
  let tests = 0;
  for (let j = 0; j < P; j++) {
    if (side[j] === 0) continue;
    stats.pinnedCount++;
    const col = Float64Array.from({ length: m }, (_, v) => J[v * P + j]);
    const at = addedVariables(full, [col], false);
    if (at === null) continue;
    tests++;
    // moving θ_j by δ along its column changes the SSE by −2δ·colᵀr: the fit pulls outward when that is a decrease beyond the bound
    const outward = side[j] < 0 ? at.t < 0 : at.t > 0;
    const half = studentTwoSidedP(at.t, at.nu) / 2;
    const p = outward ? half : 1 - half;
    if (best === null || p < best.p) best = { j, at, p };
  }
  if (best === null) return null;
  const { j, at, p: one } = best as { j: number; at: AddedVariables; p: number };
  const p = Math.min(1, tests * one);
  stats.pinnedParameter = j;
  stats.pinnedT = finiteOrNull(at.t);
  stats.pinnedP = p;
  const [lo, hi] = law.bounds[j];
  return {
    test: 'pinned',
    p,
    words: `${law.params[j]} is held at its ${side[j] < 0 ? `lower bound ${figure(lo)}` : `upper bound ${figure(hi)}`} and the runs pull it further out (t = ${show(at.t, 1)}, Bonferroni over ${tests} pinned ${showP(p)}): the law fits these runs only beyond the bounds declared for it`,
  };
}

/** Runs at one configuration (every input equal): groups of two or more, by index into the runs. */
function replicates(X: readonly Float64Array[], n: number): number[][] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = X.map((x) => x[i]).join(',');
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

function pureErrorTest(full: FullFit, X: readonly Float64Array[], y: Float64Array, n: number, O: number, stats: LawFitsStats): TestOutcome | null {
  const groups = replicates(X, n);
  stats.replicateGroups = groups.length;
  if (groups.length === 0) return null;
  let ssPure = 0;
  let dofPure = 0;
  for (const g of groups) {
    for (let o = 0; o < O; o++) {
      let mean = 0;
      for (const i of g) mean += y[i * O + o];
      mean /= g.length;
      for (const i of g) ssPure += (y[i * O + o] - mean) ** 2;
    }
    dofPure += (g.length - 1) * O;
  }
  const dofLack = full.dof - dofPure;
  if (dofLack < 1 || dofPure < 1) return null;
  const s2Pure = Math.max(ssPure / dofPure, full.sigma2Floor);
  const F = Math.max(full.sse - ssPure, 0) / dofLack / s2Pure;
  const p = fUpperP(F, dofLack, dofPure);
  stats.replicateSd = finiteOrNull(Math.sqrt(s2Pure));
  stats.pureErrorF = finiteOrNull(F);
  stats.pureErrorP = p;
  return {
    test: 'pure-error',
    p,
    words: `the residuals are ${show(Math.sqrt(F), 1)}× the scatter of the ${groups.length} repeated configuration(s) between runs at one configuration (lack-of-fit F = ${show(F)} on ${dofLack} and ${dofPure} dof, ${showP(p)})`,
  };
}

/** Which of the runs (indices into the checked rows) to hold out: the k costliest, a tie at the cut kept whole if the refit can afford it. */
function costliest(cost: Float64Array, n: number, O: number, P: number): number[] {
  const costed: number[] = [];
  for (let i = 0; i < n; i++) if (cost[i] > 0 && Number.isFinite(cost[i])) costed.push(i);
  const k = holdoutSize(costed.length);
  if (costed.length < k + 1) return [];
  costed.sort((a, b) => cost[b] - cost[a] || a - b);
  let end = k;
  while (end < costed.length && cost[costed[end]] === cost[costed[k - 1]]) end++;
  if ((n - end) * O - P < MIN_REDUCED_DOF) end = k;
  return costed.slice(0, end);
}

function holdoutSize(n: number): number {
  return Math.max(MIN_HOLDOUT, Math.round(n * HOLDOUT_FRACTION));
}

function holdoutTest(
  law: Law,
  X: Float64Array[],
  y: Float64Array,
  theta: Float64Array,
  cost: Float64Array,
  floor2: number,
  stats: LawFitsStats,
): TestOutcome | null {
  const O = law.outputs;
  const P = law.params.length;
  const n = y.length / O;
  const held = costliest(cost, n, O, P);
  if (held.length === 0) return null;
  const out = new Set(held);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (!out.has(i)) kept.push(i);
  const pick = (rows: number[]) => ({
    X: X.map((col) => Float64Array.from(rows, (i) => col[i])),
    y: Float64Array.from({ length: rows.length * O }, (_, v) => y[rows[Math.floor(v / O)] * O + (v % O)]),
  });
  const fitData = pick(kept);
  const heldData = pick(held);
  const refit = new LeastSquares(law, fitData.X, fitData.y, { objective: 'mse' }).fitOne(theta);
  if (!Number.isFinite(refit.loss)) return null;
  const reduced = atTheta(law, fitData.X, refit.theta);
  const mK = kept.length * O;
  if (reduced.nonFinite > 0) return null;
  const lin = linearPart(reduced.J, mK, P, freeParameters(refit.theta, law.bounds));
  const dof = mK - lin.rank;
  if (dof < 1) return null;
  let sse = 0;
  for (let v = 0; v < mK; v++) sse += (fitData.y[v] - reduced.pred[v]) ** 2;
  const s2 = Math.max(sse / dof, floor2);
  const at = atTheta(law, heldData.X, refit.theta);
  const mH = held.length * O;
  stats.holdoutRuns = held.length;
  stats.holdoutFittedOn = kept.length;
  const some = `the ${held.length} costliest runs`;
  const others = `the law fitted to the ${kept.length} cheaper ones`;
  if (at.nonFinite > 0) {
    stats.holdoutP = 0;
    return { test: 'holdout', p: 0, words: `${others} predicts a non-finite value for ${at.nonFinite} of ${some}` };
  }
  // M = G·back (mH × r): Var(e) = σ̃² (I + M Mᵀ); eᵀ(I + MMᵀ)⁻¹e = eᵀe − aᵀ(I + MᵀM)⁻¹a with a = Mᵀe (Woodbury)
  const r = lin.rank;
  const M = new Float64Array(mH * r);
  const e = new Float64Array(mH);
  for (let v = 0; v < mH; v++) {
    e[v] = heldData.y[v] - at.pred[v];
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let j = 0; j < P; j++) s += at.J[v * P + j] * lin.back[j * r + k];
      M[v * r + k] = s;
    }
  }
  const B = new Float64Array(r * r);
  const a = new Float64Array(r);
  let ee = 0;
  let zSum = 0;
  let zMax = 0;
  for (let v = 0; v < mH; v++) {
    ee += e[v] * e[v];
    let lev = 0;
    for (let k = 0; k < r; k++) {
      const mk = M[v * r + k];
      lev += mk * mk;
      a[k] += mk * e[v];
      for (let l = 0; l <= k; l++) B[k * r + l] += mk * M[v * r + l];
    }
    const z = e[v] / Math.sqrt(s2 * (1 + lev));
    zSum += z;
    if (Math.abs(z) > Math.abs(zMax)) zMax = z;
  }
  for (let k = 0; k < r; k++) B[k * r + k] += 1;
  const quad = Math.max(ee - quadraticInverse(B, a, r), 0);
  const F = quad / (mH * s2);
  const p = fUpperP(F, mH, dof);
  const meanZ = zSum / mH;
  stats.holdoutMeanZ = finiteOrNull(meanZ);
  stats.holdoutMaxZ = finiteOrNull(Math.abs(zMax));
  stats.holdoutF = finiteOrNull(F);
  stats.holdoutP = p;
  const rms = Math.sqrt(F);
  const where =
    Math.abs(meanZ) >= 0.5 * rms
      ? `sit on average ${show(Math.abs(meanZ), 1)} predictive sd ${meanZ > 0 ? 'above' : 'below'}`
      : `scatter ${show(rms, 1)} predictive sd (rms) around`;
  return {
    test: 'holdout',
    p,
    words: `${some} ${where} ${others} (largest ${show(Math.abs(zMax), 1)} sd; F = ${show(F)} on ${mH} and ${dof} dof, ${showP(p)})`,
  };
}

/** aᵀB⁻¹a = ‖L⁻¹a‖² for a symmetric B ⪰ I (lower triangle filled), B factored in place; 0 if B has a non-finite entry. */
function quadraticInverse(B: Float64Array, a: Float64Array, r: number): number {
  if (!cholesky(B, r, r)) return 0;
  const x = Float64Array.from(a);
  solveLower(B, r, r, x, 0);
  let q = 0;
  for (let i = 0; i < r; i++) q += x[i] * x[i];
  return q;
}

function scaleTest(full: FullFit, sigma2: number, stats: LawFitsStats): TestOutcome | null {
  if (!(sigma2 > 0 && Number.isFinite(sigma2)) || full.dof < 1) return null;
  const chi2 = full.sse / sigma2;
  const p = chiSquareUpperP(chi2, full.dof);
  const ratio = chi2 / full.dof;
  stats.scaleRatio = finiteOrNull(ratio);
  stats.scaleP = p;
  return {
    test: 'scale',
    p,
    words: `the residuals are ${show(Math.sqrt(ratio), 1)}× the noise sd you gave (χ² = ${show(chi2, 1)} on ${full.dof} dof, ${showP(p)})`,
  };
}

// ───────────────────────── the check ─────────────────────────

/** The fewest runs (all targets finite, all costed) the check needs for a law with P parameters and O outputs. */
export function runsNeeded(P: number, O: number): number {
  for (let n = 1; ; n++) {
    if (n * O >= MIN_VALUES_PER_PARAMETER * P && (n - holdoutSize(n)) * O - P >= MIN_REDUCED_DOF) return n;
  }
}

function emptyStats(n: number, O: number, P: number): LawFitsStats {
  return {
    n,
    values: n * O,
    parameters: P,
    rank: null,
    dof: null,
    sigma: null,
    maxStudentised: null,
    maxStudentisedRun: null,
    outlierP: null,
    trendT: null,
    trendP: null,
    holdoutRuns: null,
    holdoutFittedOn: null,
    holdoutMeanZ: null,
    holdoutMaxZ: null,
    holdoutF: null,
    holdoutP: null,
    inputFeature: null,
    inputF: null,
    inputP: null,
    interactionFirst: null,
    interactionSecond: null,
    interactionF: null,
    interactionP: null,
    pinnedCount: 0,
    pinnedParameter: null,
    pinnedT: null,
    pinnedP: null,
    scaleRatio: null,
    scaleP: null,
    replicateGroups: 0,
    replicateSd: null,
    pureErrorF: null,
    pureErrorP: null,
    level: ALARM_LEVEL,
  };
}

/**
 * Does the law fitted at θ describe the observed runs well enough to extrapolate? X: feature
 * columns of the observed rows; y: their targets (n × outputs, row-major); cost: each row's cost.
 * Never throws: malformed input and too few runs give `checked: false`.
 */
export function checkLawFits(
  law: Law,
  X: Float64Array[],
  y: Float64Array,
  theta: Float64Array,
  cost: Float64Array,
  options: LawFitsOptions = {},
): LawFitsReport {
  const O = law.outputs;
  const P = law.params.length;
  const rowsIn = X.length > 0 ? X[0].length : cost.length;
  const unchecked = (why: string, n: number): LawFitsReport => ({ ok: true, checked: false, why, fired: [], stats: emptyStats(n, O, P) });
  if (law.features.length === 0) return unchecked('the law reads no feature: there is nothing to check it against', 0);
  if (X.length !== law.features.length || X.some((col) => col.length !== rowsIn) || y.length !== rowsIn * O || cost.length !== rowsIn || theta.length !== P) {
    return unchecked(
      `the inputs do not line up (${X.length} feature columns, ${rowsIn} runs, ${y.length} targets, ${cost.length} costs, ${theta.length} parameters)`,
      0,
    );
  }
  // the runs with every target finite
  const runIndex: number[] = [];
  for (let i = 0; i < rowsIn; i++) {
    let finite = true;
    for (let o = 0; o < O; o++) finite &&= Number.isFinite(y[i * O + o]);
    if (finite) runIndex.push(i);
  }
  const n = runIndex.length;
  const need = runsNeeded(P, O);
  if (n < need) return unchecked(`too few runs to check (n = ${n} for ${P} parameters; need ≥ ${need})`, n);

  const Xu = X.map((col) => Float64Array.from(runIndex, (i) => col[i]));
  const yu = Float64Array.from({ length: n * O }, (_, v) => y[runIndex[Math.floor(v / O)] * O + (v % O)]);
  const cu = Float64Array.from(runIndex, (i) => cost[i]);
  const m = n * O;
  const stats = emptyStats(n, O, P);

  const at = atTheta(law, Xu, theta);
  if (at.nonFinite > 0) {
    return {
      ok: false,
      checked: true,
      why: `the fitted law predicts a non-finite value for ${at.nonFinite} of the ${m} observed values`,
      fired: ['prediction'],
      stats,
    };
  }
  let meanSquare = 0;
  for (let v = 0; v < m; v++) meanSquare += yu[v] * yu[v];
  const floor2 = Math.max((NOISE_FLOOR_RELATIVE_SD * NOISE_FLOOR_RELATIVE_SD * meanSquare) / m, Number.MIN_VALUE);
  const lin = linearPart(at.J, m, P, freeParameters(theta, law.bounds));
  const res = new Float64Array(m);
  let sse = 0;
  for (let v = 0; v < m; v++) {
    res[v] = yu[v] - at.pred[v];
    sse += res[v] * res[v];
  }
  const dof = m - lin.rank;
  const sigma2 = Math.max(sse / dof, floor2);
  const full: FullFit = { res, sse, dof, sigma2, sigma2Floor: floor2, lin };
  stats.rank = lin.rank;
  stats.dof = dof;
  stats.sigma = finiteOrNull(Math.sqrt(sigma2));

  const logCost = Float64Array.from({ length: m }, (_, v) => {
    const c = cu[Math.floor(v / O)];
    return c > 0 && Number.isFinite(c) ? Math.log(c) : NaN;
  });
  const outcomes = [
    holdoutTest(law, Xu, yu, theta, cu, floor2, stats),
    trendTest(full, logCost, m, stats),
    inputTest(full, law, Xu, O, stats),
    interactionTest(full, law, Xu, O, stats),
    pinnedTest(full, law, theta, at.J, m, stats),
    outlierTest(full, m, O, runIndex, (i) => options.runNames?.[i] ?? `run ${i}`, stats),
    options.sigma2 === undefined ? null : scaleTest(full, options.sigma2, stats),
    pureErrorTest(full, Xu, yu, n, O, stats),
  ].filter((t): t is TestOutcome => t !== null);
  if (outcomes.length === 0)
    return { ok: true, checked: false, why: 'no test could run on these runs (no usable costs, no residual degrees of freedom)', fired: [], stats };

  let total = 0;
  for (const t of outcomes) total += TEST_WEIGHTS[t.test];
  const levelOf = (t: TestOutcome) => (ALARM_LEVEL * TEST_WEIGHTS[t.test]) / total;
  const fired = outcomes.filter((t) => t.p < levelOf(t)).sort((a, b) => a.p / levelOf(a) - b.p / levelOf(b));
  if (fired.length > 0) return { ok: false, checked: true, why: fired[0].words, fired: fired.map((t) => t.test), stats };
  return { ok: true, checked: true, why: passedWords(stats), fired: [], stats };
}

/** Why all is well, in the holdout's and the trend's numbers. */
function passedWords(s: LawFitsStats): string {
  const parts: string[] = [];
  if (s.holdoutRuns !== null && s.holdoutMeanZ !== null)
    parts.push(`the ${s.holdoutRuns} costliest runs sit within ${show(s.holdoutMaxZ ?? 0, 1)} predictive sd of the law fitted to the cheaper ones`);
  if (s.trendT !== null) parts.push(`no trend with cost (t = ${show(s.trendT, 1)})`);
  if (s.inputF !== null) parts.push('no curve against any input');
  if (s.pureErrorF !== null) parts.push(`residuals ${show(Math.sqrt(s.pureErrorF), 1)}× the replicates' scatter`);
  if (s.maxStudentised !== null) parts.push(`largest studentised residual ${show(s.maxStudentised, 1)}`);
  if (s.scaleRatio !== null) parts.push(`residual sd ${show(Math.sqrt(s.scaleRatio), 1)}× the given noise sd`);
  return `${parts.join('; ')}; no test fired at the ${ALARM_LEVEL} level`;
}
