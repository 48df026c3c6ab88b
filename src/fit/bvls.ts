/**
 * Bounded-variable linear least squares: min ‖A·x − c‖² subject to lo ≤ x ≤ hi, for the few
 * linear parameters of a law (variable projection solves one such problem per residual call).
 *
 * A primal active-set method in the manner of Lawson–Hanson's NNLS, generalised to two-sided
 * bounds (as Stark–Parker's BVLS is): the free variables take the least-squares correction from
 * the current point; a correction that would leave the box is cut at the first bound it meets, and
 * that variable joins the bound set; once the free variables are optimal, the bound variable whose
 * gradient points most steeply into the box is freed. Each least-squares correction comes from a
 * Householder QR with column pivoting of the free columns, scaled to unit norm, so a rank-deficient
 * or underdetermined set (fewer rows than free columns) gives the basic solution: the dependent
 * columns keep their current values. A solve warm-started from the previous solution therefore
 * stays where it was along directions the data do not determine, which keeps variable projection
 * deterministic and continuous from one call to the next.
 *
 * Every buffer lives in a `BoxLsqWorkspace`; a solve allocates nothing.
 */

/** Columns whose pivoted |R_jj| falls below this multiple of the largest one are dependent. */
export const RANK_TOLERANCE = 1e-11;
/** A bound variable is freed only when its scaled gradient exceeds this multiple of ‖A‖·‖r‖. */
export const FREEING_TOLERANCE = 1e-12;
/** Active-set changes allowed per variable (finite termination holds in exact arithmetic only). */
export const ITERATIONS_PER_VARIABLE = 4;

export type BoxLsqStatus = 'optimal' | 'max-iterations' | 'non-finite';

export interface BoxLsqResult {
  status: BoxLsqStatus;
  iterations: number;
  /** Numerical rank of the free columns at the solution. */
  rank: number;
}

export class BoxLsqWorkspace {
  /** Free columns being factorised, column-major m × k. */
  readonly qr: Float64Array;
  readonly tau: Float64Array;
  readonly colScale: Float64Array;
  readonly perm: Int32Array;
  readonly norms: Float64Array;
  readonly rhs: Float64Array;
  readonly residual: Float64Array;
  readonly step: Float64Array;
  readonly free: Int32Array;
  /** −1 at the lower bound, +1 at the upper, 0 free. */
  readonly state: Int8Array;
  readonly stuck: Int8Array;
  /** After a solve: how many free columns the last factorisation holds (see `projectOut`). */
  freeCount = 0;
  rank = 0;

  constructor(
    readonly m: number,
    readonly k: number,
  ) {
    this.qr = new Float64Array(Math.max(1, m * k));
    this.tau = new Float64Array(Math.max(1, k));
    this.colScale = new Float64Array(Math.max(1, k));
    this.perm = new Int32Array(Math.max(1, k));
    this.norms = new Float64Array(Math.max(1, k));
    this.rhs = new Float64Array(Math.max(1, m));
    this.residual = new Float64Array(Math.max(1, m));
    this.step = new Float64Array(Math.max(1, k));
    this.free = new Int32Array(Math.max(1, k));
    this.state = new Int8Array(Math.max(1, k));
    this.stuck = new Int8Array(Math.max(1, k));
  }
}

/**
 * Householder QR with column pivoting of the free columns of A (column-major m × k), scaled to unit
 * norm, into ws.qr; returns the numerical rank. Column j of the factor is free column perm[j].
 */
