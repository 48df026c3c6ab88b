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

import type { MinimizeResult, MinimizeStatus } from './types.js';

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
const DEFAULT_MEMORY = 10;

const EPS = Number.EPSILON;

/** Line-search constants of L-BFGS-B (dcsrch's ftol, gtol, xtol) and its backtrack limit (maxls). */
const LS_FTOL = 1e-3;
const LS_GTOL = 0.9;
const LS_XTOL = 0.1;
const LS_MAX_TRIALS = 20;
/** Upper limit on the step when nothing else limits it (the Fortran code's `big`). */
const BIG_STEP = 1e10;

/** Where a variable sits relative to its bounds (the Fortran code's `iwhere`). */
const FREE = 0;
const AT_LOWER = 1;
const AT_UPPER = 2;
const FIXED = 3;

// ---------------------------------------------------------------------------------------------
// Moré–Thuente line search (the dcsrch/dcstep pair), as a resumable state machine so that the
// caller owns the evaluations and can intervene when a trial is not finite.

const LS_EVALUATE = 0;
const LS_CONVERGED = 1;
const LS_WARNING = 2;
const LS_ERROR = 3;
type LsTask = typeof LS_EVALUATE | typeof LS_CONVERGED | typeof LS_WARNING | typeof LS_ERROR;

class StrongWolfeSearch {
  /** The step to evaluate next (or the accepted one once the search has ended). */
  stp = 0;
  private stpmin = 0;
  private stpmax = 0;
  private brackt = false;
  private stage = 1;
  private finit = 0;
  private ginit = 0;
  private gtest = 0;
  private width = 0;
  private width1 = 0;
  private stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  private stmin = 0;
  private stmax = 0;
  private retreats = 0;

  start(f: number, g: number, stp: number, stpmin: number, stpmax: number): LsTask {
    if (!(stp >= stpmin) || !(stp <= stpmax) || !(stpmax > stpmin) || !(g < 0)) return LS_ERROR;
    this.stp = stp;
    this.stpmin = stpmin;
    this.stpmax = stpmax;
    this.brackt = false;
    this.stage = 1;
    this.finit = f;
    this.ginit = g;
    this.gtest = LS_FTOL * g;
    this.width = stpmax - stpmin;
    this.width1 = this.width / 0.5;
    this.stx = 0;
    this.fx = f;
    this.gx = g;
    this.sty = 0;
    this.fy = f;
    this.gy = g;
    this.stmin = 0;
    this.stmax = stp + 4 * stp;
    this.retreats = 0;
    return LS_EVALUATE;
  }

