/**
 * Bound-constrained limited-memory quasi-Newton minimisation with L-BFGS-B behaviour
 * (Byrd, Lu, Nocedal & Zhu 1995, with the Morales & Nocedal 2011 subspace step), written to
 * behave like scipy's `minimize(method='L-BFGS-B')`: same compact BFGS matrix, same generalized
 * Cauchy point, same strong-Wolfe line search (Moré–Thuente) and the same stopping rules.
 *
 * Differences from scipy, all deliberate:
 * - a trial point whose value or gradient is not finite is treated as a step that went too far
 *   (the step shrinks and the search goes on) instead of poisoning the line search;
 * - the line search never hands back a point worse than the one it started from (scipy can
 *   accept such a point when the search ends on a warning), so f never increases;
 * - the evaluation budget is a hard cap (scipy checks it only between iterations);
 * - an iteration that both converges and hits `maxIterations` reports convergence.
 *
 * The hot path allocates nothing: every buffer lives in a `BoxWorkspace`, which one fitter
 * reuses across thousands of calls of the same dimension.
 */

import { formT, pushPair } from './lbfgsb/compact.js';
import { LS_ERROR, LS_EVALUATE } from './lbfgsb/more-thuente.js';
import { projectedGradientNorm, searchTarget } from './lbfgsb/subspace.js';
import { BoxWorkspace, DEFAULT_MEMORY, FIXED, FREE } from './lbfgsb/workspace.js';
import type { MinimizeResult, MinimizeStatus } from './types.js';

export { BoxWorkspace };

/** The line search's backtrack limit (maxls). */
const LS_MAX_TRIALS = 20;

export type ObjectiveWithGradient = (x: Float64Array, g: Float64Array) => number; // returns f, writes gradient into g

export interface BoxMinimizeOptions {
  /** Accepted steps before giving up (scipy's `maxiter`). Default 2000. */
  maxIterations?: number;
  /** Objective evaluations before giving up (scipy's `maxfun`), a hard cap here. Default 15000. */
  maxEvaluations?: number;
  /**
   * Stop when `(f_k − f_{k+1}) ≤ ftol · max(|f_k|, |f_{k+1}|, 1)` (scipy's `ftol`, i.e. `factr · eps`).
   * Default 2.220446049250313e-9, scipy's (factr = 1e7).
   */
  ftol?: number;
  /** Stop when `max_i |projected gradient_i| ≤ gtol` (scipy's `gtol`/`pgtol`). Default 1e-5. */
  gtol?: number;
  /** Correction pairs kept (scipy's `maxcor`). Default 10, or the workspace's memory. */
  memory?: number;
  /**
   * How the subspace step is solved: 'auto' (default) takes the reduced-inverse form when it is
   * cheaper, 'direct' always scipy's direct primal method. Both give the same step up to rounding.
   */
  subspace?: 'auto' | 'direct';
}

const DEFAULT_MAX_ITERATIONS = 2000;
const DEFAULT_MAX_EVALUATIONS = 15000;
const DEFAULT_FTOL = 1e7 * Number.EPSILON;
const DEFAULT_GTOL = 1e-5;

const EPS = Number.EPSILON;

/** Upper limit on the step when nothing else limits it (the Fortran code's `big`). */
const BIG_STEP = 1e10;

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** x ← xOld + stp·d, exactly z at the unit step, kept inside the box against rounding. */
function placeTrial(ws: BoxWorkspace, stp: number): void {
  const { x, xOld, d, z, lo, hi } = ws;
  if (stp === 1) {
    x.set(z);
    return;
  }
  for (let i = 0; i < ws.n; i++) x[i] = Math.min(hi[i], Math.max(lo[i], xOld[i] + stp * d[i]));
}

const LS_ACCEPTED = 0;
const LS_FAILED = 1;
const LS_OUT_OF_BUDGET = 2;
/** The search ended normally but on a point no lower than the start (x is back at the start). */
const LS_NO_PROGRESS = 3;
type LineSearchOutcome = typeof LS_ACCEPTED | typeof LS_FAILED | typeof LS_OUT_OF_BUDGET | typeof LS_NO_PROGRESS;

/**
 * Strong-Wolfe search from x along d = z − x. On success x, g, f hold the new point; otherwise
 * they are restored to the starting point (the best trial is remembered in ws.bestStp/bestF).
 */
