/**
 * Variable projection (Golub–Pereyra) for a law whose parameters split into linear ones θ_L (the
 * prediction is affine in them: f = b(θ_N) + A(θ_N)·θ_L) and nonlinear ones θ_N:
 *
 *   r(θ_N) = A(θ_N)·θ_L*(θ_N) + b(θ_N) − y,   θ_L*(θ_N) = argmin_{lo ≤ θ_L ≤ hi} ‖A·θ_L + b − y‖²
 *
 * The nonlinear fitter searches θ_N only; every residual call solves the small bounded linear
 * problem exactly. The Jacobian is Kaufman's, (I − Q₁Q₁ᵀ)·∂f/∂θ_N at (θ_N, θ_L*), Q₁ spanning the
 * free linear columns: it drops a second-order term that vanishes at a zero-residual fit, and it
 * costs one more kernel call rather than second derivatives. Linear parameters held at a bound do
 * not move with θ_N, so their columns are not projected out.
 *
 * A(θ_N) is read off the law's Jacobian (its linear columns do not depend on θ_L), and b is the
 * prediction less A·θ_L at the current θ_L, so a residual call is one `valueJac` whatever θ_L is.
 * θ_L is warm-started from the previous call's solution: where the data leave it undetermined it
 * stays where the start put it, so a start's choice persists and the residual stays continuous.
 */
import type { BoundLaw } from '../laws/law.js';
import { boxLeastSquares, BoxLsqWorkspace, projectOut, type BoxLsqStatus } from './bvls.js';

export type JacobianKind = 'exact' | 'fit';

export class ProjectedResiduals {
  readonly nonlinear: Int32Array;
  readonly linear: Int32Array;
  /** Rows × outputs: the residual count. */
  readonly m: number;
  /** θ (full) at the last residual call, with θ_L its bounded least-squares solution. */
  readonly theta: Float64Array;
  /** Status of the last linear solve. */
  linearStatus: BoxLsqStatus = 'optimal';
  private readonly P: number;
  private readonly pred: Float64Array;
  private readonly J: Float64Array;
  private readonly A: Float64Array;
  private readonly c: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly xL: Float64Array;
  private readonly ws: BoxLsqWorkspace;

  constructor(
    private readonly bound: BoundLaw,
    private readonly y: Float64Array,
    outputs: number,
    bounds: readonly (readonly [number, number])[],
    linear: readonly number[],
    private readonly jacobian: JacobianKind,
  ) {
    this.P = bounds.length;
    const isLinear = new Set(linear);
    this.linear = Int32Array.from(linear);
    this.nonlinear = Int32Array.from({ length: this.P }, (_, j) => j).filter((j) => !isLinear.has(j));
    this.m = bound.n * outputs;
    const k = this.linear.length;
    this.theta = new Float64Array(this.P);
    this.pred = new Float64Array(this.m);
    this.J = new Float64Array(this.m * this.P);
    this.A = new Float64Array(this.m * k);
    this.c = new Float64Array(this.m);
    this.lo = Float64Array.from(this.linear, (j) => bounds[j][0]);
    this.hi = Float64Array.from(this.linear, (j) => bounds[j][1]);
    this.xL = new Float64Array(k);
    this.ws = new BoxLsqWorkspace(this.m, k);
  }

  /** Sets the full θ the next call starts from (θ_L is its warm start). */
  start(theta: ArrayLike<number>): Float64Array {
    this.theta.set(theta);
    // a linear parameter needs no start: one the box cannot give (an infinite bound) begins at 0
    for (let q = 0; q < this.linear.length; q++) {
      const j = this.linear[q];
      if (!Number.isFinite(this.theta[j])) this.theta[j] = Math.min(Math.max(0, this.lo[q]), this.hi[q]);
    }
    return Float64Array.from(this.nonlinear, (j) => this.theta[j]);
  }

  private kernel(): void {
    if (this.jacobian === 'exact') this.bound.valueJac(this.theta, this.pred, this.J);
    else this.bound.valueJacFit(this.theta, this.pred, this.J);
  }

  /** The reduced residuals at θ_N (and, with `jac`, Kaufman's m × |N| Jacobian, row-major). */
  readonly residuals = (xN: Float64Array, r: Float64Array, jac: Float64Array | null): void => {
    const { theta, nonlinear, linear, m, P, pred, J, A, c, xL } = this;
    const k = linear.length;
    for (let q = 0; q < nonlinear.length; q++) theta[nonlinear[q]] = xN[q];
    this.kernel();
    for (let j = 0; j < k; j++) {
      const col = linear[j];
      xL[j] = theta[col];
      for (let i = 0; i < m; i++) A[j * m + i] = J[i * P + col];
    }
    // c = y − b, b = pred − A·θ_L: the target of the linear solve
    for (let i = 0; i < m; i++) {
      let b = pred[i];
      for (let j = 0; j < k; j++) b -= A[j * m + i] * xL[j];
      c[i] = this.y[i] - b;
    }
    const solved = boxLeastSquares(A, c, this.lo, this.hi, xL, this.ws);
    this.linearStatus = solved.status;
    if (solved.status === 'non-finite') {
      r.fill(NaN);
      if (jac) jac.fill(NaN);
      return;
    }
    for (let j = 0; j < k; j++) theta[linear[j]] = xL[j];
    if (!jac) {
      // The prediction at the new θ, not A·θ_L − c: where a linear parameter scales a huge column
      // (a clipped exp, e⁵⁰ ≈ 5·10²¹) c and A·θ_L cancel catastrophically, and the difference can
      // come out exactly 0 for a fit whose true Σr² is 10⁷.
      this.bound.value(theta, pred);
      for (let i = 0; i < m; i++) r[i] = pred[i] - this.y[i];
      return;
    }
    this.kernel();
    for (let i = 0; i < m; i++) r[i] = pred[i] - this.y[i];
    const nN = nonlinear.length;
    for (let i = 0; i < m; i++) for (let q = 0; q < nN; q++) jac[i * nN + q] = J[i * P + nonlinear[q]];
    projectOut(this.ws, jac, nN, 0, nN);
  };
}