  /** Feeds f and the directional derivative g at `stp`; either ends the search or sets the next `stp`. */
  next(f: number, g: number): LsTask {
    const ftest = this.finit + this.stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;

    let task: LsTask = LS_EVALUATE;
    if (this.brackt && (this.stp <= this.stmin || this.stp >= this.stmax)) task = LS_WARNING;
    if (this.brackt && this.stmax - this.stmin <= LS_XTOL * this.stmax) task = LS_WARNING;
    if (this.stp === this.stpmax && f <= ftest && g <= this.gtest) task = LS_WARNING;
    if (this.stp === this.stpmin && (f > ftest || g >= this.gtest)) task = LS_WARNING;
    if (f <= ftest && Math.abs(g) <= LS_GTOL * -this.ginit) task = LS_CONVERGED;
    if (task !== LS_EVALUATE) return task;

    // Until a step with sufficient decrease and g ≥ 0 is seen, interpolate the function shifted by
    // the sufficient-decrease line: it keeps the search from settling on a point that fails it.
    if (this.stage === 1 && f <= this.fx && f > ftest) {
      const gtest = this.gtest;
      this.fx -= this.stx * gtest;
      this.fy -= this.sty * gtest;
      this.gx -= gtest;
      this.gy -= gtest;
      this.step(f - this.stp * gtest, g - gtest);
      this.fx += this.stx * gtest;
      this.fy += this.sty * gtest;
      this.gx += gtest;
      this.gy += gtest;
    } else {
      this.step(f, g);
    }

    // Force enough shrinkage of the bracket; otherwise bisect.
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) this.stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
    }
    if (this.brackt) {
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = this.stp + 1.1 * (this.stp - this.stx);
      this.stmax = this.stp + 4 * (this.stp - this.stx);
    }
    this.stp = Math.min(Math.max(this.stp, this.stpmin), this.stpmax);
    if ((this.brackt && (this.stp <= this.stmin || this.stp >= this.stmax)) || (this.brackt && this.stmax - this.stmin <= LS_XTOL * this.stmax)) {
      this.stp = this.stx;
    }
    // Interpolation of values that lost all precision can yield NaN; bisect or stay put instead.
    if (!Number.isFinite(this.stp)) this.stp = this.brackt ? 0.5 * (this.stx + this.sty) : Math.min(this.stpmax, Math.max(this.stpmin, this.stx));
    return LS_EVALUATE;
  }

  /**
   * The trial at `stp` was not finite: treat it as a step too long. Retreat towards the best step
   * so far (halfway the first time, to a tenth after that) and, when the bad step lay beyond it
   * and nothing is bracketed yet, never extrapolate past the retreat point again.
   */
  retreat(): void {
    const bad = this.stp;
    this.retreats++;
    const factor = this.retreats === 1 ? 0.5 : 0.1;
    const next = this.stx + factor * (bad - this.stx);
    if (!this.brackt && bad > this.stx && next > this.stpmin) this.stpmax = Math.min(this.stpmax, next);
    this.stp = next;
  }

  /** One safeguarded cubic/quadratic step (dcstep): updates the bracket and proposes the next step. */
  private step(fp: number, dp: number): void {
    const { stx, fx, sty, fy, stp, stmin, stmax } = this;
    const dx = this.gx;
    const dy = this.gy;
    const sgnd = dp * Math.sign(dx);
    let stpf: number;

    if (fp > fx) {
      // Higher value: the minimum is bracketed; take the cubic step unless it is farther than the
      // quadratic one from the best point.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp < stx) gamma = -gamma;
      const p = gamma - dx + theta;
      const q = gamma - dx + gamma + dp;
      const stpc = stx + (p / q) * (stp - stx);
      const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
      stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
      this.brackt = true;
    } else if (sgnd < 0) {
      // Derivatives of opposite sign: bracketed; take the step farther from stp (cubic or secant).
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dx;
      const stpc = stp + (p / q) * (stx - stp);
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      this.brackt = true;
    } else if (Math.abs(dp) < Math.abs(dx)) {
      // Same sign, derivative decreasing in magnitude: the cubic may not have a minimiser in the
      // right direction, in which case extrapolate to the limit.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma + (dx - dp) + gamma;
      const r = p / q;
      let stpc: number;
      if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
      else stpc = stp > stx ? stmax : stmin;
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      if (this.brackt) {
        stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
        stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
      } else {
        stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
        stpf = Math.max(stmin, Math.min(stmax, stpf));
      }
    } else if (this.brackt) {
      // Same sign, derivative not decreasing: minimise the cubic through stp and sty.
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dy / s) * (dp / s)));
      if (stp > sty) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      stpf = stp + (p / q) * (sty - stp);
    } else {
      stpf = stp > stx ? stmax : stmin;
    }

    if (fp > fx) {
      this.sty = stp;
      this.fy = fp;
      this.gy = dp;
    } else {
      if (sgnd < 0) {
        this.sty = stx;
        this.fy = fx;
        this.gy = dx;
      }
      this.stx = stp;
      this.fx = fp;
      this.gx = dp;
    }
    this.stp = stpf;
  }
}

// ---------------------------------------------------------------------------------------------

/** Preallocated buffers for `minimizeBox`; reuse one across many calls of the same dimension. */
export class BoxWorkspace {
  readonly n: number;
  /** Capacity for correction pairs; a call may use fewer (`options.memory`). */
  readonly memory: number;

  /** @internal current iterate and its gradient */
  readonly x: Float64Array;
  /** @internal */
  readonly g: Float64Array;
  /** @internal iterate and gradient at the start of the line search */
  readonly xOld: Float64Array;
  /** @internal */
  readonly gOld: Float64Array;
  /** @internal Cauchy point, then the subspace minimiser (the line search's target) */
  readonly z: Float64Array;
  /** @internal Cauchy path direction, then the search direction */
  readonly d: Float64Array;
  /** @internal Cauchy point saved while the subspace step is projected */
  readonly zc: Float64Array;
  /** @internal reduced gradient, then the subspace step, on the free variables */
  readonly r: Float64Array;
  /** @internal gradient at the best trial of the current line search */
  readonly gBest: Float64Array;
  /** @internal */
  readonly lo: Float64Array;
  /** @internal */
  readonly hi: Float64Array;
  /** @internal FREE / AT_LOWER / AT_UPPER / FIXED */
  readonly where: Int8Array;
  /** @internal breakpoints of the projected-gradient path */
  readonly brkT: Float64Array;
  /** @internal */
  readonly brkIdx: Int32Array;
  /** @internal free variables at the Cauchy point */
  readonly freeIdx: Int32Array;

