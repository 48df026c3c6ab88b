/**
 * Levenberg–Marquardt for nonlinear least squares with an analytic Jacobian, behaving like
 * MINPACK's lmder (scipy's `least_squares(method='lm')`): a trust region in the variables scaled
 * by the Jacobian's column norms, the damping parameter found by Moré's iteration, and each
 * damped system solved through a pivoted QR factorisation of J followed by Givens rotations that
 * absorb √λ·D. That never forms JᵀJ, so it stays accurate when J is badly conditioned, and a
 * rank-deficient J gives the least-squares step instead of a failure.
 *
 * Bounds (optional): projected Levenberg–Marquardt (Kanzow, Yamashita & Fukushima 2004). The
 * variables on a bound that descent would push through are held (their Jacobian columns leave the
 * model, so neither the step nor the gradient test sees them); the damped step of the others is
 * computed as without bounds and the trial point projected onto the box, with the predicted
 * reduction of the projected step under the linear model. Without bounds every step is MINPACK's.
 * The reference's LM fitter ignores bounds; ours keeps them, because the posterior built around a
 * fit (select/fisher.ts) works in log θ for parameters with a positive lower bound and spans the
 * box with its prior: a θ outside the box has no meaning there.
 *
 * Differences from MINPACK, deliberate:
 * - a trial point with non-finite residuals is a rejected step (the trust region shrinks tenfold),
 *   and an accepted point whose Jacobian is not finite is taken back the same way;
 * - `maxEvaluations` counts every call of `fn` (residuals alone or with the Jacobian) and is a
 *   hard cap;
 * - fewer residuals than variables (m < n) is allowed: the missing rows are zeros.
 */
import type { MinimizeResult, MinimizeStatus } from './types.js';

export type ResidualsWithJacobian = (x: Float64Array, r: Float64Array, J: Float64Array | null) => void; // r length m; J row-major m × n when not null

export interface LmOptions {
  /** Calls of `fn` (with or without the Jacobian). Default 5000. */
  maxEvaluations?: number;
  /** Stop when both the actual and the predicted relative reduction of ‖r‖² are ≤ ftol. Default 1e-8. */
  ftol?: number;
  /** Stop when the trust radius is ≤ xtol · ‖D·x‖. Default 1e-8. */
  xtol?: number;
  /** Stop when the largest cosine between r and a column of J is ≤ gtol. Default 1e-8. */
  gtol?: number;
  /** [lo, hi] per variable; infinite ends allowed. Default: unbounded. */
  bounds?: readonly (readonly [number, number])[];
}

export type LmResult = MinimizeResult & { cost: number /* 0.5*||r||^2 */ };

const DEFAULT_MAX_EVALUATIONS = 5000;
const DEFAULT_TOL = 1e-8;
const EPS = Number.EPSILON;
/** Smallest positive normal double (MINPACK's dwarf). */
const DWARF = 2.2250738585072014e-308;
/** Initial trust radius relative to ‖D·x0‖ (MINPACK's `factor`). */
const INITIAL_RADIUS_FACTOR = 100;
/** Steps accepted when the actual reduction is at least this fraction of the predicted one. */
const ACCEPT_RATIO = 1e-4;
/** Consecutive non-finite trials before giving up. */
const MAX_NON_FINITE_TRIALS = 20;

