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
 * reuse across many calls of the same (n, m).
 */
import type { MinimizeStatus } from './types.js';
import type { ResidualsWithJacobian } from './levenberg-marquardt.js';

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

const DEFAULT_TOL = 1e-8;
/** scipy's default `max_nfev` for trf is this many evaluations per variable. */
const EVALUATIONS_PER_VARIABLE = 100;
const EPS = Number.EPSILON;
/** A start closer than this (relative to max(1, |bound|)) to a bound is moved that far inside. */
const START_OFFSET = 1e-10;
/** Smallest fraction of a step to the boundary that is kept (scipy's floor on θ). */
const MIN_STEP_BACK = 0.995;
/** Ratios below this shrink the radius to RADIUS_SHRINK·‖step‖; above RATIO_GOOD with a step near the radius double it. */
const RATIO_POOR = 0.25;
const RATIO_GOOD = 0.75;
const RADIUS_SHRINK = 0.25;
const RADIUS_GROW = 2;
/** A step longer than this fraction of the radius counts as having hit the trust-region boundary. */
const RADIUS_HIT = 0.95;
/** Moré's iteration stops when |‖p‖ − Δ| < MORE_RTOL·Δ or after MORE_MAX_ITERATIONS. */
const MORE_RTOL = 0.01;
const MORE_MAX_ITERATIONS = 10;
/** When α falls outside its bracket [l, u] it restarts at max(ALPHA_RESTART·u, √(l·u)). */
const ALPHA_RESTART = 0.001;
/** Consecutive trial points with non-finite residuals or Jacobian before giving up. */
const MAX_NON_FINITE_TRIALS = 20;
/** The bidiagonal QR iteration gives up after this many rotations per n² (LAPACK's dbdsqr allows 6n² inner steps); it typically needs 0.7·n². */
const ROTATION_BUDGET = 6;
/** Below this, bidiagonal entries count as zero however small their neighbours (JAMA's 2⁻⁹⁶⁶). */
const TINY = 2 ** -966;
/** Between these, squares of magnitudes neither overflow nor lose digits to underflow. */
const PYTHAG_SMALL = 2 ** -480;
const PYTHAG_BIG = 2 ** 480;

/** scipy's termination codes, kept internally so that the ftol-and-xtol case stays visible. */
const RUNNING = -1;
const STOP_MAX_EVALUATIONS = 0;
const STOP_GTOL = 1;
const STOP_FTOL = 2;
const STOP_XTOL = 3;
const STOP_FTOL_XTOL = 4;

/** Preallocated buffers for `trustRegionReflective`; reuse one across calls of the same (n, m). */
export class TrfWorkspace {
  readonly n: number;
  readonly m: number;

  /** @internal current point, its residuals and Jacobian (row-major m × n); swapped with the trial's on acceptance */
  x: Float64Array;
  /** @internal */
  r: Float64Array;
  /** @internal */
  J: Float64Array;
  /** @internal trial point, residuals, Jacobian */
  xTrial: Float64Array;
  /** @internal */
  rTrial: Float64Array;
  /** @internal */
  JTrial: Float64Array;
  /** @internal */
  readonly lo: Float64Array;
  /** @internal */
  readonly hi: Float64Array;
  /** @internal gradient Jᵀr */
  readonly g: Float64Array;
  /** @internal Coleman–Li vector and its derivative (−1, 0, 1) */
  readonly v: Float64Array;
  /** @internal */
  readonly dv: Float64Array;
  /** @internal running maximum of the Jacobian's column norms (scipy's scale_inv) */
  readonly scaleInv: Float64Array;
  /** @internal hat-variable scaling x = d·x_h, the extra diagonal C and the hat gradient d·g */
  readonly d: Float64Array;
  /** @internal */
  readonly diagH: Float64Array;
  /** @internal */
  readonly gH: Float64Array;
  /** @internal column-major max(m, n) × n copy of J·d, overwritten by its Householder QR */
  readonly A: Float64Array;
  /** @internal Qᵀr (length max(m, n)) */
  readonly qtr: Float64Array;
  /** @internal diagonal of R */
  readonly rdiag: Float64Array;
  /** @internal row-major n × n triangle of [R; √C]; then, in row k beyond k + 1, the vector of the k-th right reflection of the bidiagonalisation */
  readonly B: Float64Array;
  /** @internal superdiagonal of the bidiagonal form, and the right reflections' τ */
  readonly e: Float64Array;
  /** @internal */
  readonly tauRight: Float64Array;
  /** @internal the right rotations of the bidiagonal QR iteration, in order: columns (rotJ, rotL), cosine and sine */
  readonly rotJ: Int32Array;
  /** @internal */
  readonly rotL: Int32Array;
  /** @internal */
  readonly rotC: Float64Array;
  /** @internal */
  readonly rotS: Float64Array;
  /** @internal how many of them there are */
  rotations = 0;
  /** @internal the last Householder reflection formed: τ, the value it maps onto, 1 / (alpha − beta) */
  reflTau = 0;
  /** @internal */
  reflBeta = 0;
  /** @internal */
  reflScale = 0;
  /** @internal scratch of length n for the reductions */
  readonly work: Float64Array;
  /**
   * @internal singular values, Uᵀ[r; 0] and σ·Uᵀ[r; 0] (scipy's s, uf, suf). s also holds J's
   * squared column norms while the gradient is formed; s and uf hold the diagonal and the rotated
   * right-hand side while the factorisation is under way.
   */
  readonly s: Float64Array;
  /** @internal */
  readonly uf: Float64Array;
  /** @internal */
  readonly suf: Float64Array;
  /** @internal trust-region step in hat and original variables */
  readonly pH: Float64Array;
  /** @internal */
  readonly p: Float64Array;
  /** @internal reflected step */
  readonly rH: Float64Array;
  /** @internal */
  readonly rDir: Float64Array;
  /** @internal constrained Cauchy step */
  readonly agH: Float64Array;
  /** @internal */
  readonly ag: Float64Array;
  /** @internal the selected step */
  readonly stepH: Float64Array;
  /** @internal */
  readonly step: Float64Array;
  /** @internal x + p once p has been cut back to the first bound */
  readonly xOnBound: Float64Array;
  /** @internal which variables that cut-back step hits: −1 lower, 1 upper, 0 none */
  readonly hits: Int8Array;
  /** @internal J·d·s products (length m) */
  readonly Js: Float64Array;
  /** @internal */
  readonly Js0: Float64Array;
  /** @internal scratch for stepping one ulp from a bound; word order probed at construction */
  readonly ulpF: Float64Array;
  /** @internal */
  readonly ulpW: Uint32Array;
  /** @internal index of the low word in ulpW */
  readonly ulpLow: number;
  /** @internal whether J is full rank as scipy judges it (σ_min > ε·m·σ_max, m ≥ n) */
  fullRank = false;
  /** @internal a 1-D quadratic a·t² + b·t + c, and the minimum value found along it */
  qa = 0;
  /** @internal */
  qb = 0;
  /** @internal */
  qc = 0;
  /** @internal */
  qMin = 0;