  /** @internal corrections s_j, y_j as rows (memory × n), oldest first */
  readonly S: Float64Array;
  /** @internal */
  readonly Y: Float64Array;
  /** @internal SY[i, j] = s_i·y_j (lower triangle used), SS[i, j] = s_i·s_j; stride = memory */
  readonly SY: Float64Array;
  /** @internal */
  readonly SS: Float64Array;
  /** @internal YᵀY over all variables (full m × m), kept up to date pair by pair */
  readonly YY: Float64Array;
  /** @internal SᵀY over all variables (full m × m: SYF[i·m + j] = s_i·y_j) */
  readonly SYF: Float64Array;
  /** @internal indices of the variables not free in the subspace step */
  readonly activeIdx: Int32Array;
  /** @internal Cholesky factor of θ·SᵀS + L·D⁻¹·Lᵀ (the middle matrix's Schur complement) */
  readonly T: Float64Array;
  /** @internal factors of the subspace system's middle matrix */
  readonly L1: Float64Array;
  /** @internal */
  readonly X: Float64Array;
  /** @internal */
  readonly L2: Float64Array;
  /** @internal vectors of length 2·memory */
  readonly p: Float64Array;
  /** @internal */
  readonly c: Float64Array;
  /** @internal */
  readonly v: Float64Array;
  /** @internal */
  readonly wbp: Float64Array;
  /** @internal */
  readonly u: Float64Array;
  /** @internal H·[r; 0] over all variables (the reduced-inverse subspace step) */
  readonly hr: Float64Array;
  /** @internal 1/(s_i·y_i), refreshed with T: the products with M and H multiply by it */
  readonly invD: Float64Array;
  /** @internal rows H·e_a for the active variables a (nact × n) */
  readonly HA: Float64Array;
  /** @internal Cholesky factor of H restricted to the active variables (nact × nact) */
  readonly HAA: Float64Array;
  /** @internal */
  readonly wa: Float64Array;

  /** @internal */
  readonly search = new StrongWolfeSearch();
  /** @internal per-call scalars */
  f = 0;
  /** @internal */
  fOld = 0;
  /** @internal */
  evaluations = 0;
  /** @internal best finite trial of the current line search (step and value) */
  bestStp = 0;
  /** @internal */
  bestF = 0;

  constructor(n: number, memory: number = DEFAULT_MEMORY) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`BoxWorkspace: dimension must be a non-negative integer, got ${n}`);
    if (!Number.isInteger(memory) || memory < 1) throw new RangeError(`BoxWorkspace: memory must be a positive integer, got ${memory}`);
    this.n = n;
    this.memory = memory;
    const vec = (): Float64Array => new Float64Array(n);
    this.x = vec();
    this.g = vec();
    this.xOld = vec();
    this.gOld = vec();
    this.z = vec();
    this.d = vec();
    this.zc = vec();
    this.r = vec();
    this.gBest = vec();
    this.lo = vec();
    this.hi = vec();
    this.where = new Int8Array(n);
    this.brkT = vec();
    this.brkIdx = new Int32Array(n);
    this.freeIdx = new Int32Array(n);
    this.S = new Float64Array(memory * n);
    this.Y = new Float64Array(memory * n);
    const mm = (): Float64Array => new Float64Array(memory * memory);
    this.SY = mm();
    this.SS = mm();
    this.YY = mm();
    this.SYF = mm();
    this.activeIdx = new Int32Array(n);
    this.T = mm();
    this.L1 = mm();
    this.X = mm();
    this.L2 = mm();
    const m2 = (): Float64Array => new Float64Array(2 * memory);
    this.p = m2();
    this.c = m2();
    this.v = m2();
    this.wbp = m2();
    this.u = m2();
    this.hr = vec();
    this.invD = new Float64Array(memory);
    this.HA = new Float64Array(n * n);
    this.HAA = new Float64Array(n * n);
    this.wa = vec();
  }
}

// ---------------------------------------------------------------------------------------------
// Small dense helpers on row-major k × k blocks with a given stride. In-place, no allocation.

/** Lower Cholesky factor of the symmetric block in A (lower triangle read); false if not positive definite. */
function cholesky(A: Float64Array, k: number, stride: number): boolean {
  for (let j = 0; j < k; j++) {
    let djj = A[j * stride + j];
    for (let q = 0; q < j; q++) djj -= A[j * stride + q] ** 2;
    if (!(djj > 0) || !Number.isFinite(djj)) return false;
    const ljj = Math.sqrt(djj);
    A[j * stride + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * stride + j];
      for (let q = 0; q < j; q++) s -= A[i * stride + q] * A[j * stride + q];
      A[i * stride + j] = s / ljj;
    }
  }
  return true;
}