function factorFree(A: Float64Array, m: number, ws: BoxLsqWorkspace, nf: number): number {
  const { qr, tau, colScale, perm, norms, free } = ws;
  for (let j = 0; j < nf; j++) {
    const src = free[j] * m;
    let s = 0;
    for (let i = 0; i < m; i++) s += A[src + i] * A[src + i];
    const norm = Math.sqrt(s);
    colScale[j] = norm > 0 && Number.isFinite(norm) ? 1 / norm : 0;
    for (let i = 0; i < m; i++) qr[j * m + i] = A[src + i] * colScale[j];
    norms[j] = colScale[j] > 0 ? 1 : 0;
    perm[j] = j;
  }
  const steps = Math.min(m, nf);
  let rank = 0;
  let first = 0;
  for (let j = 0; j < steps; j++) {
    let best = j;
    for (let l = j + 1; l < nf; l++) if (norms[l] > norms[best]) best = l;
    if (best !== j) {
      for (let i = 0; i < m; i++) {
        const t = qr[j * m + i];
        qr[j * m + i] = qr[best * m + i];
        qr[best * m + i] = t;
      }
      const tp = perm[j];
      perm[j] = perm[best];
      perm[best] = tp;
      norms[best] = norms[j];
    }
    const cj = j * m;
    let s = 0;
    for (let i = j; i < m; i++) s += qr[cj + i] * qr[cj + i];
    const alpha = Math.sqrt(s);
    if (j === 0) first = alpha;
    if (!(alpha > RANK_TOLERANCE * first) || alpha === 0) break;
    // reflector v = x + sign(x₀)‖x‖e₀, stored with v₀ in place and τ = 2 / vᵀv
    const beta = qr[cj + j] >= 0 ? -alpha : alpha;
    qr[cj + j] -= beta;
    let vv = 0;
    for (let i = j; i < m; i++) vv += qr[cj + i] * qr[cj + i];
    tau[j] = vv > 0 ? 2 / vv : 0;
    for (let l = j + 1; l < nf; l++) {
      const cl = l * m;
      let dot = 0;
      for (let i = j; i < m; i++) dot += qr[cj + i] * qr[cl + i];
      dot *= tau[j];
      for (let i = j; i < m; i++) qr[cl + i] -= dot * qr[cj + i];
      // remaining norm below row j, for the next pivot choice
      let t = 0;
      for (let i = j + 1; i < m; i++) t += qr[cl + i] * qr[cl + i];
      norms[l] = Math.sqrt(t);
    }
    // R's diagonal is kept apart in norms[j] (the column below the diagonal holds v)
    norms[j] = beta;
    rank = j + 1;
  }
  return rank;
}

/** Applies Qᵀ (rank reflectors of the last factorisation) to v in place. */
function applyQt(ws: BoxLsqWorkspace, m: number, rank: number, v: Float64Array, offset = 0, stride = 1): void {
  const { qr, tau } = ws;
  for (let j = 0; j < rank; j++) {
    const cj = j * m;
    let dot = 0;
    for (let i = j; i < m; i++) dot += qr[cj + i] * v[offset + i * stride];
    dot *= tau[j];
    for (let i = j; i < m; i++) v[offset + i * stride] -= dot * qr[cj + i];
  }
}

/** Applies Q to v in place. */
function applyQ(ws: BoxLsqWorkspace, m: number, rank: number, v: Float64Array, offset = 0, stride = 1): void {
  const { qr, tau } = ws;
  for (let j = rank - 1; j >= 0; j--) {
    const cj = j * m;
    let dot = 0;
    for (let i = j; i < m; i++) dot += qr[cj + i] * v[offset + i * stride];
    dot *= tau[j];
    for (let i = j; i < m; i++) v[offset + i * stride] -= dot * qr[cj + i];
  }
}

/**
 * The basic least-squares correction d of the free variables for the residual in ws.residual:
 * min ‖A_F·d − r‖, dependent columns' d = 0. Writes ws.step (indexed like ws.free); returns the rank.
 */
function freeCorrection(A: Float64Array, m: number, ws: BoxLsqWorkspace, nf: number): number {
  const { rhs, residual, step, qr, norms, perm, colScale } = ws;
  const rank = factorFree(A, m, ws, nf);
  rhs.set(residual.subarray(0, m));
  applyQt(ws, m, rank, rhs);
  step.fill(0, 0, nf);
  // back substitution R₁₁·z = (Qᵀr)₁, then undo pivoting and column scaling
  for (let j = rank - 1; j >= 0; j--) {
    let s = rhs[j];
    for (let l = j + 1; l < rank; l++) s -= qr[l * m + j] * rhs[l];
    rhs[j] = s / norms[j];
  }
  for (let j = 0; j < rank; j++) step[perm[j]] = rhs[j] * colScale[perm[j]];
  return rank;
}

/** r = c − A·x. */
function residualOf(A: Float64Array, m: number, k: number, c: ArrayLike<number>, x: Float64Array, r: Float64Array): void {
  for (let i = 0; i < m; i++) r[i] = c[i];
  for (let j = 0; j < k; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    const col = j * m;
    for (let i = 0; i < m; i++) r[i] -= A[col + i] * xj;
  }
}

/**
 * Solves min ‖A·x − c‖² over lo ≤ x ≤ hi in place of x (the warm start, clipped into the box
 * first). A is column-major m × k. Infinite bounds are allowed.
 */
