/**
 * The LMC likelihood when every curve is observed at the same log-compute points (a shared grid:
 * all curves revealed to the same compute, as in SH's first round or a benchmark), where the
 * covariance is a Kronecker product plus a rank-one term:
 *
 *   K = A + b² 1 1ᵀ,   A = B ⊗ Kt + σ² I,   B = W Wᵀ + diag κ (M × M),   Kt = k(t_j, t_l) (n × n).
 *
 * With Kt = V diag(μ) Vᵀ (one n × n eigendecomposition), (I ⊗ V)ᵀ A (I ⊗ V) is block diagonal:
 * block l is A_l = μ_l B + σ² I = D_l + μ_l W Wᵀ with D_l = diag(μ_l κ + σ²), a diagonal plus rank
 * R, which the Woodbury identity inverts through the R × R matrix C_l = I + μ_l Wᵀ D_l⁻¹ W:
 * A_l⁻¹ = D_l⁻¹ − μ_l H_l H_lᵀ with H_l = D_l⁻¹ W L_l⁻ᵀ, C_l = L_l L_lᵀ, and
 * log|A_l| = Σ log D_l + log|C_l|. The bias is the Sherman–Morrison update K⁻¹ = A⁻¹ − c z zᵀ,
 * z = A⁻¹1, c = b² / (1 + b² 1ᵀz), log|K| = log|A| + log(1 + b² 1ᵀz). One evaluation with its
 * gradient costs O(n³ + M n (n + R²)) instead of the dense path's O((M n)³).
 *
 * The gradient is −½ tr(Q ∂K) with Q = ααᵀ − K⁻¹ (α = K⁻¹y), as on the dense path, whose notation
 * this follows. In the rotated basis Q̂ = âââᵀ + c ẑẑᵀ − blockdiag(A_l⁻¹) (hats: (I ⊗ V)ᵀ applied),
 * and the two contractions the gradient needs are
 *   S = Σ_{p∈a, q∈b} Q_pq k_pq = Σ_l μ_l (â_l â_lᵀ + c ẑ_l ẑ_lᵀ − A_l⁻¹)   (M × M; only S W and diag S are used),
 *   R = Σ_ab B_ab Q_(a,·)(b,·) = V R̂ Vᵀ,  R̂_ll′ = â_lᵀ B â_l′ + c ẑ_lᵀ B ẑ_l′ − δ_ll′ tr(B A_l⁻¹)   (n × n).
 */
import { timeKernel, timeKernelGrid } from './kernel.js';
import { cholesky } from '../../linalg/cholesky.js';
import { symmetricEigen } from '../../linalg/eigen.js';
import type { LmcData } from './data.js';

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

/**
 * Buffers of one Kronecker evaluation, sized for one grid and rank; the objective then allocates
 * nothing. Rotated vectors (hats) are stored eigenvector-major: entry (l, a) at l·M + a.
 */
export class KroneckerWorkspace {
  readonly curves: number;
  readonly points: number;
  readonly rank: number;
  /** k(t_j, t_l), k · log(β / (s + β)) and k · s / (s + β) with s = t_j + t_l; n × n. */
  readonly kt: Float64Array;
  readonly ktLog: Float64Array;
  readonly ktRatio: Float64Array;
  /** Eigenvectors of Kt in columns (n × n) and eigenvalues. */
  readonly V: Float64Array;
  readonly mu: Float64Array;
  /** Vᵀ1. */
  readonly v1: Float64Array;
  readonly B: Float64Array;
  readonly kappa: Float64Array;
  /** 1 / diag(D_l), n × M. */
  readonly dinv: Float64Array;
  /** H_l = D_l⁻¹ W L_l⁻ᵀ, n × M × R, and the Cholesky factors L_l of C_l, n × R × R. */
  readonly H: Float64Array;
  readonly L: Float64Array;
  /** L_l as views into L (made once: a view per evaluation would allocate), and the pivots of the last factorisation. */
  readonly Lblock: Float64Array[];
  readonly pivots: Float64Array;
  readonly yHat: Float64Array;
  readonly aHat: Float64Array;
  readonly zHat: Float64Array;
  /** K⁻¹ y after every successful evaluation (curve-major, as data.y). */
  readonly alpha: Float64Array;
  /** Wᵀ â_l and Wᵀ ẑ_l (n × R), H_lᵀ W (R × R), S W (M × R), diag S (M), tr(B A_l⁻¹) (n). */
  readonly wa: Float64Array;
  readonly wz: Float64Array;
  readonly hw: Float64Array;
  readonly SW: Float64Array;
  readonly Sdiag: Float64Array;
  readonly trBA: Float64Array;
  /** R̂ and V R̂ (n × n). */
  readonly Rhat: Float64Array;
  readonly VR: Float64Array;
  /** All ones, n × M. */
  readonly ones: Float64Array;
  readonly scratch: Float64Array;
  /** c = b² / (1 + b² 1ᵀA⁻¹1) of the last evaluation. */
  c = 0;
  /** Jitter of the last evaluation (NaN when even the largest failed). */
  jitter = 0;