  constructor(n: number, m: number) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`TrfWorkspace: n must be a non-negative integer, got ${n}`);
    if (!Number.isInteger(m) || m < 0) throw new RangeError(`TrfWorkspace: m must be a non-negative integer, got ${m}`);
    this.n = n;
    this.m = m;
    const vec = (): Float64Array => new Float64Array(n);
    const rows = Math.max(m, n);
    this.x = vec();
    this.r = new Float64Array(m);
    this.J = new Float64Array(m * n);
    this.xTrial = vec();
    this.rTrial = new Float64Array(m);
    this.JTrial = new Float64Array(m * n);
    this.lo = vec();
    this.hi = vec();
    this.g = vec();
    this.v = vec();
    this.dv = vec();
    this.scaleInv = vec();
    this.d = vec();
    this.diagH = vec();
    this.gH = vec();
    this.A = new Float64Array(rows * n);
    this.qtr = new Float64Array(rows);
    this.rdiag = vec();
    this.B = new Float64Array(n * n);
    this.e = vec();
    this.tauRight = vec();
    const rotationCapacity = ROTATION_BUDGET * n * n;
    this.rotJ = new Int32Array(rotationCapacity);
    this.rotL = new Int32Array(rotationCapacity);
    this.rotC = new Float64Array(rotationCapacity);
    this.rotS = new Float64Array(rotationCapacity);
    this.work = vec();
    this.s = vec();
    this.uf = vec();
    this.suf = vec();
    this.pH = vec();
    this.p = vec();
    this.rH = vec();
    this.rDir = vec();
    this.agH = vec();
    this.ag = vec();
    this.stepH = vec();
    this.step = vec();
    this.xOnBound = vec();
    this.hits = new Int8Array(n);
    this.Js = new Float64Array(m);
    this.Js0 = new Float64Array(m);
    this.ulpF = new Float64Array(1);
    this.ulpW = new Uint32Array(this.ulpF.buffer);
    this.ulpF[0] = 1; // exponent bits sit in the high word
    this.ulpLow = this.ulpW[0] === 0 ? 0 : 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Small vector helpers.

/** Euclidean norm of a[offset..offset + len), rescaled when the plain sum of squares overflows. */
function norm(a: Float64Array, len: number, offset = 0): number {
  const end = offset + len;
  let s = 0;
  for (let i = offset; i < end; i++) s += a[i] * a[i];
  if (s < Infinity) return Math.sqrt(s);
  if (Number.isNaN(s)) return NaN;
  let big = 0;
  for (let i = offset; i < end; i++) big = Math.max(big, Math.abs(a[i]));
  if (big === Infinity) return Infinity;
  let t = 0;
  for (let i = offset; i < end; i++) t += (a[i] / big) ** 2;
  return big * Math.sqrt(t);
}

