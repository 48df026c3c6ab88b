/** The dense log marginal likelihood of the learning-curve Gaussian process and its gradient, in a workspace allocated once. */
import { backSolveInPlace, choleskyInPlace, dot, forwardSolve, inverseFromCholesky } from '../../linalg/spd.js';
import type { LmcData } from './data.js';
import { lmcRankOf } from './hyper.js';
import { timeKernelGrid } from './kernel.js';

const LOG_2PI = Math.log(2 * Math.PI);
const JITTER_START = 1e-8;
const JITTER_MAX = 1e-2;

/**
 * Every buffer one likelihood evaluation needs, sized for one data set and rank; a fit allocates
 * one and the objective then allocates nothing.
 */
export class LmcWorkspace {
  readonly n: number;
  readonly curves: number;
  readonly rank: number;
  /** k(t_p, t_q), lower triangle. */
  readonly kt: Float64Array;
  /** k · log(β / (s + β)) and k · s / (s + β), s = t_p + t_q, lower triangle: ∂k/∂log α ÷ α and ∂k/∂log β ÷ α. */
  readonly ktLog: Float64Array;
  readonly ktRatio: Float64Array;
  /**
   * The distinct t values (g of them) and each point's index among them: curves logged on a common
   * compute grid share most t, so the kernel is evaluated on g × g pairs and gathered.
   */
  readonly distinctT: Float64Array;
  readonly tIndex: Int32Array;
  /** k, k · log ratio, k · s / (s + β) on the g × g distinct pairs (full square). */
  readonly gridK: Float64Array;
  readonly gridKLog: Float64Array;
  readonly gridKRatio: Float64Array;
  /** K, then its Cholesky factor, then (with a gradient) K⁻¹; lower triangle. */
  readonly factor: Float64Array;
  readonly invDiag: Float64Array;
  /** K⁻¹ y, valid after every successful evaluation. */
  readonly alpha: Float64Array;
  /** B = W Wᵀ + diag κ, M × M. */
  readonly B: Float64Array;
  readonly kappa: Float64Array;
  /** Σ_{p∈a, q∈b} Q_pq k_pq, M × M. */
  readonly S: Float64Array;
  /** Jitter of the last evaluation (NaN when even the largest failed). */
  jitter = 0;

  constructor(data: LmcData, rank: number) {
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`LMC: rank must be a positive integer, got ${rank}`);
    const N = data.n;
    const M = data.curves;
    this.n = N;
    this.curves = M;
    this.rank = rank;
    this.kt = new Float64Array(N * N);
    this.ktLog = new Float64Array(N * N);
    this.ktRatio = new Float64Array(N * N);
    const sorted = Float64Array.from(data.t).sort();
    let g = 0;
    for (let p = 0; p < N; p++) if (p === 0 || sorted[p] !== sorted[p - 1]) sorted[g++] = sorted[p];
    this.distinctT = sorted.slice(0, g);
    this.tIndex = new Int32Array(N);
    const index = new Map<number, number>();
    this.distinctT.forEach((v, k) => index.set(v, k));
    for (let p = 0; p < N; p++) this.tIndex[p] = index.get(data.t[p])!;
    this.gridK = new Float64Array(g * g);
    this.gridKLog = new Float64Array(g * g);
    this.gridKRatio = new Float64Array(g * g);
    this.factor = new Float64Array(N * N);
    this.invDiag = new Float64Array(N);
    this.alpha = new Float64Array(N);
    this.B = new Float64Array(M * M);
    this.kappa = new Float64Array(M);
    this.S = new Float64Array(M * M);
  }
}

/** Fills ws.B and ws.kappa from the packed vector. */
function coregionalisation(packed: ArrayLike<number>, M: number, R: number, ws: LmcWorkspace): void {
  const { B, kappa } = ws;
  for (let i = 0; i < M; i++) kappa[i] = Math.exp(packed[2 + M * R + i]);
  for (let a = 0; a < M; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += packed[2 + a * R + r] * packed[2 + b * R + r];
      if (a === b) s += kappa[a];
      B[a * M + b] = s;
      B[b * M + a] = s;
    }
  }
}

/** K + jitter·I into the lower triangle of ws.factor; returns the mean of K's diagonal (without jitter). */
function assembleK(data: LmcData, ws: LmcWorkspace, noise: number, bias: number, jitter: number): number {
  const { n: N, curves: M, start } = data;
  const { kt, factor, B } = ws;
  let diag = 0;
  for (let a = 0; a < M; a++) {
    for (let p = start[a]; p < start[a + 1]; p++) {
      const rp = p * N;
      for (let b = 0; b <= a; b++) {
        const bab = B[a * M + b];
        const qEnd = Math.min(start[b + 1], p + 1);
        for (let q = start[b]; q < qEnd; q++) factor[rp + q] = bab * kt[rp + q] + bias;
      }
      factor[rp + p] += noise;
      diag += factor[rp + p];
      factor[rp + p] += jitter;
    }
  }
  return diag / N;
}