  constructor(data: LmcData, rank: number) {
    const n = sharedGridPoints(data);
    if (n === 0) throw new RangeError('LMC: the curves are not on a shared grid of t');
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`LMC: rank must be a positive integer, got ${rank}`);
    const M = data.curves;
    const R = rank;
    this.curves = M;
    this.points = n;
    this.rank = R;
    this.kt = new Float64Array(n * n);
    this.ktLog = new Float64Array(n * n);
    this.ktRatio = new Float64Array(n * n);
    this.V = new Float64Array(n * n);
    this.mu = new Float64Array(n);
    this.v1 = new Float64Array(n);
    this.B = new Float64Array(M * M);
    this.kappa = new Float64Array(M);
    this.dinv = new Float64Array(n * M);
    this.H = new Float64Array(n * M * R);
    this.L = new Float64Array(n * R * R);
    this.Lblock = Array.from({ length: n }, (_, l) => this.L.subarray(l * R * R, (l + 1) * R * R));
    this.pivots = new Float64Array(R);
    this.yHat = new Float64Array(n * M);
    this.aHat = new Float64Array(n * M);
    this.zHat = new Float64Array(n * M);
    this.alpha = new Float64Array(M * n);
    this.wa = new Float64Array(n * R);
    this.wz = new Float64Array(n * R);
    this.hw = new Float64Array(R * R);
    this.SW = new Float64Array(M * R);
    this.Sdiag = new Float64Array(M);
    this.trBA = new Float64Array(n);
    this.Rhat = new Float64Array(n * n);
    this.VR = new Float64Array(n * n);
    this.ones = new Float64Array(n * M).fill(1);
    this.scratch = new Float64Array(Math.max(M, n, R));
  }
}

/**
 * Fills dinv, L and H for every block and returns Σ_l log|A_l|, or NaN when some D_l entry is not
 * above `floor` or some C_l is not positive definite.
 */
function factorBlocks(ws: KroneckerWorkspace, W: Float64Array, wOffset: number, noise: number, jitter: number, floor: number): number {
  const { curves: M, points: n, rank: R, mu, kappa, dinv, H, L, Lblock, pivots } = ws;
  let logDet = 0;
  for (let l = 0; l < n; l++) {
    const m = mu[l];
    const dl = l * M;
    // log|D_l| as the log of a product, rescaled before it can leave the floating-point range.
    let prod = 1;
    for (let a = 0; a < M; a++) {
      const d = m * kappa[a] + noise + jitter;
      if (!(d > floor) || d === Infinity) return NaN;
      dinv[dl + a] = 1 / d;
      prod *= d;
      if (prod > 1e100 || prod < 1e-100) {
        logDet += Math.log(prod);
        prod = 1;
      }
    }
    logDet += Math.log(prod);
    // C_l = I + μ_l Wᵀ D_l⁻¹ W and its Cholesky factor, lower triangle of L_l.
    const lo = l * R * R;
    for (let r = 0; r < R; r++) {
      for (let s = 0; s <= r; s++) {
        let v = 0;
        for (let a = 0; a < M; a++) v += W[wOffset + a * R + r] * W[wOffset + a * R + s] * dinv[dl + a];
        L[lo + r * R + s] = (r === s ? 1 : 0) + m * v;
      }
    }
    if (!cholesky(Lblock[l], R, R, pivots)) return NaN;
    for (let r = 0; r < R; r++) logDet += Math.log(pivots[r]);
    // Row a of H_l solves L_l h = D_l⁻¹ W_a·.
    for (let a = 0; a < M; a++) {
      const ha = (dl + a) * R;
      for (let r = 0; r < R; r++) {
        let x = dinv[dl + a] * W[wOffset + a * R + r];
        for (let k = 0; k < r; k++) x -= L[lo + r * R + k] * H[ha + k];
        H[ha + r] = x / L[lo + r * R + r];
      }
    }
  }
  return logDet;
}

