/**
 * The LMC likelihood when every curve is observed at the same log-compute points (a shared grid:
 * all curves revealed to the same compute, as in SH's first round or a benchmark), where the
 * covariance is a Kronecker product plus a rank-one term:
 *
 *   K = B ⊗ Kt + σ² I + b² 1 1ᵀ,   B = W Wᵀ + diag κ (M × M),   Kt = k(t_j, t_l) (n × n).
 *
 * With B = U Λ Uᵀ and Kt = V Μ Vᵀ, A = B ⊗ Kt + σ² I = (U ⊗ V) diag(λ_i μ_l + σ²) (U ⊗ V)ᵀ, so
 * A⁻¹ and log|A| cost two small eigendecompositions and products of M × n matrices; the bias is
 * the Sherman–Morrison update K⁻¹ = A⁻¹ − c z zᵀ, z = A⁻¹1, c = b² / (1 + b² 1ᵀz), and
 * log|K| = log|A| + log(1 + b² 1ᵀz). One evaluation with its gradient is O(M³ + n³ + M n (M + n))
 * instead of the dense path's O((M n)³). Gradients use tr((ααᵀ − K⁻¹)(H ⊗ T)) for the structured
 * derivatives H ⊗ T of K, with tr(A⁻¹(H ⊗ T)) = Σ_il (UᵀHU)_ii (VᵀTV)_ll / (λ_i μ_l + σ²).
 */
import { symmetricEigen } from './linalg.js';
import type { LmcData } from './lmc.js';

const LOG_2PI = Math.log(2 * Math.PI);
const JITTER_START = 1e-8;
const JITTER_MAX = 1e-2;

/**
 * n when every curve of `data` has the same n points at exactly the same t (so the data are an
 * M × n grid, curve-major), else 0.
 */
export function sharedGridPoints(data: LmcData): number {
  const { curves: M, start, t } = data;
  const n = start[1] - start[0];
  if (n === 0) return 0;
  for (let a = 1; a < M; a++) {
    if (start[a + 1] - start[a] !== n) return 0;
    for (let j = 0; j < n; j++) if (t[start[a] + j] !== t[j]) return 0;
  }
  return n;
}

/** Buffers of one Kronecker evaluation, sized for one grid and rank; the objective then allocates nothing. */
export class KroneckerWorkspace {
  readonly curves: number;
  readonly points: number;
  readonly rank: number;
  /** Kt, then (after the decomposition) V; n × n. */
  readonly kt: Float64Array;
  readonly V: Float64Array;
  /** log(β / (t_j + t_l + β)) and (t_j + t_l) / (t_j + t_l + β), n × n. */
  readonly logRatio: Float64Array;
  readonly sRatio: Float64Array;
  readonly mu: Float64Array;
  readonly B: Float64Array;
  readonly U: Float64Array;
  readonly lambda: Float64Array;
  readonly kappa: Float64Array;
  /** 1 / (λ_i μ_l + σ² + jitter), M × n. */
  readonly einv: Float64Array;
  /** K⁻¹ y after every successful evaluation (curve-major, as data.y). */
  readonly alpha: Float64Array;
  readonly z: Float64Array;
  readonly yt: Float64Array;
  readonly tmp: Float64Array;
  readonly tmp2: Float64Array;
  readonly u1: Float64Array;
  readonly v1: Float64Array;
  readonly scratch: Float64Array;
  /** Σ_{p∈a, q∈b} Q_pq k_pq (M × M) and the n × n analogue Σ_ab B_ab Q_(a,j)(b,l). */
  readonly S: Float64Array;
  readonly R: Float64Array;
  jitter = 0;