/** v[off..off+k) ← L⁻¹ v (L lower triangular). */
function solveLower(L: Float64Array, k: number, stride: number, v: Float64Array, off: number): void {
  for (let i = 0; i < k; i++) {
    let s = v[off + i];
    for (let q = 0; q < i; q++) s -= L[i * stride + q] * v[off + q];
    v[off + i] = s / L[i * stride + i];
  }
}

/** v[off..off+k) ← L⁻ᵀ v (L lower triangular). */
function solveLowerT(L: Float64Array, k: number, stride: number, v: Float64Array, off: number): void {
  for (let i = k - 1; i >= 0; i--) {
    let s = v[off + i];
    for (let q = i + 1; q < k; q++) s -= L[q * stride + i] * v[off + q];
    v[off + i] = s / L[i * stride + i];
  }
}

// ---------------------------------------------------------------------------------------------
// The compact limited-memory BFGS matrix  B = θI − W·M·Wᵀ,  W = [Y, θS],
// M⁻¹ = [[−D, Lᵀ], [L, θSᵀS]],  D = diag(s_i·y_i),  L = strict lower triangle of SᵀY.

/**
 * T ← Cholesky(θ·SᵀS + L·D⁻¹·Lᵀ): the Schur complement that turns products with M into two
 * triangular solves. False if it is not numerically positive definite.
 */
function formT(ws: BoxWorkspace, col: number, theta: number): boolean {
  const { SY, SS, T, invD } = ws;
  const m = ws.memory;
  for (let k = 0; k < col; k++) invD[k] = 1 / SY[k * m + k];
  for (let i = 0; i < col; i++) {
    for (let j = 0; j <= i; j++) {
      let t = theta * SS[i * m + j];
      for (let k = 0; k < j; k++) t += SY[i * m + k] * SY[j * m + k] * invD[k];
      T[i * m + j] = t;
    }
  }
  return cholesky(T, col, m);
}

/**
 * out ← M·v (length 2·col) from the block factorisation
 * M⁻¹ = [[I, 0], [−LD⁻¹, I]] · diag(−D, T) · [[I, −D⁻¹Lᵀ], [0, I]].
 */
function applyM(ws: BoxWorkspace, col: number, v: Float64Array, out: Float64Array): void {
  const { SY, T, invD } = ws;
  const m = ws.memory;
  for (let i = 0; i < col; i++) {
    let s = v[col + i];
    for (let k = 0; k < i; k++) s += SY[i * m + k] * v[k] * invD[k];
    out[col + i] = s;
  }
  solveLower(T, col, m, out, col);
  solveLowerT(T, col, m, out, col);
  for (let i = 0; i < col; i++) {
    let s = -v[i];
    for (let k = i + 1; k < col; k++) s += SY[k * m + i] * out[col + k];
    out[i] = s * invD[i];
  }
}

/** Appends the pair (s, y) = (x − xOld, g − gOld), dropping the oldest when full; returns the new count. */
function pushPair(ws: BoxWorkspace, col: number, memory: number): number {
  const { S, Y, SY, SS, YY, SYF, x, xOld, g, gOld } = ws;
  const n = ws.n;
  const m = ws.memory;
  let k = col;
  if (col === memory) {
    S.copyWithin(0, n, memory * n);
    Y.copyWithin(0, n, memory * n);
    for (let i = 0; i < memory - 1; i++) {
      for (let j = 0; j <= i; j++) SY[i * m + j] = SY[(i + 1) * m + j + 1];
      for (let j = 0; j < memory - 1; j++) {
        SS[i * m + j] = SS[(i + 1) * m + j + 1];
        YY[i * m + j] = YY[(i + 1) * m + j + 1];
        SYF[i * m + j] = SYF[(i + 1) * m + j + 1];
      }
    }
    k = memory - 1;
  }
  const off = k * n;
  for (let i = 0; i < n; i++) {
    S[off + i] = x[i] - xOld[i];
    Y[off + i] = g[i] - gOld[i];
  }
  // the full-space products let the subspace step work in O(m²) per iteration instead of O(m²n)
  for (let j = 0; j <= k; j++) {
    let sy = 0;
    let ys = 0;
    let ss = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      sy += S[off + i] * Y[j * n + i];
      ys += Y[off + i] * S[j * n + i];
      ss += S[off + i] * S[j * n + i];
      yy += Y[off + i] * Y[j * n + i];
    }
    SY[k * m + j] = sy;
    SS[k * m + j] = ss;
    SS[j * m + k] = ss;
    YY[k * m + j] = yy;
    YY[j * m + k] = yy;
    SYF[k * m + j] = sy;
    SYF[j * m + k] = ys;
  }
  return k + 1;
}