/** out = A_l⁻¹ v for M-vectors at offset l·M of v and out (out may not be v). */
function solveBlock(ws: KroneckerWorkspace, l: number, v: Float64Array, out: Float64Array): void {
  const { curves: M, rank: R, mu, dinv, H, scratch } = ws;
  const dl = l * M;
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let a = 0; a < M; a++) s += H[(dl + a) * R + r] * v[dl + a];
    scratch[r] = mu[l] * s;
  }
  for (let a = 0; a < M; a++) {
    let s = dinv[dl + a] * v[dl + a];
    for (let r = 0; r < R; r++) s -= H[(dl + a) * R + r] * scratch[r];
    out[dl + a] = s;
  }
}

/**
 * The same value and gradient as `negativeLogMarginal` (see there for the packing, the gradient and
 * the jitter rule), computed in the Kronecker form; only for data on a shared grid
 * (`sharedGridPoints(data) > 0`). K counts as positive definite when every entry of D_l exceeds
 * N·ε times a bound on A's largest eigenvalue and every C_l factorises; otherwise jitter is added to
 * K's diagonal (that is, to every D_l) on the dense path's schedule.
 */
export function negativeLogMarginalKronecker(packed: Float64Array, data: LmcData, grad?: Float64Array, workspace?: KroneckerWorkspace): number {
  const M = data.curves;
  const R = (packed.length - 4) / M - 1;
  if (!Number.isInteger(R) || R < 1) throw new RangeError(`LMC: a packed vector of length ${packed.length} fits no rank ≥ 1 for ${M} curves`);
  const ws = workspace ?? new KroneckerWorkspace(data, R);
  const n = ws.points;
  if (ws.curves !== M || ws.rank !== R || n * M !== data.n) {
    throw new RangeError(`LMC: Kronecker workspace is for M = ${ws.curves}, n = ${n}, R = ${ws.rank}; problem has M = ${M}, N = ${data.n}, R = ${R}`);
  }
  if (grad && grad.length !== packed.length) throw new RangeError(`LMC: gradient has ${grad.length} entries, θ has ${packed.length}`);
  const N = data.n;
  const { t, y } = data;
  const { kt, ktLog, ktRatio, V, mu, v1, B, kappa, dinv, H, ones, yHat, aHat, zHat, alpha: a, wa, wz, hw, SW, Sdiag, trBA, Rhat, VR, scratch } = ws;
  const W = packed;
  const w0 = 2;

  const alphaK = Math.exp(packed[0]);
  const logBeta = packed[1];
  const noise = Math.exp(packed[2 + M * R + M]);
  const bias = Math.exp(packed[3 + M * R + M]);

  let maxKappa = 0;
  let normW = 0;
  for (let i = 0; i < M; i++) {
    kappa[i] = Math.exp(packed[2 + M * R + i]);
    maxKappa = Math.max(maxKappa, kappa[i]);
  }
  let meanB = 0;
  for (let p = 0; p < M; p++) {
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += W[w0 + p * R + r] * W[w0 + q * R + r];
      if (p === q) {
        normW += s;
        s += kappa[p];
        meanB += s;
      }
      B[p * M + q] = s;
      B[q * M + p] = s;
    }
  }
  meanB /= M;
  // every curve shares the first curve's n times
  timeKernelGrid(t, alphaK, logBeta, kt, ktLog, ktRatio, n);
  let meanKt = 0;
  for (let j = 0; j < n; j++) meanKt += kt[j * n + j];
  meanKt /= n;

  V.set(kt);
  if (!symmetricEigen(V, n, mu, scratch)) {
    ws.jitter = NaN;
    if (grad) grad.fill(NaN);
    return Infinity;
  }
  let muMax = 0;
  for (let l = 0; l < n; l++) muMax = Math.max(muMax, mu[l]);

  // K's mean diagonal, to which the jitter is relative as on the dense path. An eigenvalue of A
  // below N·ε times the largest is rounding (a Cholesky factorisation would fail on it); the
  // largest is at most μ_max (max κ + ‖W‖²_F) + σ².
  const meanDiag = meanB * meanKt + noise + bias;
  const maxE = muMax * (maxKappa + normW) + noise;
  let jitter = 0;
  let logDetA: number;
  for (;;) {
    logDetA = factorBlocks(ws, W, w0, noise, jitter, N * Number.EPSILON * (maxE + jitter));
    if (!Number.isNaN(logDetA)) break;
    jitter = jitter === 0 ? JITTER_START * meanDiag : jitter * 10;
    if (!(jitter <= JITTER_MAX * meanDiag * (1 + 1e-9))) {
      ws.jitter = NaN;
      if (grad) grad.fill(NaN);
      return Infinity;
    }
  }
  ws.jitter = jitter;

  // ŷ = (I ⊗ Vᵀ) y (via VR as an M × n scratch), 1̂ = (Vᵀ1)_l on every curve; x̂ = A⁻¹ŷ into aHat, ẑ = A⁻¹1̂.
  v1.fill(0);
  for (let j = 0; j < n; j++) for (let l = 0; l < n; l++) v1[l] += V[j * n + l];
  for (let cu = 0; cu < M; cu++) {
    for (let l = 0; l < n; l++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += y[cu * n + j] * V[j * n + l];
      yHat[l * M + cu] = s;
    }
  }
  for (let l = 0; l < n; l++) {
    solveBlock(ws, l, yHat, aHat);
    // A_l⁻¹ 1̂_l = v1_l · A_l⁻¹ 1.
    solveBlock(ws, l, ones, zHat);
    for (let cu = 0; cu < M; cu++) zHat[l * M + cu] *= v1[l];
  }
  let yAy = 0;
  let oneAy = 0;
  let oneAone = 0;
  for (let l = 0; l < n; l++) {
    let sa = 0;
    let sz = 0;
    for (let cu = 0; cu < M; cu++) {
      yAy += yHat[l * M + cu] * aHat[l * M + cu];
      sa += aHat[l * M + cu];
      sz += zHat[l * M + cu];
    }
    oneAy += v1[l] * sa;
    oneAone += v1[l] * sz;
  }
  const c = bias / (1 + bias * oneAone);
  ws.c = c;
  const logDet = logDetA + Math.log1p(bias * oneAone);
  const quad = yAy - c * oneAy * oneAy;
  const f = 0.5 * quad + 0.5 * logDet + 0.5 * N * LOG_2PI;

  // â = x̂ − c (1ᵀA⁻¹y) ẑ, the rotated K⁻¹y; α = (I ⊗ V) â.
  const shift = c * oneAy;
  for (let k = 0; k < n * M; k++) aHat[k] -= shift * zHat[k];
  for (let cu = 0; cu < M; cu++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += V[j * n + l] * aHat[l * M + cu];
      a[cu * n + j] = s;
    }
  }
  if (!grad) return f;

  // Per block: Wᵀâ_l, Wᵀẑ_l, A_l⁻¹W = D_l⁻¹W − μ_l H_l (H_lᵀW), diag A_l⁻¹, and their sums into S W, diag S, tr(B A_l⁻¹).
  SW.fill(0);
  Sdiag.fill(0);
  let traceAinv = 0;
  let aa = 0;
  let zz = 0;
  let sumA = 0;
  for (let l = 0; l < n; l++) {
    const m = mu[l];
    const dl = l * M;
    for (let r = 0; r < R; r++) {
      let sa = 0;
      let sz = 0;
      for (let cu = 0; cu < M; cu++) {
        sa += W[w0 + cu * R + r] * aHat[dl + cu];
        sz += W[w0 + cu * R + r] * zHat[dl + cu];
      }
      wa[l * R + r] = sa;
      wz[l * R + r] = sz;
      for (let s = 0; s < R; s++) {
        let h = 0;
        for (let cu = 0; cu < M; cu++) h += H[(dl + cu) * R + s] * W[w0 + cu * R + r];
        hw[s * R + r] = h;
      }
    }
    let tr = 0;
    let sa = 0;
    for (let cu = 0; cu < M; cu++) {
      const ah = aHat[dl + cu];
      const zh = zHat[dl + cu];
      const ha = (dl + cu) * R;
      let h2 = 0;
      for (let s = 0; s < R; s++) h2 += H[ha + s] * H[ha + s];
      const ad = dinv[dl + cu] - m * h2;
      tr += kappa[cu] * ad;
      traceAinv += ad;
      Sdiag[cu] += m * (ah * ah + c * zh * zh - ad);
      for (let r = 0; r < R; r++) {
        let hh = 0;
        for (let s = 0; s < R; s++) hh += H[ha + s] * hw[s * R + r];
        const aw = dinv[dl + cu] * W[w0 + cu * R + r] - m * hh;
        tr += W[w0 + cu * R + r] * aw;
        SW[cu * R + r] += m * (ah * wa[l * R + r] + c * zh * wz[l * R + r] - aw);
      }
      aa += ah * ah;
      zz += zh * zh;
      sa += ah;
    }
    trBA[l] = tr;
    sumA += v1[l] * sa;
  }

  // R̂ (symmetric), then R = V R̂ Vᵀ over its lower triangle, contracted with ∂Kt.
  for (let l = 0; l < n; l++) {
    for (let lp = 0; lp <= l; lp++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += wa[l * R + r] * wa[lp * R + r] + c * wz[l * R + r] * wz[lp * R + r];
      let ka = 0;
      let kz = 0;
      for (let cu = 0; cu < M; cu++) {
        ka += kappa[cu] * aHat[l * M + cu] * aHat[lp * M + cu];
        kz += kappa[cu] * zHat[l * M + cu] * zHat[lp * M + cu];
      }
      s += ka + c * kz;
      if (l === lp) s -= trBA[l];
      Rhat[l * n + lp] = s;
      Rhat[lp * n + l] = s;
    }
  }
  for (let j = 0; j < n; j++) {
    for (let lp = 0; lp < n; lp++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += V[j * n + l] * Rhat[l * n + lp];
      VR[j * n + lp] = s;
    }
  }
  let gAlpha = 0;
  let gBeta = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i <= j; i++) {
      let s = 0;
      for (let lp = 0; lp < n; lp++) s += VR[j * n + lp] * V[i * n + lp];
      const w = i === j ? s : 2 * s;
      gAlpha += w * ktLog[j * n + i];
      gBeta += w * ktRatio[j * n + i];
    }
  }
  const traceQ = aa + c * zz - traceAinv;
  const sumQ = sumA * sumA - oneAone / (1 + bias * oneAone);

  grad[0] = -0.5 * alphaK * gAlpha;
  grad[1] = -0.5 * alphaK * gBeta;
  for (let i = 0; i < M; i++) {
    for (let r = 0; r < R; r++) grad[2 + i * R + r] = -SW[i * R + r];
    grad[2 + M * R + i] = -0.5 * kappa[i] * Sdiag[i];
  }
  grad[2 + M * R + M] = -0.5 * noise * traceQ;
  grad[3 + M * R + M] = -0.5 * bias * sumQ;
  return f;
}