  constructor(data: LmcData, rank: number) {
    const n = sharedGridPoints(data);
    if (n === 0) throw new RangeError('LMC: the curves are not on a shared grid of t');
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`LMC: rank must be a positive integer, got ${rank}`);
    const M = data.curves;
    this.curves = M;
    this.points = n;
    this.rank = rank;
    this.kt = new Float64Array(n * n);
    this.V = new Float64Array(n * n);
    this.logRatio = new Float64Array(n * n);
    this.sRatio = new Float64Array(n * n);
    this.mu = new Float64Array(n);
    this.B = new Float64Array(M * M);
    this.U = new Float64Array(M * M);
    this.lambda = new Float64Array(M);
    this.kappa = new Float64Array(M);
    this.einv = new Float64Array(M * n);
    this.alpha = new Float64Array(M * n);
    this.z = new Float64Array(M * n);
    this.yt = new Float64Array(M * n);
    this.tmp = new Float64Array(M * n);
    this.tmp2 = new Float64Array(M * n);
    this.u1 = new Float64Array(M);
    this.v1 = new Float64Array(n);
    this.scratch = new Float64Array(Math.max(M, n));
    this.S = new Float64Array(M * M);
    this.R = new Float64Array(n * n);
  }
}

/** out (M × n) = Uᵀ X V, through tmp. */
function rotate(X: Float64Array, U: Float64Array, V: Float64Array, M: number, n: number, tmp: Float64Array, out: Float64Array): void {
  tmp.fill(0);
  for (let a = 0; a < M; a++) {
    const ra = a * n;
    for (let i = 0; i < M; i++) {
      const u = U[a * M + i];
      const ri = i * n;
      for (let j = 0; j < n; j++) tmp[ri + j] += u * X[ra + j];
    }
  }
  out.fill(0);
  for (let i = 0; i < M; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) {
      const x = tmp[ri + j];
      const rj = j * n;
      for (let l = 0; l < n; l++) out[ri + l] += x * V[rj + l];
    }
  }
}

/** out (M × n) = U X Vᵀ, through tmp. */
function unrotate(X: Float64Array, U: Float64Array, V: Float64Array, M: number, n: number, tmp: Float64Array, out: Float64Array): void {
  tmp.fill(0);
  for (let a = 0; a < M; a++) {
    const ra = a * n;
    for (let i = 0; i < M; i++) {
      const u = U[a * M + i];
      const ri = i * n;
      for (let l = 0; l < n; l++) tmp[ra + l] += u * X[ri + l];
    }
  }
  for (let a = 0; a < M; a++) {
    const ra = a * n;
    for (let j = 0; j < n; j++) {
      const rj = j * n;
      let s = 0;
      for (let l = 0; l < n; l++) s += tmp[ra + l] * V[rj + l];
      out[ra + j] = s;
    }
  }
}

/** S += scale · X T Xᵀ for X (M × n), T symmetric n × n; tmp is M × n. */
function addXTXt(X: Float64Array, T: Float64Array, M: number, n: number, scale: number, tmp: Float64Array, S: Float64Array): void {
  for (let a = 0; a < M; a++) {
    const ra = a * n;
    for (let l = 0; l < n; l++) {
      const rl = l * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += X[ra + j] * T[rl + j];
      tmp[ra + l] = s;
    }
  }
  for (let a = 0; a < M; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += tmp[a * n + l] * X[b * n + l];
      S[a * M + b] += scale * s;
      if (b !== a) S[b * M + a] += scale * s;
    }
  }
}

/** R += scale · Xᵀ H X for X (M × n), H symmetric M × M; tmp is M × n. */
function addXtHX(X: Float64Array, H: Float64Array, M: number, n: number, scale: number, tmp: Float64Array, R: Float64Array): void {
  tmp.fill(0);
  for (let a = 0; a < M; a++) {
    for (let b = 0; b < M; b++) {
      const h = H[a * M + b];
      for (let l = 0; l < n; l++) tmp[a * n + l] += h * X[b * n + l];
    }
  }
  for (let a = 0; a < M; a++) {
    for (let j = 0; j < n; j++) {
      const x = scale * X[a * n + j];
      const rj = j * n;
      for (let l = 0; l < n; l++) R[rj + l] += x * tmp[a * n + l];
    }
  }
}

/**
 * The same value and gradient as `negativeLogMarginal` (see there for the packing, the gradient and
 * the jitter rule), computed in the Kronecker form; only for data on a shared grid
 * (`sharedGridPoints(data) > 0`). K is positive definite when every λ_i μ_l + σ² is positive;
 * otherwise jitter is added to those (and so to K's diagonal) on the dense path's schedule.
 */