/**
 * −log p(y | θ) = ½ yᵀK⁻¹y + ½ log|K| + (N/2) log 2π for the packed hyperparameters θ (order at
 * `lmcParameterCount`, rank inferred from the length) and, when `grad` is given, its gradient
 * −½ tr((ααᵀ − K⁻¹) ∂K/∂θ) with α = K⁻¹y. With Q = ααᵀ − K⁻¹ and S_ab = Σ_{p∈a, q∈b} Q_pq k_pq the
 * traces are: log α: α·Σ Q B k log(β/(s+β)); log β: α·Σ Q B k s/(s+β) (s = t + t′);
 * W_ir: 2 Σ_b S_ib W_br; log κ_i: κ_i S_ii; log σ²: σ² tr Q; log b²: b² Σ Q. When K is not
 * numerically positive definite, jitter (1e-8, ×10 up to 1e-2, relative to K's mean diagonal) is
 * added to its diagonal — the gradient is then that of the jittered K — and if even that fails the
 * value is +∞ with a NaN gradient, which the line search treats as a step too far. Pass a
 * workspace to evaluate without allocating; ws.jitter and ws.alpha describe the last call.
 */
export function negativeLogMarginal(packed: Float64Array, data: LmcData, grad?: Float64Array, workspace?: LmcWorkspace): number {
  const M = data.curves;
  const R = lmcRankOf(packed.length, M);
  const ws = workspace ?? new LmcWorkspace(data, R);
  if (ws.n !== data.n || ws.curves !== M || ws.rank !== R) {
    throw new RangeError(`LMC: workspace is for N = ${ws.n}, M = ${ws.curves}, R = ${ws.rank}; problem has N = ${data.n}, M = ${M}, R = ${R}`);
  }
  if (grad && grad.length !== packed.length) throw new RangeError(`LMC: gradient has ${grad.length} entries, θ has ${packed.length}`);
  const { n: N, start, y } = data;
  const { kt, ktLog, ktRatio, factor, invDiag, alpha: a, B, kappa, S } = ws;

  const alphaK = Math.exp(packed[0]);
  const logBeta = packed[1];
  const noise = Math.exp(packed[2 + M * R + M]);
  const bias = Math.exp(packed[3 + M * R + M]);
  coregionalisation(packed, M, R, ws);

  const { distinctT, tIndex, gridK, gridKLog, gridKRatio } = ws;
  const g = distinctT.length;
  timeKernelGrid(distinctT, alphaK, logBeta, gridK, gridKLog, gridKRatio);
  for (let p = 0; p < N; p++) {
    const rp = p * N;
    const gp = tIndex[p] * g;
    for (let q = 0; q <= p; q++) {
      const idx = gp + tIndex[q];
      kt[rp + q] = gridK[idx];
      ktLog[rp + q] = gridKLog[idx];
      ktRatio[rp + q] = gridKRatio[idx];
    }
  }

  let jitter = 0;
  let meanDiag = assembleK(data, ws, noise, bias, 0);
  while (!choleskyInPlace(factor, invDiag, N)) {
    jitter = jitter === 0 ? JITTER_START * meanDiag : jitter * 10;
    if (!(jitter <= JITTER_MAX * meanDiag * (1 + 1e-9))) {
      ws.jitter = NaN;
      if (grad) grad.fill(NaN);
      return Infinity;
    }
    meanDiag = assembleK(data, ws, noise, bias, jitter);
  }
  ws.jitter = jitter;

  forwardSolve(factor, invDiag, N, y, a);
  const quad = dot(a, 0, a, 0, N);
  let logDet = 0;
  for (let p = 0; p < N; p++) logDet -= Math.log(invDiag[p]);
  logDet *= 2;
  backSolveInPlace(factor, invDiag, N, a);
  const f = 0.5 * quad + 0.5 * logDet + 0.5 * N * LOG_2PI;
  if (!grad) return f;

  inverseFromCholesky(factor, invDiag, N);

  // Sums over all ordered pairs, walked over the lower triangle block by block: off-diagonal pairs
  // count twice, and B_ab is constant inside a block so it multiplies the block's sums once.
  let gAlpha = 0;
  let gBeta = 0;
  let sumQ = 0;
  let traceQ = 0;
  S.fill(0);
  for (let ca = 0; ca < M; ca++) {
    for (let cb = 0; cb <= ca; cb++) {
      let sQk = 0;
      let sQkLr = 0;
      let sQkS = 0;
      let sQ = 0;
      for (let p = start[ca]; p < start[ca + 1]; p++) {
        const rp = p * N;
        const ap = a[p];
        const qEnd = Math.min(start[cb + 1], p);
        for (let q = start[cb]; q < qEnd; q++) {
          const Q = ap * a[q] - factor[rp + q];
          sQ += Q;
          sQk += Q * kt[rp + q];
          sQkLr += Q * ktLog[rp + q];
          sQkS += Q * ktRatio[rp + q];
        }
      }
      sQ *= 2;
      sQk *= 2;
      sQkLr *= 2;
      sQkS *= 2;
      if (ca === cb) {
        for (let p = start[ca]; p < start[ca + 1]; p++) {
          const Q = a[p] * a[p] - factor[p * N + p];
          sQ += Q;
          sQk += Q * kt[p * N + p];
          sQkLr += Q * ktLog[p * N + p];
          sQkS += Q * ktRatio[p * N + p];
          traceQ += Q;
        }
      }
      const bab = B[ca * M + cb];
      gAlpha += bab * sQkLr;
      gBeta += bab * sQkS;
      sumQ += sQ;
      // Off-diagonal blocks were counted for both orders; S holds the one-order sum, symmetric.
      const one = ca === cb ? sQk : 0.5 * sQk;
      S[ca * M + cb] = one;
      S[cb * M + ca] = one;
    }
  }

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