export function boxLeastSquares(
  A: Float64Array,
  c: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  x: Float64Array,
  ws: BoxLsqWorkspace,
): BoxLsqResult {
  const { m, k, state, free, residual, step } = ws;
  for (let i = 0; i < m * k; i++) if (!Number.isFinite(A[i])) return { status: 'non-finite', iterations: 0, rank: 0 };
  for (let i = 0; i < m; i++) if (!Number.isFinite(c[i])) return { status: 'non-finite', iterations: 0, rank: 0 };
  for (let j = 0; j < k; j++) {
    x[j] = Math.min(Math.max(Number.isFinite(x[j]) ? x[j] : 0, lo[j]), hi[j]);
    if (!Number.isFinite(x[j])) x[j] = Number.isFinite(lo[j]) ? lo[j] : Number.isFinite(hi[j]) ? hi[j] : 0;
    state[j] = x[j] === lo[j] ? -1 : x[j] === hi[j] ? 1 : 0;
  }
  const maxIterations = ITERATIONS_PER_VARIABLE * k + 10;
  let iterations = 0;
  let status: BoxLsqStatus = 'max-iterations';
  // A freed variable whose correction at once points out of the box again (its gradient's sign
  // was rounding) is held until some other variable moves, so it cannot be freed in a loop.
  const { stuck } = ws;
  stuck.fill(0);
  let justFreed = -1;
  while (iterations++ < maxIterations) {
    residualOf(A, m, k, c, x, residual);
    let nf = 0;
    for (let j = 0; j < k; j++) if (state[j] === 0) free[nf++] = j;
    if (nf > 0) freeCorrection(A, m, ws, nf);
    // longest step along the correction that stays in the box
    let alpha = 1;
    let blocking = -1;
    for (let f = 0; f < nf; f++) {
      const d = step[f];
      if (d === 0) continue;
      const j = free[f];
      const ratio = Math.max(0, (d > 0 ? hi[j] - x[j] : lo[j] - x[j]) / d);
      if (ratio < alpha) {
        alpha = ratio;
        blocking = f;
      }
    }
    if (blocking >= 0 && free[blocking] === justFreed && alpha === 0) {
      state[justFreed] = x[justFreed] === lo[justFreed] ? -1 : 1;
      stuck[justFreed] = 1;
      justFreed = -1;
      continue;
    }
    for (let f = 0; f < nf; f++) x[free[f]] += alpha * step[f];
    if (alpha > 0) stuck.fill(0);
    justFreed = -1;
    if (blocking >= 0) {
      for (let f = 0; f < nf; f++) {
        const j = free[f];
        if (f === blocking || x[j] <= lo[j] || x[j] >= hi[j]) {
          const toUpper = f === blocking ? step[f] > 0 : x[j] >= hi[j];
          x[j] = toUpper ? hi[j] : lo[j];
          state[j] = toUpper ? 1 : -1;
        }
      }
      continue;
    }
    // free variables optimal: does a bound variable want to move into the box?
    residualOf(A, m, k, c, x, residual);
    let rnorm = 0;
    for (let i = 0; i < m; i++) rnorm += residual[i] * residual[i];
    rnorm = Math.sqrt(rnorm);
    let release = -1;
    let steepest = 0;
    for (let j = 0; j < k; j++) {
      if (state[j] === 0 || stuck[j]) continue;
      let g = 0;
      let an = 0;
      const col = j * m;
      for (let i = 0; i < m; i++) {
        g += A[col + i] * residual[i];
        an += A[col + i] * A[col + i];
      }
      // Aᵀr > 0 lowers ‖r‖ by raising x_j: wanted at a lower bound, and the mirror at an upper one
      const into = state[j] === -1 ? g : -g;
      const scaled = an > 0 ? into / Math.sqrt(an) : 0;
      if (scaled > FREEING_TOLERANCE * rnorm && scaled > steepest) {
        steepest = scaled;
        release = j;
      }
    }
    if (release < 0) {
      status = 'optimal';
      break;
    }
    state[release] = 0;
    justFreed = release;
  }
  // leave the factorisation of the final free set behind for projectOut
  let nf = 0;
  for (let j = 0; j < k; j++) if (state[j] === 0) free[nf++] = j;
  ws.freeCount = nf;
  ws.rank = nf > 0 ? factorFree(A, m, ws, nf) : 0;
  return { status, iterations, rank: ws.rank };
}

/**
 * Projects the columns of M (row-major m × cols, starting at column `first` of a row stride
 * `stride`) onto the orthogonal complement of the span of the free columns of the last solve:
 * M ← (I − Q₁Q₁ᵀ)M, Kaufman's approximation of the variable-projection Jacobian.
 */
export function projectOut(ws: BoxLsqWorkspace, M: Float64Array, stride: number, first: number, cols: number): void {
  const { m, rank, rhs } = ws;
  if (rank === 0) return;
  for (let c = 0; c < cols; c++) {
    for (let i = 0; i < m; i++) rhs[i] = M[i * stride + first + c];
    applyQt(ws, m, rank, rhs);
    for (let i = 0; i < rank; i++) rhs[i] = 0;
    applyQ(ws, m, rank, rhs);
    for (let i = 0; i < m; i++) M[i * stride + first + c] = rhs[i];
  }
}