function lineSearch(
  fg: ObjectiveWithGradient,
  ws: BoxWorkspace,
  firstIteration: boolean,
  constrained: boolean,
  boxed: boolean,
  maxEvaluations: number,
): LineSearchOutcome {
  const { x, g, xOld, gOld, z, d, lo, hi, gBest, search } = ws;
  const n = ws.n;
  let dnorm2 = 0;
  let gd = 0;
  for (let i = 0; i < n; i++) {
    xOld[i] = x[i];
    gOld[i] = g[i];
    d[i] = z[i] - x[i];
    dnorm2 += d[i] * d[i];
    gd += g[i] * d[i];
  }
  ws.fOld = ws.f;
  ws.bestF = ws.f;
  ws.bestStp = 0;
  if (!(gd < 0)) return LS_FAILED;

  let stpmax = BIG_STEP;
  if (constrained) {
    if (firstIteration) {
      stpmax = 1;
    } else {
      for (let i = 0; i < n; i++) {
        const di = d[i];
        if (di < 0 && lo[i] > -Infinity) {
          const room = lo[i] - x[i];
          if (room >= 0) stpmax = 0;
          else if (di * stpmax < room) stpmax = room / di;
        } else if (di > 0 && hi[i] < Infinity) {
          const room = hi[i] - x[i];
          if (room <= 0) stpmax = 0;
          else if (di * stpmax > room) stpmax = room / di;
        }
      }
    }
  }
  // The first direction is a raw gradient whose length says nothing about scale: start with a
  // unit-length step. Later quasi-Newton steps are well scaled, so try the full step.
  let stp = firstIteration && !boxed ? Math.min(1 / Math.sqrt(dnorm2), stpmax) : 1;
  stp = Math.min(stp, stpmax);
  if (search.start(ws.f, gd, stp, 0, stpmax) === LS_ERROR) return LS_FAILED;

  let outcome: LineSearchOutcome = LS_FAILED;
  for (let trials = 0; ; trials++) {
    if (trials >= LS_MAX_TRIALS) break;
    if (ws.evaluations >= maxEvaluations) {
      outcome = LS_OUT_OF_BUDGET;
      break;
    }
    stp = search.stp;
    placeTrial(ws, stp);
    const f = fg(x, g);
    ws.evaluations++;
    if (!Number.isFinite(f) || !allFinite(g)) {
      search.retreat();
      // Retreating until the step no longer moves x would only re-evaluate the start.
      if (stepVanishes(ws, search.stp)) break;
      continue;
    }
    if (f < ws.bestF) {
      ws.bestF = f;
      ws.bestStp = stp;
      gBest.set(g);
    }
    gd = 0;
    for (let i = 0; i < n; i++) gd += g[i] * d[i];
    const task = search.next(f, gd);
    if (task === LS_EVALUATE) continue;
    if (task === LS_ERROR) break;
    // Converged, or ended on a warning (dcsrch's "accept what you have"): take the point only if
    // it does not go uphill; otherwise the best trial, if it improved on the start. scipy would
    // take the uphill point and then stop on its ftol test; we stop there too, from the start.
    if (f <= ws.fOld) {
      ws.f = f;
      return LS_ACCEPTED;
    }
    if (ws.bestF < ws.fOld) {
      moveToBestTrial(ws);
      return LS_ACCEPTED;
    }
    outcome = LS_NO_PROGRESS;
    break;
  }
  x.set(xOld);
  g.set(gOld);
  ws.f = ws.fOld;
  return outcome;
}

/** Whether x + stp·d rounds back to x in every coordinate. */
function stepVanishes(ws: BoxWorkspace, stp: number): boolean {
  const { xOld, d, lo, hi } = ws;
  for (let i = 0; i < ws.n; i++) {
    if (Math.min(hi[i], Math.max(lo[i], xOld[i] + stp * d[i])) !== xOld[i]) return false;
  }
  return true;
}

/** After a failed search (x at its start): move to the best finite trial if it was lower. */
function moveToBestTrial(ws: BoxWorkspace): void {
  if (!(ws.bestF < ws.fOld) || ws.bestStp === 0) return;
  placeTrial(ws, ws.bestStp);
  ws.g.set(ws.gBest);
  ws.f = ws.bestF;
}

/**
 * Minimises fg over lower ≤ x ≤ upper from x0 (projected into the box first). Never throws for
 * numerical trouble: non-finite values are reported through `status`. Throws a RangeError only
 * for inconsistent arguments (lengths, lower > upper, NaN bounds, a workspace of another size).
 * `fg` must not keep or modify the x it is given (it is a workspace buffer).
 */