// ---------------------------------------------------------------------------------------------

/** max_i |x_i − P(x − g)_i|: the gradient with the components that point out of the box cut to the room left. */
function projectedGradientNorm(ws: BoxWorkspace): number {
  const { x, g, lo, hi } = ws;
  let norm = 0;
  for (let i = 0; i < ws.n; i++) {
    let gi = g[i];
    if (gi < 0) {
      if (hi[i] < Infinity) gi = Math.max(x[i] - hi[i], gi);
    } else if (lo[i] > -Infinity) {
      gi = Math.min(x[i] - lo[i], gi);
    }
    norm = Math.max(norm, Math.abs(gi));
  }
  return norm;
}

/**
 * Generalized Cauchy point: the first local minimiser of the quadratic model along the projected
 * steepest-descent path x(t) = P(x − t·g), found by walking its breakpoints in order. Writes it
 * to z, marks the variables it pinned in `where`, and leaves c = Wᵀ(z − x).
 */
function cauchyPoint(ws: BoxWorkspace, col: number, theta: number): void {
  const { x, g, lo, hi, z, d, where, brkT, brkIdx, p, c, v, wbp, S, Y } = ws;
  const n = ws.n;
  const col2 = 2 * col;
  for (let j = 0; j < col2; j++) {
    p[j] = 0;
    c[j] = 0;
  }
  let f1 = 0;
  let nbreak = 0;
  let moving = 0;
  // Whether every moving variable eventually hits a bound (the path ends at a vertex).
  let bounded = true;
  for (let i = 0; i < n; i++) {
    const neg = -g[i];
    if (where[i] !== FIXED) {
      where[i] = FREE;
      if (x[i] <= lo[i]) {
        if (neg <= 0) where[i] = AT_LOWER;
      } else if (x[i] >= hi[i]) {
        if (neg >= 0) where[i] = AT_UPPER;
      }
    }
    if (where[i] !== FREE || neg === 0) {
      d[i] = 0;
      continue;
    }
    d[i] = neg;
    moving++;
    f1 -= neg * neg;
    for (let j = 0; j < col; j++) {
      p[j] += Y[j * n + i] * neg;
      p[col + j] += S[j * n + i] * neg;
    }
    if (neg < 0 && lo[i] > -Infinity) {
      brkT[nbreak] = (x[i] - lo[i]) / -neg;
      brkIdx[nbreak++] = i;
    } else if (neg > 0 && hi[i] < Infinity) {
      brkT[nbreak] = (hi[i] - x[i]) / neg;
      brkIdx[nbreak++] = i;
    } else {
      bounded = false;
    }
  }
  for (let j = 0; j < col; j++) p[col + j] *= theta;
  z.set(x);
  if (moving === 0) return;

  // f1, f2: first and second derivative of the model along the current segment.
  let f2 = -theta * f1;
  // The model's curvature must stay positive; rounding in the updates below could flip it.
  const f2Floor = EPS * f2;
  if (col > 0) {
    applyM(ws, col, p, v);
    for (let j = 0; j < col2; j++) f2 -= v[j] * p[j];
  }
  let dtm = -f1 / f2;
  let tsum = 0;
  let allPinned = false;

  if (nbreak > 0) {
    let nleft = nbreak;
    let tj = 0;
    for (;;) {
      const tj0 = tj;
      // Next breakpoint by a linear scan: the problems here are small and usually need only one.
      let kmin = 0;
      for (let k = 1; k < nleft; k++) if (brkT[k] < brkT[kmin]) kmin = k;
      tj = brkT[kmin];
      const ibp = brkIdx[kmin];
      brkT[kmin] = brkT[nleft - 1];
      brkIdx[kmin] = brkIdx[nleft - 1];
      const dt = tj - tj0;
      if (dtm < dt) break;

      tsum += dt;
      nleft--;
      const dibp = d[ibp];
      d[ibp] = 0;
      let zibp: number;
      if (dibp > 0) {
        zibp = hi[ibp] - x[ibp];
        z[ibp] = hi[ibp];
        where[ibp] = AT_UPPER;
      } else {
        zibp = lo[ibp] - x[ibp];
        z[ibp] = lo[ibp];
        where[ibp] = AT_LOWER;
      }
      if (nleft === 0 && nbreak === n) {
        dtm = dt;
        allPinned = true;
        break;
      }
      const dibp2 = dibp * dibp;
      f1 = f1 + dt * f2 + dibp2 - theta * dibp * zibp;
      f2 -= theta * dibp2;
      if (col > 0) {
        for (let j = 0; j < col2; j++) c[j] += dt * p[j];
        for (let j = 0; j < col; j++) {
          wbp[j] = Y[j * n + ibp];
          wbp[col + j] = theta * S[j * n + ibp];
        }
        applyM(ws, col, wbp, v);
        let wmc = 0;
        let wmp = 0;
        let wmw = 0;
        for (let j = 0; j < col2; j++) {
          wmc += c[j] * v[j];
          wmp += p[j] * v[j];
          wmw += wbp[j] * v[j];
        }
        for (let j = 0; j < col2; j++) p[j] -= dibp * wbp[j];
        f1 += dibp * wmc;
        f2 += 2 * dibp * wmp - dibp2 * wmw;
      }
      f2 = Math.max(f2Floor, f2);
      if (nleft > 0) {
        dtm = -f1 / f2;
        continue;
      }
      dtm = bounded ? 0 : -f1 / f2;
      break;
    }
  }

  if (!allPinned) {
    if (!(dtm > 0)) dtm = 0;
    tsum += dtm;
    for (let i = 0; i < n; i++) {
      if (d[i] !== 0) z[i] = Math.min(hi[i], Math.max(lo[i], x[i] + tsum * d[i]));
    }
  }
  if (col > 0) for (let j = 0; j < col2; j++) c[j] += dtm * p[j];
}