function dot(a: Float64Array, b: Float64Array, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[i] * b[i];
  return s;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** The double next to `from` in the direction of `toward` (C's nextafter); from ≠ toward, neither NaN. */
function nextToward(ws: TrfWorkspace, from: number, toward: number): number {
  if (from === 0) return toward > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const { ulpF, ulpW, ulpLow } = ws;
  const ulpHigh = 1 - ulpLow;
  ulpF[0] = from;
  // The magnitude's bit pattern is monotone in the magnitude, so ±1 on it moves by one ulp.
  if (toward > from === from > 0) {
    ulpW[ulpLow] = ulpW[ulpLow] + 1;
    if (ulpW[ulpLow] === 0) ulpW[ulpHigh] = ulpW[ulpHigh] + 1;
  } else {
    if (ulpW[ulpLow] === 0) ulpW[ulpHigh] = ulpW[ulpHigh] - 1;
    ulpW[ulpLow] = ulpW[ulpLow] - 1;
  }
  return ulpF[0];
}

/**
 * Moves a start that lies within START_OFFSET·max(1, |bound|) of a finite bound that far inside,
 * or to the middle of a box too narrow for that (scipy's make_strictly_feasible with rstep 1e-10).
 */
function moveInsideStart(x: Float64Array, lo: Float64Array, hi: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const l = lo[i];
    const u = hi[i];
    const toLower = x[i] - l;
    const toUpper = u - x[i];
    const lowerTol = START_OFFSET * Math.max(1, Math.abs(l));
    const upperTol = START_OFFSET * Math.max(1, Math.abs(u));
    // The nearer bound wins; on a tie the upper one, as in scipy.
    if (Number.isFinite(u) && toUpper <= Math.min(toLower, upperTol)) x[i] = u - upperTol;
    else if (Number.isFinite(l) && toLower <= Math.min(toUpper, lowerTol)) x[i] = l + lowerTol;
    if (x[i] < l || x[i] > u) x[i] = 0.5 * (l + u);
  }
}

/** A trial point on or beyond a bound goes one ulp inside it (make_strictly_feasible with rstep 0). */
function moveInsideTrial(ws: TrfWorkspace, x: Float64Array): void {
  const { lo, hi } = ws;
  for (let i = 0; i < ws.n; i++) {
    const l = lo[i];
    const u = hi[i];
    if (x[i] >= u) x[i] = nextToward(ws, u, l);
    else if (x[i] <= l) x[i] = nextToward(ws, l, u);
    if (x[i] < l || x[i] > u) x[i] = 0.5 * (l + u);
  }
}

/** v and dv of Coleman–Li at the current point, from the sign of the gradient. */
function scalingVector(ws: TrfWorkspace): void {
  const { x, g, lo, hi, v, dv } = ws;
  for (let i = 0; i < ws.n; i++) {
    v[i] = 1;
    dv[i] = 0;
    if (g[i] < 0 && hi[i] < Infinity) {
      v[i] = hi[i] - x[i];
      dv[i] = -1;
    }
    if (g[i] > 0 && lo[i] > -Infinity) {
      v[i] = x[i] - lo[i];
      dv[i] = 1;
    }
  }
}

/** g = Jᵀr and the running column-norm scale at the current point. */
function gradientAndScale(ws: TrfWorkspace, first: boolean): void {
  const { n, m, J, r, g, scaleInv } = ws;
  g.fill(0);
  for (let j = 0; j < n; j++) ws.s[j] = 0;
  for (let i = 0; i < m; i++) {
    const ri = r[i];
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const a = J[row + j];
      g[j] += a * ri;
      ws.s[j] += a * a;
    }
  }
  for (let j = 0; j < n; j++) {
    const c = Math.sqrt(ws.s[j]);
    // A column that starts at zero gets unit scale; later ones only ever grow the scale, so the
    // trust region never widens along a variable because its sensitivity dropped.
    scaleInv[j] = first ? (c === 0 ? 1 : c) : Math.max(c, scaleInv[j]);
  }
}

// ---------------------------------------------------------------------------------------------
// The factorisation [J·d; diag(√C)] = U·Σ·Vᵀ behind the exact trust-region solver.
//
// J·d is reduced to an n × n triangle by Householder QR, Givens rotations fold the rows diag(√C)
// into it (MINPACK's qrsolv), and the triangle is bidiagonalised by Householder reflections from
// both sides and diagonalised by Golub–Kahan's implicitly shifted QR iteration (Golub & Reinsch;
// the bookkeeping of JAMA's SVD). Only O(n³) work is in the reductions to the triangle and to
// bidiagonal form; the QR iteration is O(n²) because no singular vector is formed: every left
// transformation goes straight onto Qᵀr (only uf = Uᵀ[Qᵀr; 0] is ever needed of U), and the right
// ones are recorded and applied to a vector on demand (V is only ever needed times a vector).

/**
 * Householder QR of J·d (zero rows pad m < n) and Qᵀr, then the SVD of the n × n triangle of
 * [R; diag(√C)]. Leaves σ in s, uf = Uᵀ[r; 0] and suf = σ·uf, V in implicit form for applyV,
 * and decides full rank as scipy does.
 */
