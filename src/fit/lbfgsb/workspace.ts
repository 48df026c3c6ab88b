/** The buffers of one L-BFGS-B minimisation, allocated once per dimension. */
import { StrongWolfeSearch } from './more-thuente.js';

/** Correction pairs kept by default (scipy's `maxcor`). */
export const DEFAULT_MEMORY = 10;

/** Where a variable sits relative to its bounds (the Fortran code's `iwhere`). */
export const FREE = 0;
export const AT_LOWER = 1;
export const AT_UPPER = 2;
export const FIXED = 3;

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