/**
 * Minimises the quadratic model over the variables left free at the Cauchy point, then keeps the
 * result in the box: projection if that still gives descent, otherwise the longest feasible
 * fraction of the step. With few variables active (and not `direct`) through the inverse
 * (`reducedInverseStep`); otherwise by scipy's direct primal method, Sherman–Morrison–Woodbury on
 * the reduced matrix θI − VMVᵀ, V = ZᵀW. Expects r = −Zᵀ(g + B(z − x)) on entry; updates z.
 * False if the middle matrix is not numerically factorisable (the caller then drops the memory).
 */
function subspaceStep(ws: BoxWorkspace, col: number, theta: number, nfree: number, direct: boolean): boolean {
  const { S, Y, SY, L1, X, L2, u, freeIdx, r, where, YY, SYF, activeIdx } = ws;
  const n = ws.n;
  const m = ws.memory;
  let nact = 0;
  for (let k = 0; k < n; k++) if (where[k] !== FREE) activeIdx[nact++] = k;

  if (!direct && reducedInverseCheaper(n, nact, col) && reducedInverseStep(ws, col, theta, nfree, nact)) {
    keepInBox(ws, nfree);
    return true;
  }

  // K = M⁻¹ − VᵀV/θ = [[−(D + YᵀZZᵀY/θ), Lᵀ − YᵀZZᵀS], [L − SᵀZZᵀY, θ·SᵀAAᵀS]]
  // = [[L1, 0], [−Xᵀ, L2]] · diag(−I, I) · [[L1ᵀ, −X], [0, L2ᵀ]].
  // Products over the free variables = full-space products minus the few active variables.
  for (let i = 0; i < col; i++) {
    for (let j = 0; j <= i; j++) {
      let yy = YY[i * m + j];
      for (let a = 0; a < nact; a++) {
        const k = activeIdx[a];
        yy -= Y[i * n + k] * Y[j * n + k];
      }
      L1[i * m + j] = yy / theta + (i === j ? SY[i * m + i] : 0);
    }
  }
  if (!cholesky(L1, col, m)) return false;
  // X ← L1⁻¹ (Lᵀ − YᵀZZᵀS), column by column.
  for (let i = 0; i < col; i++) {
    for (let j = 0; j < col; j++) {
      let ys = SYF[j * m + i];
      for (let a = 0; a < nact; a++) {
        const k = activeIdx[a];
        ys -= Y[i * n + k] * S[j * n + k];
      }
      X[i * m + j] = (j > i ? SY[j * m + i] : 0) - ys;
    }
  }
  for (let j = 0; j < col; j++) {
    for (let i = 0; i < col; i++) {
      let s = X[i * m + j];
      for (let q = 0; q < i; q++) s -= L1[i * m + q] * X[q * m + j];
      X[i * m + j] = s / L1[i * m + i];
    }
  }
  // L2 ← Cholesky(θ·SᵀAAᵀS + XᵀX); the active part is summed directly to avoid cancellation.
  for (let i = 0; i < col; i++) {
    for (let j = 0; j <= i; j++) {
      let sas = 0;
      for (let a = 0; a < nact; a++) {
        const k = activeIdx[a];
        sas += S[i * n + k] * S[j * n + k];
      }
      let xx = 0;
      for (let q = 0; q < col; q++) xx += X[q * m + i] * X[q * m + j];
      L2[i * m + j] = theta * sas + xx;
    }
  }
  if (!cholesky(L2, col, m)) return false;

  // u = K⁻¹ Vᵀ r.
  for (let j = 0; j < col; j++) {
    let wy = 0;
    let wsum = 0;
    for (let q = 0; q < nfree; q++) {
      const k = freeIdx[q];
      wy += Y[j * n + k] * r[q];
      wsum += S[j * n + k] * r[q];
    }
    u[j] = wy;
    u[col + j] = theta * wsum;
  }
  solveLower(L1, col, m, u, 0);
  for (let i = 0; i < col; i++) {
    let s = u[col + i];
    for (let q = 0; q < col; q++) s += X[q * m + i] * u[q];
    u[col + i] = s;
  }
  solveLower(L2, col, m, u, col);
  solveLowerT(L2, col, m, u, col);
  for (let i = 0; i < col; i++) {
    let s = -u[i];
    for (let q = 0; q < col; q++) s += X[i * m + q] * u[col + q];
    u[i] = s;
  }
  solveLowerT(L1, col, m, u, 0);

  // Subspace step  d̂ = r/θ + V·u/θ²  (written over r).
  const invTheta = 1 / theta;
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    let vu = 0;
    for (let j = 0; j < col; j++) vu += Y[j * n + k] * u[j] + theta * S[j * n + k] * u[col + j];
    r[q] = r[q] * invTheta + vu * invTheta * invTheta;
  }

  keepInBox(ws, nfree);
  return true;
}