function factorize(ws: TrfWorkspace): void {
  const { n, m, J, r, d, A, qtr, rdiag } = ws;
  const rows = Math.max(m, n);
  for (let j = 0; j < n; j++) {
    const cj = j * rows;
    const dj = d[j];
    for (let i = 0; i < m; i++) A[cj + i] = J[i * n + j] * dj;
    for (let i = m; i < rows; i++) A[cj + i] = 0;
  }
  for (let i = 0; i < m; i++) qtr[i] = r[i];
  for (let i = m; i < rows; i++) qtr[i] = 0;

  for (let j = 0; j < n; j++) {
    const cj = j * rows;
    let ss = 0;
    for (let i = j; i < rows; i++) ss += A[cj + i] * A[cj + i];
    let alpha = Math.sqrt(ss);
    if (alpha === 0) {
      rdiag[j] = 0;
      continue;
    }
    // Reflect onto −sign(a_jj)·‖a‖·e_j so that forming the Householder vector never cancels.
    if (A[cj + j] < 0) alpha = -alpha;
    for (let i = j; i < rows; i++) A[cj + i] /= alpha;
    A[cj + j] += 1;
    const pivot = A[cj + j];
    // Four columns per pass over the Householder vector, then two, then one: each column's sums in
    // the same order whatever the grouping, so the factor does not depend on it.
    let k = j + 1;
    for (; k + 3 < n; k += 4) {
      const c0 = k * rows;
      const c1 = c0 + rows;
      const c2 = c1 + rows;
      const c3 = c2 + rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        s0 += h * A[c0 + i];
        s1 += h * A[c1 + i];
        s2 += h * A[c2 + i];
        s3 += h * A[c3 + i];
      }
      const t0 = s0 / pivot;
      const t1 = s1 / pivot;
      const t2 = s2 / pivot;
      const t3 = s3 / pivot;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        A[c0 + i] -= t0 * h;
        A[c1 + i] -= t1 * h;
        A[c2 + i] -= t2 * h;
        A[c3 + i] -= t3 * h;
      }
    }
    for (; k + 1 < n; k += 2) {
      const ck = k * rows;
      const cl = ck + rows;
      let sumK = 0;
      let sumL = 0;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        sumK += h * A[ck + i];
        sumL += h * A[cl + i];
      }
      const tK = sumK / pivot;
      const tL = sumL / pivot;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        A[ck + i] -= tK * h;
        A[cl + i] -= tL * h;
      }
    }
    if (k < n) {
      const ck = k * rows;
      let sum = 0;
      for (let i = j; i < rows; i++) sum += A[cj + i] * A[ck + i];
      const t = sum / pivot;
      for (let i = j; i < rows; i++) A[ck + i] -= t * A[cj + i];
    }
    let sum = 0;
    for (let i = j; i < rows; i++) sum += A[cj + i] * qtr[i];
    const t = sum / pivot;
    for (let i = j; i < rows; i++) qtr[i] -= t * A[cj + i];
    rdiag[j] = -alpha;
  }

  stackTriangle(ws);
  bidiagonalize(ws);
  bidiagonalQr(ws);

  const { s, uf, suf } = ws;
  let sMax = 0;
  let sMin = Infinity;
  for (let j = 0; j < n; j++) {
    sMax = Math.max(sMax, s[j]);
    sMin = Math.min(sMin, s[j]);
    suf[j] = s[j] * uf[j];
  }
  ws.fullRank = m >= n && n > 0 && sMin > EPS * m * sMax;
}

/**
 * Reduces [R; diag(√C)] to an n × n upper triangle T, row-major in ws.B, and [Qᵀr; 0] alike: the
 * first n entries of the rotated vector go to ws.uf, the rest meet only zero rows and are dropped.
 * One Givens elimination per nonzero C_j, as in MINPACK's qrsolv; without any, T is R.
 */
function stackTriangle(ws: TrfWorkspace): void {
  const { n, m, diagH, A, qtr, rdiag, B, uf, work } = ws;
  const rows = Math.max(m, n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i < k; i++) B[rk + i] = 0;
    B[rk + k] = rdiag[k];
    for (let i = k + 1; i < n; i++) B[rk + i] = A[i * rows + k];
    uf[k] = qtr[k];
  }
  const extra = work;
  for (let j = 0; j < n; j++) {
    if (diagH[j] === 0) continue;
    for (let k = j + 1; k < n; k++) extra[k] = 0;
    extra[j] = Math.sqrt(diagH[j]);
    // The extra row's entry of the right-hand side starts at zero.
    let extraRhs = 0;
    for (let k = j; k < n; k++) {
      const ek = extra[k];
      if (ek === 0) continue;
      const rk = k * n;
      const rkk = B[rk + k];
      let cos: number;
      let sin: number;
      // Angles from the smaller of the two ratios, so that neither tan nor cot overflows.
      if (Math.abs(rkk) < Math.abs(ek)) {
        const cotan = rkk / ek;
        sin = 0.5 / Math.sqrt(0.25 + 0.25 * cotan * cotan);
        cos = sin * cotan;
      } else {
        const tan = ek / rkk;
        cos = 0.5 / Math.sqrt(0.25 + 0.25 * tan * tan);
        sin = cos * tan;
      }
      B[rk + k] = cos * rkk + sin * ek;
      const y = uf[k];
      uf[k] = cos * y + sin * extraRhs;
      extraRhs = -sin * y + cos * extraRhs;
      for (let i = k + 1; i < n; i++) {
        const rki = B[rk + i];
        const ei = extra[i];
        B[rk + i] = cos * rki + sin * ei;
        extra[i] = -sin * rki + cos * ei;
      }
    }
  }
}

/**
 * Householder coefficients that map (alpha, x) with ‖x‖² = tailSq onto (beta, 0): H = I − τ·v·vᵀ
 * with v = (1, x / (alpha − beta)). Sets ws.reflTau = τ, ws.reflBeta = beta and ws.reflScale =
 * 1 / (alpha − beta) (τ = 0 when x is already zero). beta takes the sign opposite to alpha, so
 * that alpha − beta never cancels.
 */
