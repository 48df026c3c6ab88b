/**
 * Trust Region Reflective for bound-constrained nonlinear least squares with an analytic
 * Jacobian, behaving like scipy's `least_squares(method='trf', x_scale='jac', loss='linear')`
 * with the default `tr_solver='exact'` (Branch, Coleman & Li 1999; Moré 1977).
 *
 * The iterates stay strictly inside the box. Each iteration scales the variables by Coleman–Li's
 * vector v (the distance to the bound the anti-gradient points at, 1 where that bound is
 * infinite) and by the Jacobian's column norms, so that the first-order conditions in the box
 * become a plain zero-gradient condition in the scaled ("hat") variables. The trust-region
 * subproblem of the hat variables, with the extra diagonal term C = diag(g·dv) (in scaled units)
 * that accounts for v's dependence on x, is solved exactly: J·D is reduced to an n × n triangle
 * by Householder QR, Givens rotations fold diag(√C) into that triangle, whose SVD comes from
 * Golub–Kahan bidiagonalisation and implicitly shifted QR (O(n³) with a small constant, and no
 * singular vector formed explicitly), and the Levenberg–Marquardt parameter α comes from Moré's
 * safeguarded Newton iteration on ‖p(α)‖ = Δ. Among three candidates, the trust-region step cut
 * back just short of the first bound it crosses, that step reflected off the bound, and the
 * constrained Cauchy step, the one with the lowest model value is taken, then pushed off the
 * bounds by one ulp.
 * The radius is updated from the ratio of actual to predicted reduction, as scipy does. With no
 * finite bound, v ≡ 1 and C = 0, and the iteration is that of scipy's unbounded variant.
 *
 * Stopping rules are scipy's: ‖g·v‖∞ < gtol; actual reduction < ftol·cost with ratio > 0.25;
 * ‖step‖ < xtol·(xtol + ‖x‖); or the evaluation budget. Default tolerances and budget are
 * scipy's too (1e-8 and 100·n).
 *
 * Differences from scipy, deliberate:
 * - every trial point is evaluated with its Jacobian (scipy asks for the Jacobian only once a
 *   step is accepted). That costs a wasted Jacobian on a rejected step and saves a second call
 *   on an accepted one (most of them), and it makes `evaluations` count exactly what scipy's
 *   `nfev` counts, so the default budget of 100·n calls is scipy's `max_nfev`;
 * - a trial point whose residuals or Jacobian are not finite is a rejected step (the radius
 *   shrinks to a quarter of the step, as scipy does for residuals; scipy fails outright on a
 *   non-finite Jacobian), and after MAX_NON_FINITE_TRIALS of them in a row the solver gives up
 *   with 'non-finite' at the last finite point (scipy would try until `max_nfev`);
 * - a start outside the box is clipped into it (scipy raises), then moved strictly inside as
 *   scipy does;
 * - the SVD is the Golub–Kahan–Reinsch SVD of the reduced triangle rather than LAPACK's gesdd of
 *   the (m + n) × n augmented matrix: the same singular values and vectors up to rounding, so an
 *   iterate can differ from scipy's in the last bits, and on a problem whose path is sensitive
 *   to rounding the evaluation counts can differ too;
 * - a hat gradient that is exactly zero (possible only with gtol ≤ 0) gives a zero step where
 *   scipy's rank-deficient branch would divide 0 by 0;
 * - `iterations` counts accepted steps (scipy's `njev − 1`); scipy's iteration counter also
 *   counts outer iterations that end without one.
 *
 * The hot path allocates nothing: every buffer lives in a `TrfWorkspace`, which a fitter can
 * reuse across many calls of the same (n, m). This file is the driver; `trf/` holds the workspace,
 * Coleman–Li's scaling (`scaling.ts`), the factorisation of the subproblem (`svd.ts`) and the step
 * (`step.ts`).
 */
import type { MinimizeStatus } from './types.js';
import type { ResidualsWithJacobian } from './levenberg-marquardt.js';
import { TrfWorkspace } from './trf/workspace.js';
import { allFinite, dot, gradientAndScale, moveInsideStart, moveInsideTrial, norm, scalingVector } from './trf/scaling.js';
import { factorize } from './trf/svd.js';
import { selectStep, trustRegionStep } from './trf/step.js';

export interface TrfOptions {
  /** Calls of fn (with or without Jacobian); hard cap. Default 100·n (scipy's max_nfev for trf with an analytic Jacobian). */
  maxEvaluations?: number;
  /** scipy's ftol / xtol / gtol, same meanings; defaults 1e-8 each. */
  ftol?: number;
  xtol?: number;
  gtol?: number;
  /**
   * Not scipy's, off by default: give up ('stalled') when `window` accepted steps lowered the cost
   * by less than the fraction `ratio`, or when after `window` accepted steps Σr² is still above
   * `ceiling`. A multistart uses it to stop starts crawling through a poor region, and then
   * finishes its best fit without it.
   */
  stall?: { window: number; ratio: number; ceiling?: number };
}