/**
 * v[off..off+n) ← H·v, H = B⁻¹, by the two-loop recursion. The inverse of the compact matrix B
 * (B₀ = θI and the stored pairs) is the L-BFGS matrix built from H₀ = I/θ and the same pairs.
 */
function applyInverse(ws: BoxWorkspace, col: number, theta: number, v: Float64Array, off: number): void {
  const { S, Y, u, invD } = ws;
  const n = ws.n;
  for (let j = col - 1; j >= 0; j--) {
    let sv = 0;
    for (let i = 0; i < n; i++) sv += S[j * n + i] * v[off + i];
    const a = sv * invD[j];
    u[j] = a;
    for (let i = 0; i < n; i++) v[off + i] -= a * Y[j * n + i];
  }
  const invTheta = 1 / theta;
  for (let i = 0; i < n; i++) v[off + i] *= invTheta;
  for (let j = 0; j < col; j++) {
    let yv = 0;
    for (let i = 0; i < n; i++) yv += Y[j * n + i] * v[off + i];
    const c = u[j] - yv * invD[j];
    for (let i = 0; i < n; i++) v[off + i] += c * S[j * n + i];
  }
}

/**
 * Whether the reduced-inverse step below costs fewer flops than the direct primal method:
 * (nact + 1) two-loop passes of 4·col·n against about 2·col³ + 2·col²·nact.
 */
function reducedInverseCheaper(n: number, nact: number, col: number): boolean {
  return 4 * col * n * (nact + 1) < 2 * col * col * (col + nact);
}

/**
 * r ← (ZᵀBZ)⁻¹r, the same subspace step as the direct method's, from H = B⁻¹ and the block
 * inverse (B_FF)⁻¹ = H_FF − H_FA·H_AA⁻¹·H_AF over the free (F) and active (A) variables: one
 * two-loop pass per active variable and one for r, cheap when few are active. Expects the `nact`
 * active variables in `activeIdx`. False when H_AA is not numerically positive definite (the caller
 * then takes the direct method).
 */
