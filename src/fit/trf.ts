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
 * by Householder QR, that triangle stacked on diag(√C) goes through a one-sided Jacobi SVD, and
 * the Levenberg–Marquardt parameter α comes from Moré's safeguarded Newton iteration on
 * ‖p(α)‖ = Δ. Among three candidates, the trust-region step cut back just short of
 * the first bound it crosses, that step reflected off the bound, and the constrained Cauchy
 * step, the one with the lowest model value is taken, then pushed off the bounds by one ulp.
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
 * - the SVD is a one-sided Jacobi SVD of the QR factor rather than LAPACK's gesdd of the
 *   (m + n) × n augmented matrix: the same singular values and vectors up to rounding, so an
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
import type { MinimizeStatus } from './lbfgsb.js';
import type { ResidualsWithJacobian } from './levenberg-marquardt.js';

export interface TrfOptions {
  /** Calls of fn (with or without Jacobian); hard cap. Default 100·n (scipy's max_nfev for trf with an analytic Jacobian). */
  maxEvaluations?: number;
  /** scipy's ftol / xtol / gtol, same meanings; defaults 1e-8 each. */
  ftol?: number;
  xtol?: number;
  gtol?: number;
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
/** One-sided Jacobi converges quadratically; this many sweeps means rounding is cycling. */
const JACOBI_MAX_SWEEPS = 60;

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
  /** @internal column-major 2n × n [R; √C], rotated into U·Σ by the Jacobi sweeps */
  readonly B: Float64Array;
  /** @internal right singular vectors, column j at V[j·n ..] */
  readonly V: Float64Array;
  /** @internal singular values, Uᵀ[r; 0] and σ·Uᵀ[r; 0] (scipy's s, uf, suf); s also holds J's squared column norms while the gradient is formed */
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
    this.B = new Float64Array(2 * n * n);
    this.V = new Float64Array(n * n);
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

/**
 * Householder QR of J·d (zero rows pad m < n) and Qᵀr, then a one-sided Jacobi SVD of the
 * 2n × n stack [R; diag(√C)]. Leaves σ in s, V, uf = Uᵀ[r; 0] and suf = σ·uf, and decides
 * full rank as scipy does.
 */
function factorize(ws: TrfWorkspace): void {
  const { n, m, J, r, d, diagH, A, qtr, rdiag, B, V, s, uf, suf } = ws;
  const rows = Math.max(m, n);
  for (let j = 0; j < n; j++) {
    const cj = j * rows;
    const dj = d[j];
    for (let i = 0; i < m; i++) A[cj + i] = J[i * n + j] * dj;
    for (let i = m; i < rows; i++) A[cj + i] = 0;
  }
  for (let i = 0; i < m; i++) qtr[i] = r[i];
  for (let i = m; i < rows; i++) qtr[i] = 0;

  // The tall m × n product is reduced to an n × n triangle first: the Jacobi sweeps then work on
  // columns of length 2n instead of m + n.
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
    for (let k = j + 1; k < n; k++) {
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

  // Without active scaling terms the lower block is zero and adds nothing but work.
  let withDiag = false;
  for (let j = 0; j < n; j++) if (diagH[j] !== 0) withDiag = true;
  const bRows = withDiag ? 2 * n : n;
  for (let j = 0; j < n; j++) {
    const cb = j * bRows;
    for (let i = 0; i < j; i++) B[cb + i] = A[j * rows + i];
    B[cb + j] = rdiag[j];
    for (let i = j + 1; i < bRows; i++) B[cb + i] = 0;
    if (withDiag) B[cb + n + j] = Math.sqrt(diagH[j]);
    for (let i = 0; i < n; i++) V[j * n + i] = i === j ? 1 : 0;
  }
  jacobiSvd(B, bRows, n, V);

  let sMax = 0;
  let sMin = Infinity;
  for (let j = 0; j < n; j++) {
    const cb = j * bRows;
    const sj = norm(B, bRows, cb);
    s[j] = sj;
    sMax = Math.max(sMax, sj);
    sMin = Math.min(sMin, sj);
    // Column j of the rotated B is σ_j·u_j; its lower block meets the zero part of [r; 0].
    let sum = 0;
    for (let i = 0; i < n; i++) sum += B[cb + i] * qtr[i];
    uf[j] = sj > 0 ? sum / sj : 0;
    suf[j] = sj * uf[j];
  }
  ws.fullRank = m >= n && n > 0 && sMin > EPS * m * sMax;
}

/**
 * One-sided (Hestenes) Jacobi: rotates pairs of columns of the column-major rows × n matrix B
 * until all are mutually orthogonal, accumulating the rotations in V. Then B = U·Σ with σ_j the
 * norm of column j. Accurate to rounding in every singular value relative to ‖B‖, and rank
 * deficiency shows up as exactly or nearly zero columns.
 */
function jacobiSvd(B: Float64Array, rows: number, n: number, V: Float64Array): void {
  const tol = Math.sqrt(rows) * EPS;
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const cp = p * rows;
      for (let q = p + 1; q < n; q++) {
        const cq = q * rows;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          const bp = B[cp + i];
          const bq = B[cq + i];
          alpha += bp * bp;
          beta += bq * bq;
          gamma += bp * bq;
        }
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha * beta))) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        // The smaller root of t² + 2ζt − 1 = 0: the rotation by less than π/4, which converges.
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        for (let i = 0; i < rows; i++) {
          const bp = B[cp + i];
          const bq = B[cq + i];
          B[cp + i] = c * bp - sn * bq;
          B[cq + i] = sn * bp + c * bq;
        }
        const vp = p * n;
        const vq = q * n;
        for (let i = 0; i < n; i++) {
          const ap = V[vp + i];
          const aq = V[vq + i];
          V[vp + i] = c * ap - sn * aq;
          V[vq + i] = sn * ap + c * aq;
        }
      }
    }
    if (!rotated) return;
  }
}

/** pH = −V·(suf / (σ² + α)), or the Gauss–Newton step −V·(uf / σ). */
function regularizedStep(ws: TrfWorkspace, alpha: number, gaussNewton: boolean): void {
  const { n, V, s, suf, pH, uf } = ws;
  pH.fill(0);
  for (let j = 0; j < n; j++) {
    // Gauss–Newton divides uf by σ once rather than σ·uf by σ², so a small σ does not square the error.
    const w = gaussNewton ? uf[j] / s[j] : suf[j] / (s[j] * s[j] + alpha);
    const cj = j * n;
    for (let i = 0; i < n; i++) pH[i] -= V[cj + i] * w;
  }
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
    if (Number.isNaN(l) || Number.isNaN(u) || !(l < u)) throw new RangeError(`trustRegionReflective: bounds of variable ${i} are [${l}, ${u}]; lower < upper is required`);
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
    }
  }
  return finish(code === RUNNING ? STOP_MAX_EVALUATIONS : code);
}