export function minimizeBox(
  fg: ObjectiveWithGradient,
  x0: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  options: BoxMinimizeOptions = {},
  workspace?: BoxWorkspace,
): MinimizeResult {
  const n = x0.length;
  if (lower.length !== n || upper.length !== n) {
    throw new RangeError(`minimizeBox: x0 has ${n} entries but lower has ${lower.length} and upper ${upper.length}`);
  }
  const memory = options.memory ?? workspace?.memory ?? DEFAULT_MEMORY;
  if (!Number.isInteger(memory) || memory < 1) throw new RangeError(`minimizeBox: memory must be a positive integer, got ${memory}`);
  const ws = workspace ?? new BoxWorkspace(n, memory);
  if (ws.n !== n) throw new RangeError(`minimizeBox: workspace is for ${ws.n} variables, problem has ${n}`);
  if (memory > ws.memory) throw new RangeError(`minimizeBox: memory ${memory} exceeds the workspace's ${ws.memory}`);
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const maxEvaluations = options.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS;
  const ftol = options.ftol ?? DEFAULT_FTOL;
  const gtol = options.gtol ?? DEFAULT_GTOL;
  const direct = options.subspace === 'direct';

  const { x, g, lo, hi, where } = ws;
  let constrained = false;
  let boxed = true;
  let startFinite = true;
  for (let i = 0; i < n; i++) {
    const l = lower[i];
    const u = upper[i];
    if (Number.isNaN(l) || Number.isNaN(u) || l > u) throw new RangeError(`minimizeBox: bounds of variable ${i} are [${l}, ${u}]`);
    lo[i] = l;
    hi[i] = u;
    const hasLower = l > -Infinity;
    const hasUpper = u < Infinity;
    if (hasLower || hasUpper) constrained = true;
    if (!(hasLower && hasUpper)) boxed = false;
    where[i] = l === u ? FIXED : FREE;
    x[i] = Math.min(u, Math.max(l, x0[i]));
    if (!Number.isFinite(x[i])) startFinite = false;
  }

  ws.evaluations = 0;
  let iterations = 0;
  const finish = (status: MinimizeStatus): MinimizeResult => ({
    x: x.slice(),
    f: status === 'non-finite' ? NaN : ws.f,
    status,
    iterations,
    evaluations: ws.evaluations,
  });

  if (!startFinite) return finish('non-finite');
  if (maxEvaluations < 1) {
    ws.f = NaN;
    return finish('max-evaluations');
  }
  ws.f = fg(x, g);
  ws.evaluations = 1;
  if (!Number.isFinite(ws.f) || !allFinite(g)) return finish('non-finite');
  if (projectedGradientNorm(ws) <= gtol) return finish('converged-gtol');

  let col = 0;
  let theta = 1;
  for (;;) {
    if (iterations >= maxIterations) return finish('max-iterations');
    if (ws.evaluations >= maxEvaluations) return finish('max-evaluations');

    if (!searchTarget(ws, col, theta, constrained, direct)) {
      if (col === 0) return finish('line-search-failed');
      col = 0;
      theta = 1;
      continue;
    }
    const outcome = lineSearch(fg, ws, iterations === 0, constrained, boxed, maxEvaluations);
    if (outcome === LS_OUT_OF_BUDGET) {
      moveToBestTrial(ws);
      return finish('max-evaluations');
    }
    if (outcome === LS_FAILED) {
      // With curvature pairs, the model may be what misled the search: forget them and retry
      // from a steepest-descent model. Without any, there is nothing left to try.
      if (col === 0) {
        moveToBestTrial(ws);
        return finish('line-search-failed');
      }
      col = 0;
      theta = 1;
      continue;
    }
    iterations++;
    if (outcome === LS_NO_PROGRESS) return finish('no-progress');

    if (projectedGradientNorm(ws) <= gtol) return finish('converged-gtol');
    const fOld = ws.fOld;
    const f = ws.f;
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) return finish('converged-ftol');

    // Keep the pair only with positive curvature relative to the descent it came from,
    // s·y > ε·(−g_old·s) (the Fortran code's dr > epsmch·ddum), so B stays positive definite;
    // s·y > 0 follows from it along a descent step and is asked for in case s was not one.
    // Measuring it against ‖y‖² instead would drop the first pair after a start whose gradient
    // is huge, and with it the scale θ = y·y/s·y that keeps the next step short.
    let sy = 0;
    let yy = 0;
    let descent = 0;
    for (let i = 0; i < n; i++) {
      const s = x[i] - ws.xOld[i];
      const y = g[i] - ws.gOld[i];
      sy += s * y;
      yy += y * y;
      descent -= ws.gOld[i] * s;
    }
    if (!(sy > EPS * descent && sy > 0) || !Number.isFinite(yy)) continue;
    col = pushPair(ws, col, memory);
    theta = yy / sy;
    if (!formT(ws, col, theta)) {
      col = 0;
      theta = 1;
    }
  }
}