function householder(ws: TrfWorkspace, alpha: number, tailSq: number): void {
  if (tailSq === 0) {
    ws.reflTau = 0;
    ws.reflBeta = alpha;
    ws.reflScale = 0;
    return;
  }
  const size = Math.sqrt(alpha * alpha + tailSq);
  const beta = alpha >= 0 ? -size : size;
  ws.reflTau = (beta - alpha) / beta;
  ws.reflBeta = beta;
  ws.reflScale = 1 / (alpha - beta);
}

/**
 * T = U₁·Bd·V₁ᵀ with Bd upper bidiagonal: its diagonal to ws.s, its superdiagonal to ws.e. Left
 * reflections go onto ws.uf; right ones, H_k acting on entries k+1.. with v_{k+1} = 1, keep
 * their vectors in row k of ws.B (entries k+2..) and τ_k in ws.tauRight.
 */
function bidiagonalize(ws: TrfWorkspace): void {
  const { n, B, s, e, uf, tauRight, work } = ws;
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    // From the left: zero column k below the diagonal. Row k is updated first, since the right
    // reflection is formed from it; the rows below are updated together with that reflection.
    let tailSq = 0;
    for (let i = k + 1; i < n; i++) tailSq += B[i * n + k] * B[i * n + k];
    householder(ws, B[rk + k], tailSq);
    const tauL = ws.reflTau;
    s[k] = ws.reflBeta;
    if (tauL === 0) {
      // Column k is zero below the diagonal already; the update below then subtracts nothing.
      for (let j = k + 1; j < n; j++) work[j] = 0;
    } else {
      const scale = ws.reflScale;
      for (let i = k + 1; i < n; i++) B[i * n + k] *= scale;
      // work_j = vᵀ·(column j), accumulated row by row since B is row-major.
      for (let j = k + 1; j < n; j++) work[j] = B[rk + j];
      for (let i = k + 1; i < n; i++) {
        const ri = i * n;
        const vi = B[ri + k];
        for (let j = k + 1; j < n; j++) work[j] += vi * B[ri + j];
      }
      for (let j = k + 1; j < n; j++) {
        work[j] *= tauL;
        B[rk + j] -= work[j];
      }
      let sum = uf[k];
      for (let i = k + 1; i < n; i++) sum += B[i * n + k] * uf[i];
      const f = tauL * sum;
      uf[k] -= f;
      for (let i = k + 1; i < n; i++) uf[i] -= f * B[i * n + k];
    }

    // From the right: zero row k beyond the superdiagonal (nothing to zero in the last two rows).
    let tauR = 0;
    if (k < n - 1) {
      tailSq = 0;
      for (let j = k + 2; j < n; j++) tailSq += B[rk + j] * B[rk + j];
      householder(ws, B[rk + k + 1], tailSq);
      tauR = ws.reflTau;
      e[k] = ws.reflBeta;
      const scale = ws.reflScale;
      if (tauR !== 0) for (let j = k + 2; j < n; j++) B[rk + j] *= scale;
    } else {
      e[k] = 0;
    }
    tauRight[k] = tauR;
    if (tauL === 0 && tauR === 0) continue;

    // Rows below: the left update, then the right one, in one pass for the dot product.
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = B[ri + k];
      const head = B[ri + k + 1] - vi * work[k + 1];
      B[ri + k + 1] = head;
      let sum = head;
      for (let j = k + 2; j < n; j++) {
        const b = B[ri + j] - vi * work[j];
        B[ri + j] = b;
        sum += b * B[rk + j];
      }
      if (tauR === 0) continue;
      const f = tauR * sum;
      B[ri + k + 1] = head - f;
      for (let j = k + 2; j < n; j++) B[ri + j] -= f * B[rk + j];
    }
  }
}

/** √(a² + b²) without overflow or harmful underflow; much cheaper than Math.hypot in V8. */
function pythag(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = x > y ? x : y;
  if (big > PYTHAG_SMALL && big < PYTHAG_BIG) return Math.sqrt(a * a + b * b);
  if (big === 0 || big === Infinity) return big;
  const ratio = (x > y ? y : x) / big;
  return big * Math.sqrt(1 + ratio * ratio);
}

/** Records the right rotation (columns j, l) ← (c·v_j + s·v_l, −s·v_j + c·v_l) for applyV (bidiagonalQr keeps within the buffer). */
function recordRotation(ws: TrfWorkspace, j: number, l: number, c: number, s: number): void {
  const k = ws.rotations;
  ws.rotJ[k] = j;
  ws.rotL[k] = l;
  ws.rotC[k] = c;
  ws.rotS[k] = s;
  ws.rotations = k + 1;
}

/** uf ← Gᵀ·uf for the left rotation (columns j, l) ← (c·u_j + s·u_l, −s·u_j + c·u_l). */
function rotateUf(uf: Float64Array, j: number, l: number, c: number, s: number): void {
  const uj = uf[j];
  const ul = uf[l];
  uf[j] = c * uj + s * ul;
  uf[l] = -s * uj + c * ul;
}

/**
 * Golub–Kahan's implicitly shifted QR on the bidiagonal (ws.s, ws.e), with deflation at
 * negligible superdiagonal entries and splitting at negligible diagonal ones, as in JAMA's SVD.
 * Leaves the singular values in ws.s (unsorted, non-negative); a negative one is flipped by
 * flipping its uf entry, i.e. its left vector. Gives up, leaving the not yet converged values as
 * they are, after ROTATION_BUDGET·n² rotations (LAPACK's dbdsqr stops at 6n² inner steps too).
 */