/**
 * The GP posterior at the hyperparameters of the last successful evaluation of `ws` (which it
 * copies), in the Kronecker form: for curve i at t*, with k*_(b,j) = B_ib k(t*, t_j) + b²,
 * mean = k*ᵀK⁻¹y and variance = B_ii k(t*, t*) + b² − k*ᵀA⁻¹k* + c (zᵀk*)², where block l of the
 * rotated k* is B_·i (Vᵀk_t*)_l + b² (Vᵀ1)_l 1, so a point costs O(n² + M n R). Means and variances
 * are on the normalised scale, latent (add σ² for a new observation).
 */
export function kroneckerPosterior(
  data: LmcData,
  ws: KroneckerWorkspace,
  alphaK: number,
  betaK: number,
  bias: number,
): (curve: number, tStar: number) => { mean: number; variance: number } {
  const { curves: M, points: n, rank: R } = ws;
  const V = ws.V.slice();
  const mu = ws.mu.slice();
  const v1 = ws.v1.slice();
  const dinv = ws.dinv.slice();
  const H = ws.H.slice();
  const zHat = ws.zHat.slice();
  const a = ws.alpha.slice();
  const B = ws.B.slice();
  const c = ws.c;
  const t = data.t.slice(0, n);
  let sumA = 0;
  for (let p = 0; p < M * n; p++) sumA += a[p];
  const kt = new Float64Array(n);
  const q = new Float64Array(n);
  const kHat = new Float64Array(M);
  const hk = new Float64Array(R);
  const logBeta = Math.log(betaK);
  return (curve, tStar) => {
    for (let j = 0; j < n; j++) kt[j] = timeKernel(tStar + t[j], alphaK, logBeta);
    q.fill(0);
    for (let j = 0; j < n; j++) for (let l = 0; l < n; l++) q[l] += kt[j] * V[j * n + l];
    let mean = bias * sumA;
    for (let b = 0; b < M; b++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[b * n + j] * kt[j];
      mean += B[curve * M + b] * s;
    }
    let quadA = 0;
    let zk = 0;
    for (let l = 0; l < n; l++) {
      const dl = l * M;
      for (let b = 0; b < M; b++) kHat[b] = B[curve * M + b] * q[l] + bias * v1[l];
      hk.fill(0);
      for (let b = 0; b < M; b++) {
        const k = kHat[b];
        quadA += dinv[dl + b] * k * k;
        zk += zHat[dl + b] * k;
        for (let r = 0; r < R; r++) hk[r] += H[(dl + b) * R + r] * k;
      }
      for (let r = 0; r < R; r++) quadA -= mu[l] * hk[r] * hk[r];
    }
    const prior = B[curve * M + curve] * timeKernel(2 * tStar, alphaK, logBeta) + bias;
    // Rounding can push a near-zero posterior variance slightly negative.
    return { mean, variance: Math.max(0, prior - quadA + c * zk * zk) };
  };
}