function reducedInverseStep(ws: BoxWorkspace, col: number, theta: number, nfree: number, nact: number): boolean {
  const { r, freeIdx, activeIdx, hr, HA, HAA, wa } = ws;
  const n = ws.n;
  hr.fill(0);
  for (let q = 0; q < nfree; q++) hr[freeIdx[q]] = r[q];
  applyInverse(ws, col, theta, hr, 0);
  if (nact > 0) {
    HA.fill(0, 0, nact * n);
    for (let a = 0; a < nact; a++) {
      HA[a * n + activeIdx[a]] = 1;
      applyInverse(ws, col, theta, HA, a * n);
    }
    for (let i = 0; i < nact; i++) {
      for (let j = 0; j <= i; j++) HAA[i * nact + j] = HA[i * n + activeIdx[j]];
      wa[i] = hr[activeIdx[i]];
    }
    if (!cholesky(HAA, nact, nact)) return false;
    solveLower(HAA, nact, nact, wa, 0);
    solveLowerT(HAA, nact, nact, wa, 0);
  }
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    let d = hr[k];
    for (let i = 0; i < nact; i++) d -= wa[i] * HA[i * n + k];
    r[q] = d;
  }
  return true;
}

/**
 * z ← z + d̂ on the free variables (d̂ in r), kept in the box: projection if that still gives
 * descent from x, otherwise the longest feasible fraction of the step.
 */
function keepInBox(ws: BoxWorkspace, nfree: number): void {
  const { freeIdx, r, z, zc, x, g, lo, hi } = ws;
  const n = ws.n;
  // Projection first: it keeps the full Newton-like step on the coordinates that stay inside.
  let clipped = false;
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    zc[k] = z[k];
    let t = z[k] + r[q];
    if (t <= lo[k]) {
      t = lo[k];
      clipped = true;
    } else if (t >= hi[k]) {
      t = hi[k];
      clipped = true;
    }
    z[k] = t;
  }
  if (!clipped) return;
  let dd = 0;
  for (let i = 0; i < n; i++) dd += (z[i] - x[i]) * g[i];
  if (dd <= 0) return;

  // The projected point is not a descent direction from x: fall back to the longest step from
  // the Cauchy point along d̂ that stays feasible.
  for (let q = 0; q < nfree; q++) z[freeIdx[q]] = zc[freeIdx[q]];
  let alpha = 1;
  let ibd = -1;
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    const dk = r[q];
    let limit = alpha;
    if (dk < 0 && lo[k] > -Infinity) {
      const room = lo[k] - z[k];
      if (room >= 0) limit = 0;
      else if (dk * alpha < room) limit = room / dk;
    } else if (dk > 0 && hi[k] < Infinity) {
      const room = hi[k] - z[k];
      if (room <= 0) limit = 0;
      else if (dk * alpha > room) limit = room / dk;
    }
    if (limit < alpha) {
      alpha = limit;
      ibd = q;
    }
  }
  if (alpha < 1 && ibd >= 0) {
    const k = freeIdx[ibd];
    z[k] = r[ibd] > 0 ? hi[k] : lo[k];
    r[ibd] = 0;
  }
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    z[k] = Math.min(hi[k], Math.max(lo[k], z[k] + alpha * r[q]));
  }
}

/**
 * The point the line search aims at (z): Cauchy point plus subspace minimisation, or the plain
 * quasi-Newton step when nothing is bounded. False when the algebra broke down or z is not finite.
 */
function searchTarget(ws: BoxWorkspace, col: number, theta: number, constrained: boolean, direct: boolean): boolean {
  const { x, g, z, r, freeIdx, where, c, v, S, Y } = ws;
  const n = ws.n;
  let nfree = 0;
  if (!constrained && col > 0) {
    // Nothing can become active, so the Cauchy point adds nothing: minimise the model from x.
    z.set(x);
    for (let i = 0; i < n; i++) {
      freeIdx[nfree] = i;
      r[nfree++] = -g[i];
    }
  } else {
    cauchyPoint(ws, col, theta);
    if (col > 0) {
      for (let i = 0; i < n; i++) if (where[i] === FREE) freeIdx[nfree++] = i;
      if (nfree > 0) {
        // r = −Zᵀ(g + θ(z − x) − W·M·c), the model's negative gradient at the Cauchy point.
        applyM(ws, col, c, v);
        for (let q = 0; q < nfree; q++) {
          const k = freeIdx[q];
          let wmc = 0;
          for (let j = 0; j < col; j++) wmc += Y[j * n + k] * v[j] + theta * S[j * n + k] * v[col + j];
          r[q] = -theta * (z[k] - x[k]) - g[k] + wmc;
        }
      }
    }
  }
  if (col > 0 && nfree > 0 && !subspaceStep(ws, col, theta, nfree, direct)) return false;
  for (let i = 0; i < n; i++) if (!Number.isFinite(z[i])) return false;
  return true;
}

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
function lineSearch(fg: ObjectiveWithGradient, ws: BoxWorkspace, firstIteration: boolean, constrained: boolean, boxed: boolean, maxEvaluations: number): LineSearchOutcome {
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