/** Euclidean norm of a[0..len): NaN if any entry is NaN, Infinity if any is infinite, rescaled when the plain sum overflows. */
function norm(a: Float64Array, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[i] * a[i];
  if (s < Infinity) return Math.sqrt(s);
  if (Number.isNaN(s)) return NaN;
  let big = 0;
  for (let i = 0; i < len; i++) {
    const v = Math.abs(a[i]);
    if (Number.isNaN(v)) return NaN;
    if (v > big) big = v;
  }
  if (big === Infinity) return Infinity;
  let t = 0;
  for (let i = 0; i < len; i++) t += (a[i] / big) ** 2;
  return big * Math.sqrt(t);
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/**
 * Householder QR with column pivoting of the column-major rows × n matrix A (rows ≥ n): on exit
 * the strict upper triangle of A holds R's off-diagonal part, the lower part the Householder
 * vectors, rdiag R's diagonal and ipvt the permutation (column j of R is column ipvt[j] of A).
 * acnorm receives the column norms of the original A.
 */
function qrFactor(A: Float64Array, rows: number, n: number, ipvt: Int32Array, rdiag: Float64Array, acnorm: Float64Array, wa: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += A[j * rows + i] ** 2;
    acnorm[j] = Math.sqrt(s);
    rdiag[j] = acnorm[j];
    wa[j] = acnorm[j];
    ipvt[j] = j;
  }
  for (let j = 0; j < n; j++) {
    // Largest remaining column first: rank deficiency then shows up as trailing zeros of R.
    let kmax = j;
    for (let k = j + 1; k < n; k++) if (rdiag[k] > rdiag[kmax]) kmax = k;
    if (kmax !== j) {
      for (let i = 0; i < rows; i++) {
        const t = A[j * rows + i];
        A[j * rows + i] = A[kmax * rows + i];
        A[kmax * rows + i] = t;
      }
      rdiag[kmax] = rdiag[j];
      wa[kmax] = wa[j];
      const t = ipvt[j];
      ipvt[j] = ipvt[kmax];
      ipvt[kmax] = t;
    }
    const cj = j * rows;
    let s = 0;
    for (let i = j; i < rows; i++) s += A[cj + i] ** 2;
    let ajnorm = Math.sqrt(s);
    if (ajnorm !== 0) {
      if (A[cj + j] < 0) ajnorm = -ajnorm;
      for (let i = j; i < rows; i++) A[cj + i] /= ajnorm;
      A[cj + j] += 1;
      for (let k = j + 1; k < n; k++) {
        const ck = k * rows;
        let sum = 0;
        for (let i = j; i < rows; i++) sum += A[cj + i] * A[ck + i];
        const temp = sum / A[cj + j];
        for (let i = j; i < rows; i++) A[ck + i] -= temp * A[cj + i];
        // Downdate the remaining norm cheaply; recompute it when cancellation has eaten it.
        if (rdiag[k] !== 0) {
          const q = A[ck + j] / rdiag[k];
          rdiag[k] *= Math.sqrt(Math.max(0, 1 - q * q));
          if (0.05 * (rdiag[k] / wa[k]) ** 2 <= EPS) {
            let t = 0;
            for (let i = j + 1; i < rows; i++) t += A[ck + i] ** 2;
            rdiag[k] = Math.sqrt(t);
            wa[k] = rdiag[k];
          }
        }
      }
    }
    rdiag[j] = -ajnorm;
  }
}

/**
 * Solves min ‖[R; diag(dScaled)·Pᵀ] z − [qtb; 0]‖ for z (returned in x, original order) by Givens
 * rotations; R is n × n row-major in pivoted order (upper triangle, kept), its strict lower
 * triangle receives Sᵀ and sdiag the diagonal of S, where SᵀS = Pᵀ(JᵀJ + D²)P.
 */
function qrSolve(
  n: number,
  R: Float64Array,
  ipvt: Int32Array,
  dScaled: Float64Array,
  qtb: Float64Array,
  x: Float64Array,
  sdiag: Float64Array,
  wa: Float64Array,
): void {
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) R[i * n + j] = R[j * n + i];
    x[j] = R[j * n + j];
    wa[j] = qtb[j];
  }
  for (let j = 0; j < n; j++) {
    const dj = dScaled[ipvt[j]];
    if (dj !== 0) {
      for (let k = j; k < n; k++) sdiag[k] = 0;
      sdiag[j] = dj;
      let qtbpj = 0;
      for (let k = j; k < n; k++) {
        if (sdiag[k] === 0) continue;
        const rkk = R[k * n + k];
        let cos: number;
        let sin: number;
        if (Math.abs(rkk) < Math.abs(sdiag[k])) {
          const cotan = rkk / sdiag[k];
          sin = 0.5 / Math.sqrt(0.25 + 0.25 * cotan * cotan);
          cos = sin * cotan;
        } else {
          const tan = sdiag[k] / rkk;
          cos = 0.5 / Math.sqrt(0.25 + 0.25 * tan * tan);
          sin = cos * tan;
        }
        R[k * n + k] = cos * rkk + sin * sdiag[k];
        const t = cos * wa[k] + sin * qtbpj;
        qtbpj = -sin * wa[k] + cos * qtbpj;
        wa[k] = t;
        for (let i = k + 1; i < n; i++) {
          const rik = R[i * n + k];
          R[i * n + k] = cos * rik + sin * sdiag[i];
          sdiag[i] = -sin * rik + cos * sdiag[i];
        }
      }
    }
    sdiag[j] = R[j * n + j];
    R[j * n + j] = x[j];
  }
  // A singular S gives the least-squares solution with the trailing components set to zero.
  let nsing = n;
  for (let j = 0; j < n; j++) {
    if (sdiag[j] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa[j] = 0;
  }
  for (let k = nsing - 1; k >= 0; k--) {
    let sum = 0;
    for (let i = k + 1; i < nsing; i++) sum += R[i * n + k] * wa[i];
    wa[k] = (wa[k] - sum) / sdiag[k];
  }
  for (let j = 0; j < n; j++) x[ipvt[j]] = wa[j];
}