export function negativeLogMarginalKronecker(packed: Float64Array, data: LmcData, grad?: Float64Array, workspace?: KroneckerWorkspace): number {
  const M = data.curves;
  const R = (packed.length - 4) / M - 1;
  if (!Number.isInteger(R) || R < 1) throw new RangeError(`LMC: a packed vector of length ${packed.length} fits no rank ≥ 1 for ${M} curves`);
  const ws = workspace ?? new KroneckerWorkspace(data, R);
  const n = ws.points;
  if (ws.curves !== M || ws.rank !== R || n * M !== data.n) {
    throw new RangeError(`LMC: Kronecker workspace is for M = ${ws.curves}, n = ${n}, R = ${R}; problem has M = ${M}, N = ${data.n}, R = ${R}`);
  }
  if (grad && grad.length !== packed.length) throw new RangeError(`LMC: gradient has ${grad.length} entries, θ has ${packed.length}`);
  const N = data.n;
  const { t, y } = data;
  const { kt, V, logRatio, sRatio, mu, B, U, lambda, kappa, einv, alpha: a, z, yt, tmp, tmp2, u1, v1, scratch, S, R: Rn } = ws;

  const alphaK = Math.exp(packed[0]);
  const betaK = Math.exp(packed[1]);
  const logBeta = packed[1];
  const noise = Math.exp(packed[2 + M * R + M]);
  const bias = Math.exp(packed[3 + M * R + M]);

  for (let i = 0; i < M; i++) kappa[i] = Math.exp(packed[2 + M * R + i]);
  let meanB = 0;
  for (let p = 0; p < M; p++) {
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += packed[2 + p * R + r] * packed[2 + q * R + r];
      if (p === q) {
        s += kappa[p];
        meanB += s;
      }
      B[p * M + q] = s;
      B[q * M + p] = s;
    }
  }
  meanB /= M;
  let meanKt = 0;
  for (let j = 0; j < n; j++) {
    for (let l = 0; l <= j; l++) {
      const s = t[j] + t[l];
      const lr = logBeta - Math.log(s + betaK);
      const k = Math.exp(alphaK * lr);
      const sr = s / (s + betaK);
      const jl = j * n + l;
      const lj = l * n + j;
      logRatio[jl] = lr;
      logRatio[lj] = lr;
      sRatio[jl] = sr;
      sRatio[lj] = sr;
      kt[jl] = k;
      kt[lj] = k;
    }
    meanKt += kt[j * n + j];
  }
  meanKt /= n;

  U.set(B);
  V.set(kt);
  if (!symmetricEigen(U, M, lambda, scratch) || !symmetricEigen(V, n, mu, scratch)) {
    ws.jitter = NaN;
    if (grad) grad.fill(NaN);
    return Infinity;
  }

  // K's mean diagonal, to which the jitter is relative as on the dense path.
  const meanDiag = meanB * meanKt + noise + bias;
  let jitter = 0;
  for (;;) {
    let ok = true;
    for (let i = 0; i < M && ok; i++) {
      for (let l = 0; l < n; l++) {
        const e = lambda[i] * mu[l] + noise + jitter;
        if (!(e > 0) || e === Infinity) {
          ok = false;
          break;
        }
        einv[i * n + l] = 1 / e;
      }
    }
    if (ok) break;
    jitter = jitter === 0 ? JITTER_START * meanDiag : jitter * 10;
    if (!(jitter <= JITTER_MAX * meanDiag * (1 + 1e-9))) {
      ws.jitter = NaN;
      if (grad) grad.fill(NaN);
      return Infinity;
    }
  }
  ws.jitter = jitter;

  // Rotated y and 1 (1 rotates to the outer product (Uᵀ1)(Vᵀ1)ᵀ).
  rotate(y, U, V, M, n, tmp, yt);
  u1.fill(0);
  v1.fill(0);
  for (let b = 0; b < M; b++) for (let i = 0; i < M; i++) u1[i] += U[b * M + i];
  for (let j = 0; j < n; j++) for (let l = 0; l < n; l++) v1[l] += V[j * n + l];
  let logDet = 0;
  let yAy = 0;
  let oneAy = 0;
  let oneAone = 0;
  let traceAinv = 0;
  for (let i = 0; i < M; i++) {
    // log|A| one log per row: a product of 1/e over a row, rescaled whenever it leaves [1e-100, 1e100].
    let prod = 1;
    for (let l = 0; l < n; l++) {
      const k = i * n + l;
      const w = einv[k];
      const o = u1[i] * v1[l];
      prod *= w;
      if (prod < 1e-100 || prod > 1e100) {
        logDet -= Math.log(prod);
        prod = 1;
      }
      yAy += yt[k] * yt[k] * w;
      oneAy += o * yt[k] * w;
      oneAone += o * o * w;
      traceAinv += w;
      tmp2[k] = yt[k] * w;
    }
    logDet -= Math.log(prod);
  }
  const c = bias / (1 + bias * oneAone);
  logDet += Math.log1p(bias * oneAone);
  const quad = yAy - c * oneAy * oneAy;
  const f = 0.5 * quad + 0.5 * logDet + 0.5 * N * LOG_2PI;

  // a = K⁻¹y = A⁻¹y − c (1ᵀA⁻¹y) z, z = A⁻¹1.
  unrotate(tmp2, U, V, M, n, tmp, a);
  for (let i = 0; i < M; i++) for (let l = 0; l < n; l++) tmp2[i * n + l] = u1[i] * v1[l] * einv[i * n + l];
  unrotate(tmp2, U, V, M, n, tmp, z);
  const shift = c * oneAy;
  for (let p = 0; p < N; p++) a[p] -= shift * z[p];
  if (!grad) return f;

  // S = a Kt aᵀ + c z Kt zᵀ − U diag(g) Uᵀ, g_i = Σ_l μ_l / e_il (the block sums of Q ∘ k).
  S.fill(0);
  addXTXt(a, kt, M, n, 1, tmp, S);
  addXTXt(z, kt, M, n, c, tmp, S);
  for (let i = 0; i < M; i++) {
    let g = 0;
    for (let l = 0; l < n; l++) g += mu[l] * einv[i * n + l];
    scratch[i] = g;
  }
  for (let p = 0; p < M; p++) {
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += U[p * M + i] * scratch[i] * U[q * M + i];
      S[p * M + q] -= s;
      if (q !== p) S[q * M + p] -= s;
    }
  }
  // Rn = aᵀ B a + c zᵀ B z − V diag(h) Vᵀ, h_l = Σ_i λ_i / e_il: Σ_ab B_ab Q_(a,j)(b,l).
  Rn.fill(0);
  addXtHX(a, B, M, n, 1, tmp, Rn);
  addXtHX(z, B, M, n, c, tmp, Rn);
  for (let l = 0; l < n; l++) {
    let h = 0;
    for (let i = 0; i < M; i++) h += lambda[i] * einv[i * n + l];
    scratch[l] = h;
  }
  // Over the lower triangle of the symmetric n × n sums, off-diagonal terms counted twice.
  let gAlpha = 0;
  let gBeta = 0;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    for (let l = 0; l <= j; l++) {
      const rl = l * n;
      let s = 0;
      for (let m = 0; m < n; m++) s += V[rj + m] * scratch[m] * V[rl + m];
      const k = rj + l;
      const qk = (l === j ? 1 : 2) * (Rn[k] - s) * kt[k];
      gAlpha += qk * logRatio[k];
      gBeta += qk * sRatio[k];
    }
  }
  let aa = 0;
  let sumA = 0;
  let zz = 0;
  for (let p = 0; p < N; p++) {
    aa += a[p] * a[p];
    sumA += a[p];
    zz += z[p] * z[p];
  }
  const traceQ = aa - traceAinv + c * zz;
  const sumQ = sumA * sumA - oneAone / (1 + bias * oneAone);

  grad[0] = -0.5 * alphaK * gAlpha;
  grad[1] = -0.5 * alphaK * gBeta;
  for (let i = 0; i < M; i++) {
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let b = 0; b < M; b++) s += S[i * M + b] * packed[2 + b * R + r];
      grad[2 + i * R + r] = -s;
    }
    grad[2 + M * R + i] = -0.5 * kappa[i] * S[i * M + i];
  }
  grad[2 + M * R + M] = -0.5 * noise * traceQ;
  grad[3 + M * R + M] = -0.5 * bias * sumQ;
  return f;
}