function bidiagonalQr(ws: TrfWorkspace): void {
  const { n, s, e, uf } = ws;
  const capacity = ws.rotC.length;
  ws.rotations = 0;
  let p = n;
  while (p > 0) {
    if (ws.rotations + p > capacity) break;
    // k: the largest index below p − 1 with e[k] negligible (−1 if none), so that
    // s[k + 1 .. p − 1] with the e between them is an unreduced block.
    let k: number;
    for (k = p - 2; k >= 0; k--) {
      if (Math.abs(e[k]) <= TINY + EPS * (Math.abs(s[k]) + Math.abs(s[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    if (k === p - 2) {
      // s[p − 1] has converged.
      if (s[p - 1] < 0) {
        s[p - 1] = -s[p - 1];
        uf[p - 1] = -uf[p - 1];
      }
      p--;
      continue;
    }
    let ks: number;
    for (ks = p - 1; ks > k; ks--) {
      const t = (ks !== p - 1 ? Math.abs(e[ks]) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]) : 0);
      if (Math.abs(s[ks]) <= TINY + EPS * t) {
        s[ks] = 0;
        break;
      }
    }
    if (ks === p - 1) {
      // s[p − 1] is negligible: chase e[p − 2] up and out with rotations from the right.
      let f = e[p - 2];
      e[p - 2] = 0;
      for (let j = p - 2; j > k; j--) {
        const t = pythag(s[j], f);
        const c = s[j] / t;
        const sn = f / t;
        s[j] = t;
        if (j !== k + 1) {
          f = -sn * e[j - 1];
          e[j - 1] = c * e[j - 1];
        }
        recordRotation(ws, j, p - 1, c, sn);
      }
    } else if (ks > k) {
      // s[ks] is negligible: split there, chasing e[ks] down and out with rotations from the left.
      let f = e[ks];
      e[ks] = 0;
      for (let j = ks + 1; j < p; j++) {
        const t = pythag(s[j], f);
        const c = s[j] / t;
        const sn = f / t;
        s[j] = t;
        f = -sn * e[j];
        e[j] = c * e[j];
        rotateUf(uf, j, ks, c, sn);
      }
    } else {
      // One implicit QR step on s[k + 1 .. p − 1], shifted by the eigenvalue of the trailing
      // 2 × 2 of BᵀB nearer its last diagonal entry (computed on scaled entries).
      const lo = k + 1;
      const scale = Math.max(Math.abs(s[p - 1]), Math.abs(s[p - 2]), Math.abs(e[p - 2]), Math.abs(s[lo]), Math.abs(e[lo]));
      const sp = s[p - 1] / scale;
      const spm1 = s[p - 2] / scale;
      const epm1 = e[p - 2] / scale;
      const sk = s[lo] / scale;
      const ek = e[lo] / scale;
      const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      const c2 = sp * epm1 * (sp * epm1);
      let shift = 0;
      if (b !== 0 || c2 !== 0) {
        shift = Math.sqrt(b * b + c2);
        if (b < 0) shift = -shift;
        shift = c2 / (b + shift);
      }
      let f = (sk + sp) * (sk - sp) + shift;
      let g = sk * ek;
      for (let j = lo; j < p - 1; j++) {
        let t = pythag(f, g);
        let c = f / t;
        let sn = g / t;
        if (j !== lo) e[j - 1] = t;
        f = c * s[j] + sn * e[j];
        e[j] = c * e[j] - sn * s[j];
        g = sn * s[j + 1];
        s[j + 1] = c * s[j + 1];
        recordRotation(ws, j, j + 1, c, sn);
        t = pythag(f, g);
        c = f / t;
        sn = g / t;
        s[j] = t;
        f = c * e[j] + sn * s[j + 1];
        s[j + 1] = -sn * e[j] + c * s[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = c * e[j + 1];
        rotateUf(uf, j, j + 1, c, sn);
      }
      e[p - 2] = f;
    }
  }
  for (let j = 0; j < p; j++) {
    if (s[j] < 0) {
      s[j] = -s[j];
      uf[j] = -uf[j];
    }
  }
}

/** x ← V·x in place, V = H_0·…·H_{n−3}·G_1·…·G_K from bidiagonalize and bidiagonalQr. */
function applyV(ws: TrfWorkspace, x: Float64Array): void {
  const { n, B, tauRight, rotJ, rotL, rotC, rotS } = ws;
  for (let k = ws.rotations - 1; k >= 0; k--) {
    const j = rotJ[k];
    const l = rotL[k];
    const c = rotC[k];
    const s = rotS[k];
    const xj = x[j];
    const xl = x[l];
    x[j] = c * xj - s * xl;
    x[l] = s * xj + c * xl;
  }
  for (let k = n - 3; k >= 0; k--) {
    const tau = tauRight[k];
    if (tau === 0) continue;
    const rk = k * n;
    let sum = x[k + 1];
    for (let j = k + 2; j < n; j++) sum += B[rk + j] * x[j];
    const f = tau * sum;
    x[k + 1] -= f;
    for (let j = k + 2; j < n; j++) x[j] -= f * B[rk + j];
  }
}

/** pH = −V·(suf / (σ² + α)), or the Gauss–Newton step −V·(uf / σ). */
function regularizedStep(ws: TrfWorkspace, alpha: number, gaussNewton: boolean): void {
  const { n, s, suf, pH, uf } = ws;
  for (let j = 0; j < n; j++) {
    // Gauss–Newton divides uf by σ once rather than σ·uf by σ², so a small σ does not square the error.
    pH[j] = -(gaussNewton ? uf[j] / s[j] : suf[j] / (s[j] * s[j] + alpha));
  }
  applyV(ws, pH);
}

/**
 * The hat-space trust-region step into ws.pH: the Gauss–Newton step when J has full rank and it
 * fits in Δ, otherwise the regularised step with ‖p‖ = Δ (to MORE_RTOL) from Moré's iteration
 * on α started at `alphaStart`. Returns the new α (0 for the Gauss–Newton step).
 */
function trustRegionStep(ws: TrfWorkspace, delta: number, alphaStart: number): number {
  const { n, s, suf, pH } = ws;
  const sufNorm = norm(suf, n);
  if (sufNorm === 0) {
    // Zero hat gradient: the model is flat in every direction that matters; no step.
    pH.fill(0);
    return alphaStart;
  }
  if (ws.fullRank) {
    regularizedStep(ws, 0, true);
    if (norm(pH, n) <= delta) return 0;
  }
  let alphaUpper = sufNorm / delta;
  let alphaLower = 0;
  if (ws.fullRank) {
    // One Newton step on φ from α = 0 undershoots the root (φ is convex), so it bounds α below.
    let sq = 0;
    let cube = 0;
    for (let j = 0; j < n; j++) {
      const s2 = s[j] * s[j];
      sq += (suf[j] / s2) ** 2;
      cube += (suf[j] * suf[j]) / (s2 * s2 * s2);
    }
    const pn = Math.sqrt(sq);
    alphaLower = -(pn - delta) / (-cube / pn);
  }
  let alpha = alphaStart;
  if (!ws.fullRank && alpha === 0) alpha = Math.max(ALPHA_RESTART * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
  for (let it = 0; it < MORE_MAX_ITERATIONS; it++) {
    if (alpha < alphaLower || alpha > alphaUpper) alpha = Math.max(ALPHA_RESTART * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
    let sq = 0;
    let cube = 0;
    for (let j = 0; j < n; j++) {
      const den = s[j] * s[j] + alpha;
      sq += (suf[j] / den) ** 2;
      cube += (suf[j] * suf[j]) / (den * den * den);
    }
    const pn = Math.sqrt(sq);
    const phi = pn - delta;
    const phiPrime = -cube / pn;
    if (phi < 0) alphaUpper = alpha;
    const ratio = phi / phiPrime;
    alphaLower = Math.max(alphaLower, alpha - ratio);
    // Newton on 1/‖p‖ − 1/Δ rather than on φ: it is nearly linear in α, so this converges fast.
    alpha -= ((phi + delta) * ratio) / delta;
    if (Math.abs(phi) < MORE_RTOL * delta) break;
  }
  regularizedStep(ws, alpha, false);
  // Land exactly on the sphere so that the later reflection starts from inside it.
  const scale = delta / norm(pH, n);
  for (let i = 0; i < n; i++) pH[i] *= scale;
  return alpha;
}

// ---------------------------------------------------------------------------------------------
// Step selection: cut-back trust-region step, reflected step, constrained Cauchy step.

/** out = (J·d)·s, the hat Jacobian times s. */
function hatJacobianTimes(ws: TrfWorkspace, sv: Float64Array, out: Float64Array): void {
  const { n, m, J, d } = ws;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += J[row + j] * (d[j] * sv[j]);
    out[i] = sum;
  }
}

/** The model ½·sᵀ(J_hᵀJ_h + C)s + g_hᵀs of the hat step s. */
function modelValue(ws: TrfWorkspace, sv: Float64Array): number {
  const { n, m, Js, diagH, gH } = ws;
  hatJacobianTimes(ws, sv, Js);
  let q = dot(Js, Js, m);
  for (let j = 0; j < n; j++) q += sv[j] * diagH[j] * sv[j];
  return 0.5 * q + dot(sv, gH, n);
}

/** The model along s0 + t·dir as qa·t² + qb·t + qc (qc only with s0). */
function modelAlong(ws: TrfWorkspace, dir: Float64Array, s0: Float64Array | null): void {
  const { n, m, Js, Js0, diagH, gH } = ws;
  hatJacobianTimes(ws, dir, Js);
  let a = dot(Js, Js, m);
  for (let j = 0; j < n; j++) a += dir[j] * diagH[j] * dir[j];
  ws.qa = 0.5 * a;
  ws.qb = dot(gH, dir, n);
  ws.qc = 0;
  if (s0) {
    hatJacobianTimes(ws, s0, Js0);
    ws.qb += dot(Js0, Js, m);
    ws.qc = 0.5 * dot(Js0, Js0, m) + dot(gH, s0, n);
    let b = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      b += s0[j] * diagH[j] * dir[j];
      c += s0[j] * diagH[j] * s0[j];
    }
    ws.qb += b;
    ws.qc += 0.5 * c;
  }
}

/** Minimiser over [lo, hi] (finite) of the quadratic in ws.qa/qb/qc; its value goes to ws.qMin. Ties go to lo, then hi. */
function minimizeAlong(ws: TrfWorkspace, lo: number, hi: number): number {
  const { qa, qb, qc } = ws;
  let best = lo;
  let bestValue = lo * (qa * lo + qb) + qc;
  const hiValue = hi * (qa * hi + qb) + qc;
  if (hiValue < bestValue) {
    best = hi;
    bestValue = hiValue;
  }
  if (qa !== 0) {
    const t = (-0.5 * qb) / qa;
    if (lo < t && t < hi) {
      const value = t * (qa * t + qb) + qc;
      if (value < bestValue) {
        best = t;
        bestValue = value;
      }
    }
  }
  ws.qMin = bestValue;
  return best;
}

/**
 * Largest t ≥ 0 with x + t·dir in the box (Infinity when dir is zero or the box is open along
 * it). With `hits`, marks the variables that reach their bound at that t (sign of dir there).
 */
function stepToBound(ws: TrfWorkspace, x: Float64Array, dir: Float64Array, hits: Int8Array | null): number {
  const { n, lo, hi } = ws;
  let tMin = Infinity;
  for (let i = 0; i < n; i++) {
    if (dir[i] === 0) continue;
    const t = Math.max((lo[i] - x[i]) / dir[i], (hi[i] - x[i]) / dir[i]);
    if (t < tMin) tMin = t;
  }
  if (hits) {
    for (let i = 0; i < n; i++) {
      hits[i] = 0;
      if (dir[i] === 0) continue;
      const t = Math.max((lo[i] - x[i]) / dir[i], (hi[i] - x[i]) / dir[i]);
      if (t === tMin) hits[i] = dir[i] > 0 ? 1 : -1;
    }
  }
  return tMin;
}

/** The positive t with ‖s0 + t·dir‖ = Δ, for s0 inside the sphere. */
function toSphere(s0: Float64Array, dir: Float64Array, n: number, delta: number): number {
  const a = dot(dir, dir, n);
  const b = dot(s0, dir, n);
  const c = dot(s0, s0, n) - delta * delta;
  const disc = Math.sqrt(b * b - a * c);
  // Of the two roots, compute the one that does not cancel first, the other from the product c/a.
  const q = -(b + (b < 0 || Object.is(b, -0) ? -disc : disc));
  return Math.max(q / a, c / q);
}

/**
 * Chooses among the trust-region step p (cut back to stay strictly feasible), its reflection
 * off the first bound it crosses, and the constrained Cauchy step; writes the winner to
 * ws.step / ws.stepH and returns its predicted reduction (minus its model value).
 */
function selectStep(ws: TrfWorkspace, delta: number, theta: number): number {
  const { n, x, lo, hi, d, gH, p, pH, rH, rDir, agH, ag, xOnBound, hits, step, stepH } = ws;
  let inside = true;
  for (let i = 0; i < n; i++) {
    const xi = x[i] + p[i];
    if (!(xi >= lo[i] && xi <= hi[i])) inside = false;
  }
  if (inside) {
    step.set(p);
    stepH.set(pH);
    return -modelValue(ws, pH);
  }

  const pStride = stepToBound(ws, x, p, hits);
  for (let i = 0; i < n; i++) {
    rH[i] = hits[i] !== 0 ? -pH[i] : pH[i];
    rDir[i] = d[i] * rH[i];
    p[i] *= pStride;
    pH[i] *= pStride;
    xOnBound[i] = x[i] + p[i];
  }

  // The reflected ray leaves either the box or the trust region first; stay strictly inside the
  // box, and start far enough out that the reflection is not just the cut-back step again.
  const toTr = toSphere(pH, rH, n, delta);
  const toBoundR = stepToBound(ws, xOnBound, rDir, null);
  const rStride = Math.min(toBoundR, toTr);
  let rLower = 0;
  let rUpper = -1;
  if (rStride > 0) {
    rLower = ((1 - theta) * pStride) / rStride;
    rUpper = rStride === toBoundR ? theta * toBoundR : toTr;
  }
  let rValue = Infinity;
  if (rLower <= rUpper) {
    modelAlong(ws, rH, pH);
    const t = minimizeAlong(ws, rLower, rUpper);
    rValue = ws.qMin;
    for (let i = 0; i < n; i++) {
      rH[i] = rH[i] * t + pH[i];
      rDir[i] = rH[i] * d[i];
    }
  }

  for (let i = 0; i < n; i++) {
    p[i] *= theta;
    pH[i] *= theta;
  }
  const pValue = modelValue(ws, pH);

  for (let i = 0; i < n; i++) {
    agH[i] = -gH[i];
    ag[i] = d[i] * agH[i];
  }
  const toTrG = delta / norm(agH, n);
  const toBoundG = stepToBound(ws, x, ag, null);
  const agLimit = toBoundG < toTrG ? theta * toBoundG : toTrG;
  modelAlong(ws, agH, null);
  const agStride = minimizeAlong(ws, 0, agLimit);
  const agValue = ws.qMin;
  for (let i = 0; i < n; i++) {
    agH[i] *= agStride;
    ag[i] *= agStride;
  }

  if (pValue < rValue && pValue < agValue) {
    step.set(p);
    stepH.set(pH);
    return -pValue;
  }
  if (rValue < pValue && rValue < agValue) {
    step.set(rDir);
    stepH.set(rH);
    return -rValue;
  }
  step.set(ag);
  stepH.set(agH);
  return -agValue;
}

// ---------------------------------------------------------------------------------------------

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