/**
 * Moré's iteration for the damping λ (`par`) such that the step x of min ‖Jx − r‖² + λ‖Dx‖²
 * has ‖Dx‖ within 10% of delta (or λ = 0 when the Gauss–Newton step already fits). Returns λ.
 */
function dampingParameter(
  n: number,
  R: Float64Array,
  ipvt: Int32Array,
  diag: Float64Array,
  qtb: Float64Array,
  delta: number,
  par0: number,
  x: Float64Array,
  sdiag: Float64Array,
  wa1: Float64Array,
  wa2: Float64Array,
  wa3: Float64Array,
): number {
  let nsing = n;
  for (let j = 0; j < n; j++) {
    wa1[j] = qtb[j];
    if (R[j * n + j] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa1[j] = 0;
  }
  for (let k = nsing - 1; k >= 0; k--) {
    wa1[k] /= R[k * n + k];
    const t = wa1[k];
    for (let i = 0; i < k; i++) wa1[i] -= R[i * n + k] * t;
  }
  for (let j = 0; j < n; j++) x[ipvt[j]] = wa1[j];

  for (let j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
  let dxnorm = norm(wa2, n);
  let fp = dxnorm - delta;
  if (fp <= 0.1 * delta) return 0;

  // Lower bound from one Newton step on φ(λ) = ‖Dx(λ)‖ − Δ at λ = 0 (only with full rank).
  let parl = 0;
  if (nsing === n) {
    for (let j = 0; j < n; j++) {
      const l = ipvt[j];
      wa1[j] = diag[l] * (wa2[l] / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < j; i++) sum += R[i * n + j] * wa1[i];
      wa1[j] = (wa1[j] - sum) / R[j * n + j];
    }
    const t = norm(wa1, n);
    parl = fp / delta / t / t;
  }
  // Upper bound ‖D⁻¹Jᵀr‖ / Δ.
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = 0; i <= j; i++) sum += R[i * n + j] * qtb[i];
    wa1[j] = sum / diag[ipvt[j]];
  }
  const gnorm = norm(wa1, n);
  let paru = gnorm / delta;
  if (paru === 0) paru = DWARF / Math.min(delta, 0.1);

  let par = Math.min(Math.max(par0, parl), paru);
  if (par === 0) par = gnorm / dxnorm;

  for (let iter = 1; ; iter++) {
    if (par === 0) par = Math.max(DWARF, 0.001 * paru);
    const sp = Math.sqrt(par);
    for (let j = 0; j < n; j++) wa1[j] = sp * diag[j];
    qrSolve(n, R, ipvt, wa1, qtb, x, sdiag, wa3);
    for (let j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
    dxnorm = norm(wa2, n);
    const fpOld = fp;
    fp = dxnorm - delta;
    if (Math.abs(fp) <= 0.1 * delta || (parl === 0 && fp <= fpOld && fpOld < 0) || iter === 10) break;
    // Newton correction, with φ'(λ) from the factor S of the damped system.
    for (let j = 0; j < n; j++) {
      const l = ipvt[j];
      wa1[j] = diag[l] * (wa2[l] / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      wa1[j] /= sdiag[j];
      const t = wa1[j];
      for (let i = j + 1; i < n; i++) wa1[i] -= R[i * n + j] * t;
    }
    const t = norm(wa1, n);
    const parc = fp / delta / t / t;
    if (fp > 0) parl = Math.max(parl, par);
    if (fp < 0) paru = Math.min(paru, par);
    par = Math.max(parl, par + parc);
  }
  return par;
}

/**
 * Minimises ½‖r(x)‖² from x0 with Levenberg–Marquardt (unbounded). `f` in the result is ‖r‖²,
 * `cost` is ½‖r‖². Never throws for numerical trouble: a start with non-finite residuals or
 * Jacobian gives status 'non-finite' (f = cost = NaN). `fn` must not keep or modify its x.
 */
export function levenbergMarquardt(fn: ResidualsWithJacobian, x0: ArrayLike<number>, m: number, options: LmOptions = {}): LmResult {
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`levenbergMarquardt: m must be a non-negative integer, got ${m}`);
  const n = x0.length;
  const maxEvaluations = options.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS;
  const ftol = options.ftol ?? DEFAULT_TOL;
  const xtol = options.xtol ?? DEFAULT_TOL;
  const gtol = options.gtol ?? DEFAULT_TOL;
  // Zero rows pad an underdetermined problem so that the factorisation is square at least.
  const rows = Math.max(m, n);

  const bounds = options.bounds;
  if (bounds !== undefined && bounds.length !== n) throw new RangeError(`levenbergMarquardt: ${bounds.length} bounds for ${n} variables`);
  let x = Float64Array.from(x0);
  if (bounds) for (let j = 0; j < n; j++) x[j] = Math.min(Math.max(x[j], bounds[j][0]), bounds[j][1]);
  let xTrial = new Float64Array(n);
  let r = new Float64Array(m);
  let rTrial = new Float64Array(m);
  const rScratch = new Float64Array(m);
  const J = new Float64Array(m * n);
  const A = new Float64Array(rows * n);
  const R = new Float64Array(n * n);
  const qtf = new Float64Array(rows);
  const ipvt = new Int32Array(n);
  const diag = new Float64Array(n);
  const acnorm = new Float64Array(n);
  const rdiag = new Float64Array(n);
  const sdiag = new Float64Array(n);
  const step = new Float64Array(n);
  const wa1 = new Float64Array(n);
  const wa2 = new Float64Array(n);
  const wa3 = new Float64Array(n);

  /** Exchanges the current and trial points (and residuals) without copying. */
  const swap = (): void => {
    const xt = x;
    x = xTrial;
    xTrial = xt;
    const rt = r;
    r = rTrial;
    rTrial = rt;
  };

  let evaluations = 0;
  let iterations = 0;
  let fnorm = NaN;
  const done = (status: MinimizeStatus): LmResult => {
    const f = status === 'non-finite' ? NaN : fnorm * fnorm;
    return { x: x.slice(), f, cost: 0.5 * f, status, iterations, evaluations };
  };

  if (!allFinite(x)) return done('non-finite');
  if (maxEvaluations < 1) return done('max-evaluations');
  fn(x, r, J);
  evaluations = 1;
  fnorm = norm(r, m);
  if (!Number.isFinite(fnorm) || !allFinite(J)) return done('non-finite');

  let par = 0;
  let delta = 0;
  let xnorm = 0;
  let gnorm = 0;
  let firstFactor = true;
  let needFactor = true;
  let nonFiniteRun = 0;

  for (;;) {
    if (needFactor) {
      needFactor = false;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < m; i++) A[j * rows + i] = J[i * n + j];
        for (let i = m; i < rows; i++) A[j * rows + i] = 0;
      }
      if (bounds) {
        // a variable on a bound that descent (−Jᵀr) would push through is held: its column leaves the
        // model, so the damped step moves the others only and the gradient test ignores it
        for (let j = 0; j < n; j++) {
          let g = 0;
          for (let i = 0; i < m; i++) g += J[i * n + j] * r[i];
          if ((x[j] <= bounds[j][0] && g > 0) || (x[j] >= bounds[j][1] && g < 0)) for (let i = 0; i < rows; i++) A[j * rows + i] = 0;
        }
      }
      qrFactor(A, rows, n, ipvt, rdiag, acnorm, wa1);
      if (firstFactor) {
        // Scale each variable by its column norm so that the trust region is invariant to units.
        firstFactor = false;
        for (let j = 0; j < n; j++) diag[j] = acnorm[j] === 0 ? 1 : acnorm[j];
        for (let j = 0; j < n; j++) wa3[j] = diag[j] * x[j];
        xnorm = norm(wa3, n);
        delta = INITIAL_RADIUS_FACTOR * xnorm;
        if (delta === 0) delta = INITIAL_RADIUS_FACTOR;
      }
      for (let i = 0; i < m; i++) qtf[i] = r[i];
      for (let i = m; i < rows; i++) qtf[i] = 0;
      for (let j = 0; j < n; j++) {
        const cj = j * rows;
        if (A[cj + j] === 0) continue;
        let sum = 0;
        for (let i = j; i < rows; i++) sum += A[cj + i] * qtf[i];
        const t = -sum / A[cj + j];
        for (let i = j; i < rows; i++) qtf[i] += t * A[cj + i];
      }
      for (let i = 0; i < n; i++) {
        R[i * n + i] = rdiag[i];
        for (let j = i + 1; j < n; j++) R[i * n + j] = A[j * rows + i];
      }
      // Scaled gradient: the largest cosine between r and a column of J.
      gnorm = 0;
      if (fnorm !== 0) {
        for (let j = 0; j < n; j++) {
          const l = ipvt[j];
          if (acnorm[l] === 0) continue;
          let sum = 0;
          for (let i = 0; i <= j; i++) sum += R[i * n + j] * (qtf[i] / fnorm);
          gnorm = Math.max(gnorm, Math.abs(sum / acnorm[l]));
        }
      }
      if (gnorm <= gtol) return done('converged-gtol');
      for (let j = 0; j < n; j++) diag[j] = Math.max(diag[j], acnorm[j]);
    }

    par = dampingParameter(n, R, ipvt, diag, qtf, delta, par, step, sdiag, wa1, wa2, wa3);
    let projected = false;
    for (let j = 0; j < n; j++) {
      let t = x[j] - step[j];
      if (bounds) {
        const [lo, hi] = bounds[j];
        if (t < lo || t > hi) {
          t = t < lo ? lo : hi;
          projected = true;
        }
      }
      xTrial[j] = t;
      step[j] = bounds ? t - x[j] : -step[j];
      wa3[j] = diag[j] * step[j];
    }
    const pnorm = norm(wa3, n);
    if (iterations === 0 && pnorm > 0) delta = Math.min(delta, pnorm);

    if (evaluations >= maxEvaluations) return done('max-evaluations');
    fn(xTrial, rTrial, null);
    evaluations++;
    let fnorm1 = norm(rTrial, m);
    const trialFinite = Number.isFinite(fnorm1) && allFinite(xTrial);
    if (!trialFinite) fnorm1 = Infinity;

    const actred = 0.1 * fnorm1 < fnorm ? 1 - (fnorm1 / fnorm) ** 2 : -1;
    for (let j = 0; j < n; j++) wa3[j] = 0;
    for (let j = 0; j < n; j++) {
      const t = step[ipvt[j]];
      for (let i = 0; i <= j; i++) wa3[i] += R[i * n + j] * t;
    }
    const temp1 = norm(wa3, n) / fnorm;
    const temp2 = (Math.sqrt(par) * pnorm) / fnorm;
    let prered = temp1 * temp1 + (temp2 * temp2) / 0.5;
    let dirder = -(temp1 * temp1 + temp2 * temp2);
    if (projected) {
      // MINPACK's identities hold for the damped step only; the projected one gets the model's own
      // reduction, 1 − ‖r + Jp‖²/‖r‖² with rᵀJp = (Qᵀr)ᵀ(R Pᵀp)
      let cross = 0;
      for (let i = 0; i < n; i++) cross += qtf[i] * wa3[i];
      cross /= fnorm * fnorm;
      prered = -(2 * cross + temp1 * temp1);
      dirder = cross;
    }
    const ratio = prered !== 0 ? actred / prered : 0;

    if (ratio <= 0.25) {
      let t = actred >= 0 ? 0.5 : (0.5 * dirder) / (dirder + 0.5 * actred);
      if (0.1 * fnorm1 >= fnorm || t < 0.1) t = 0.1;
      delta = t * Math.min(delta, pnorm / 0.1);
      par /= t;
    } else if (par === 0 || ratio >= 0.75) {
      delta = pnorm / 0.5;
      par *= 0.5;
    }

    let accepted = false;
    if (ratio >= ACCEPT_RATIO) {
      accepted = true;
      swap();
      for (let j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
      xnorm = norm(wa2, n);
      fnorm = fnorm1;
      iterations++;
    }

    if (trialFinite) {
      nonFiniteRun = 0;
      const ftolMet = Math.abs(actred) <= ftol && prered <= ftol && 0.5 * ratio <= 1;
      if (ftolMet) return done('converged-ftol');
      if (delta <= xtol * xnorm) return done('converged-xtol');
    } else if (++nonFiniteRun >= MAX_NON_FINITE_TRIALS) {
      return done('line-search-failed');
    }
    if (evaluations >= maxEvaluations) return done('max-evaluations');
    // Tolerances below machine precision: nothing more can be gained.
    if (Math.abs(actred) <= EPS && prered <= EPS && 0.5 * ratio <= 1) return done('converged-ftol');
    if (delta <= EPS * xnorm) return done('converged-xtol');
    if (gnorm <= EPS) return done('converged-gtol');

    if (accepted) {
      // The residuals at x are already known; keep them (fn may round differently with J).
      fn(x, rScratch, J);
      evaluations++;
      if (allFinite(J)) {
        needFactor = true;
      } else {
        // Take the step back: the factorisation of the previous point is still valid.
        swap();
        fnorm = norm(r, m);
        for (let j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
        xnorm = norm(wa2, n);
        iterations--;
        delta = 0.1 * Math.min(delta, pnorm);
        par *= 10;
        if (++nonFiniteRun >= MAX_NON_FINITE_TRIALS) return done('line-search-failed');
      }
    }
  }
}