export interface TrfResult {
  x: Float64Array;
  /** Σ r² at x; NaN when x has no finite residuals (a non-finite start, or no evaluation at all). */
  f: number;
  /** ½ Σ r² at x. */
  cost: number;
  status: MinimizeStatus;
  /** Accepted steps. */
  iterations: number;
  /** Calls of fn, each with the Jacobian (scipy's nfev). */
  evaluations: number;
}

export { TrfWorkspace };

const DEFAULT_TOL = 1e-8;
/** scipy's default `max_nfev` for trf is this many evaluations per variable. */
const EVALUATIONS_PER_VARIABLE = 100;
/** Smallest fraction of a step to the boundary that is kept (scipy's floor on θ). */
const MIN_STEP_BACK = 0.995;
/** Ratios below this shrink the radius to RADIUS_SHRINK·‖step‖; above RATIO_GOOD with a step near the radius double it. */
const RATIO_POOR = 0.25;
const RATIO_GOOD = 0.75;
const RADIUS_SHRINK = 0.25;
const RADIUS_GROW = 2;
/** A step longer than this fraction of the radius counts as having hit the trust-region boundary. */
const RADIUS_HIT = 0.95;
/** Consecutive trial points with non-finite residuals or Jacobian before giving up. */
const MAX_NON_FINITE_TRIALS = 20;
/** scipy's termination codes, kept internally so that the ftol-and-xtol case stays visible. */
const RUNNING = -1;
const STOP_MAX_EVALUATIONS = 0;
const STOP_GTOL = 1;
const STOP_FTOL = 2;
const STOP_XTOL = 3;
const STOP_FTOL_XTOL = 4;

function statusOf(code: number): MinimizeStatus {
  switch (code) {
    case STOP_GTOL:
      return 'converged-gtol';
    case STOP_FTOL:
    case STOP_FTOL_XTOL:
      return 'converged-ftol';
    case STOP_XTOL:
      return 'converged-xtol';
    default:
      return 'max-evaluations';
  }
}

/**
 * Minimises ½‖r(x)‖² over lower ≤ x ≤ upper from x0 with Trust Region Reflective. `f` in the
 * result is ‖r‖², `cost` ½‖r‖². Never throws for numerical trouble: non-finite residuals or
 * Jacobian at the start give 'non-finite' (f = cost = NaN); too many non-finite trial points in
 * a row give 'non-finite' at the last finite point (f and cost of that point). Throws a
 * RangeError only for inconsistent arguments. `fn` is always called with a Jacobian buffer and
 * must not keep or modify its x (a workspace buffer).
 */
export function trustRegionReflective(
  fn: ResidualsWithJacobian,
  x0: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  m: number,
  options: TrfOptions = {},
  workspace?: TrfWorkspace,
): TrfResult {
  const n = x0.length;
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`trustRegionReflective: m must be a non-negative integer, got ${m}`);
  if (lower.length !== n || upper.length !== n) {
    throw new RangeError(`trustRegionReflective: x0 has ${n} entries but lower has ${lower.length} and upper ${upper.length}`);
  }
  const ws = workspace ?? new TrfWorkspace(n, m);
  if (ws.n !== n || ws.m !== m) throw new RangeError(`trustRegionReflective: workspace is for (n, m) = (${ws.n}, ${ws.m}), problem has (${n}, ${m})`);
  const maxEvaluations = options.maxEvaluations ?? EVALUATIONS_PER_VARIABLE * n;
  if (!(maxEvaluations >= 0)) throw new RangeError(`trustRegionReflective: maxEvaluations must be non-negative, got ${maxEvaluations}`);
  const ftol = options.ftol ?? DEFAULT_TOL;
  const xtol = options.xtol ?? DEFAULT_TOL;
  const gtol = options.gtol ?? DEFAULT_TOL;

  const { lo, hi, g, v, dv, scaleInv, d, diagH, gH, p, pH, step, stepH } = ws;
  let startFinite = true;
  for (let i = 0; i < n; i++) {
    const l = lower[i];
    const u = upper[i];
    if (Number.isNaN(l) || Number.isNaN(u) || !(l < u))
      throw new RangeError(`trustRegionReflective: bounds of variable ${i} are [${l}, ${u}]; lower < upper is required`);
    lo[i] = l;
    hi[i] = u;
    ws.x[i] = Math.min(u, Math.max(l, x0[i]));
    if (!Number.isFinite(ws.x[i])) startFinite = false;
  }

  let evaluations = 0;
  let iterations = 0;
  let sumSq = NaN;
  const finish = (code: number | MinimizeStatus): TrfResult => {
    const status = typeof code === 'number' ? statusOf(code) : code;
    return { x: ws.x.slice(), f: sumSq, cost: 0.5 * sumSq, status, iterations, evaluations };
  };

  if (!startFinite) return finish('non-finite');
  moveInsideStart(ws.x, lo, hi, n);
  if (maxEvaluations < 1) return finish('max-evaluations');
  fn(ws.x, ws.r, ws.J);
  evaluations = 1;
  const sumSq0 = dot(ws.r, ws.r, m);
  if (!Number.isFinite(sumSq0) || !allFinite(ws.J)) return finish('non-finite');
  sumSq = sumSq0;
  let cost = 0.5 * sumSq;
  gradientAndScale(ws, true);

  // The initial radius is ‖x0‖ in hat units (d serves as scratch until the first iteration).
  scalingVector(ws);
  for (let i = 0; i < n; i++) {
    if (dv[i] !== 0) v[i] *= scaleInv[i];
    d[i] = (ws.x[i] * scaleInv[i]) / Math.sqrt(v[i]);
  }
  let delta = norm(d, n);
  if (delta === 0) delta = 1;

  let alpha = 0;
  let code = RUNNING;
  let nonFiniteRun = 0;
  const stall = options.stall;
  let windowStart = 0;
  let windowCost = cost;
  for (;;) {
    scalingVector(ws);
    let gNorm = 0;
    for (let i = 0; i < n; i++) gNorm = Math.max(gNorm, Math.abs(g[i] * v[i]));
    if (gNorm < gtol) code = STOP_GTOL;
    if (code !== RUNNING || evaluations >= maxEvaluations) break;

    // Hat variables: first x_scale (1/column norm), then Coleman–Li in the scaled variables,
    // so v is measured in scaled units wherever it is a distance to a bound.
    for (let i = 0; i < n; i++) {
      const scale = 1 / scaleInv[i];
      if (dv[i] !== 0) v[i] *= scaleInv[i];
      d[i] = Math.sqrt(v[i]) * scale;
      diagH[i] = g[i] * dv[i] * scale;
      gH[i] = d[i] * g[i];
    }
    factorize(ws);
    // Step back from the boundary by at most 0.5%, and by less as the scaled gradient vanishes,
    // which keeps fast local convergence to a solution on a bound.
    const theta = Math.max(MIN_STEP_BACK, 1 - gNorm);

    let actualReduction = -1;
    let costNew = cost;
    let sumSqNew = sumSq;
    while (actualReduction <= 0 && evaluations < maxEvaluations) {
      alpha = trustRegionStep(ws, delta, alpha);
      for (let i = 0; i < n; i++) p[i] = d[i] * pH[i];
      const predictedReduction = selectStep(ws, delta, theta);
      const { xTrial, x } = ws;
      let stepFinite = true;
      for (let i = 0; i < n; i++) {
        xTrial[i] = x[i] + step[i];
        if (!Number.isFinite(xTrial[i])) stepFinite = false;
      }
      const stepHNorm = norm(stepH, n);
      let trialFinite = false;
      if (stepFinite) {
        moveInsideTrial(ws, xTrial);
        fn(xTrial, ws.rTrial, ws.JTrial);
        evaluations++;
        sumSqNew = dot(ws.rTrial, ws.rTrial, m);
        trialFinite = allFinite(ws.rTrial) && allFinite(ws.JTrial);
      }
      if (!trialFinite) {
        delta = RADIUS_SHRINK * (Number.isFinite(stepHNorm) ? stepHNorm : delta);
        if (++nonFiniteRun >= MAX_NON_FINITE_TRIALS) return finish('non-finite');
        continue;
      }
      nonFiniteRun = 0;
      costNew = 0.5 * sumSqNew;
      actualReduction = cost - costNew;

      let ratio = 0;
      if (predictedReduction > 0) ratio = actualReduction / predictedReduction;
      else if (predictedReduction === 0 && actualReduction === 0) ratio = 1;
      let deltaNew = delta;
      if (ratio < RATIO_POOR) deltaNew = RADIUS_SHRINK * stepHNorm;
      else if (ratio > RATIO_GOOD && stepHNorm > RADIUS_HIT * delta) deltaNew = RADIUS_GROW * delta;

      const ftolMet = actualReduction < ftol * cost && ratio > RATIO_POOR;
      const xtolMet = norm(step, n) < xtol * (xtol + norm(x, n));
      if (ftolMet || xtolMet) {
        code = ftolMet && xtolMet ? STOP_FTOL_XTOL : ftolMet ? STOP_FTOL : STOP_XTOL;
        break;
      }
      // Keep α consistent with the new radius: α scales roughly like 1/Δ near the solution.
      alpha *= delta / deltaNew;
      delta = deltaNew;
    }

    if (actualReduction > 0) {
      let t = ws.x;
      ws.x = ws.xTrial;
      ws.xTrial = t;
      t = ws.r;
      ws.r = ws.rTrial;
      ws.rTrial = t;
      t = ws.J;
      ws.J = ws.JTrial;
      ws.JTrial = t;
      cost = costNew;
      sumSq = sumSqNew;
      iterations++;
      gradientAndScale(ws, false);
      if (stall && iterations - windowStart >= stall.window) {
        if (cost > (1 - stall.ratio) * windowCost || 2 * cost > (stall.ceiling ?? Infinity)) return finish('stalled');
        windowStart = iterations;
        windowCost = cost;
      }
    }
  }
  return finish(code === RUNNING ? STOP_MAX_EVALUATIONS : code);
}
