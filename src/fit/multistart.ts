/**
 * Multistart least-squares fit of a law to data: one local fit per start, every start's θ and loss
 * kept (the model-based selectors need them all), non-finite starts dropped rather than fatal.
 */
import type { Columns } from '../laws/formula/index.js';
import type { BoundLaw, Law } from '../laws/law.js';
import { levenbergMarquardt, type ResidualsWithJacobian } from './levenberg-marquardt.js';
import { BoxWorkspace, minimizeBox } from './lbfgsb.js';
import { DEFAULT_RESTARTS, defaultRestarts, FITTERS, type FitterName } from './names.js';
import type { MinimizeStatus, StartFit } from './types.js';

export { DEFAULT_RESTARTS, defaultRestarts, FITTERS, type FitterName };

export type { StartFit };
import { DEFAULT_LOSS, isDefaultLoss, lossProblem, normaliseLoss, robustCost, sqrtResiduals, type LossSpec } from './robust.js';
import { trustRegionReflective, TrfWorkspace } from './trf.js';
import { ProjectedResiduals } from './varpro.js';
import { distinctOptima } from './optima.js';

/**
 * `lbfgsb`: the reference's protocol (L-BFGS-B on the summed loss, bounded); `trf`: bounded
 * trust-region least squares on the residuals, with the linear parameters projected out, run to
 * convergence; `lm`: Levenberg–Marquardt, projected onto the bounds.
 */

/**
 * `sse` = Σ r² (the reference's baselines); `mse` = Σ r² / rows (its all-data and model-based fits).
 * With a robust loss, Σ C²ρ((r/C)²) takes the place of Σ r².
 */
export type Objective = 'sse' | 'mse';

/**
 * `reference`: the gradient the reference fits with (exact, but passed straight through clip);
 * `exact`: the true gradient of the objective.
 */
export type FitGradient = 'reference' | 'exact';

export interface FitOptions {
  fitter?: FitterName;
  gradient?: FitGradient;
  objective?: Objective;
  /** The reference's L-BFGS-B settings. */
  maxIterations?: number;
  ftol?: number;
  gtol?: number;
  /** Robust loss; default l2 (Σ r², the reference's), whose code path is untouched by the others. */
  loss?: LossSpec;
  /** `trf`'s tolerances (scipy's meanings) and evaluation cap; defaults TRF_FIT. */
  trf?: TrfFitOptions;
  /** `trf` only: keep one fit per distinct optimum (default true); false keeps every start's. */
  distinct?: boolean;
}

export interface TrfFitOptions {
  ftol?: number;
  xtol?: number;
  gtol?: number;
  /** Residual evaluations per start. */
  maxEvaluations?: number;
}

/**
 * `trf`'s defaults: tighter than scipy's 1e-8 so that a start stops at the optimum to about eight
 * digits of SSE, which is what tells two starts' optima apart (see `distinctOptima`).
 */
export const TRF_FIT: Required<TrfFitOptions> = { ftol: 1e-12, xtol: 1e-12, gtol: 1e-12, maxEvaluations: 2000 };

/**
 * A start whose cost fell by less than 1% over 100 accepted steps, or that is still above
 * STALL_CEILING × the best loss the earlier starts reached, is crawling (typically through a region
 * of saturated terms far above any good fit) and is stopped: MSPE's modes only ever use fits within
 * 1.5× the best. The best fit of a multistart is then run on without the rule, so the reported
 * optimum is converged.
 */
export const TRF_STALL = { window: 100, ratio: 0.01 };
export const STALL_CEILING = 100;
/**
 * A start that continues an optimum of a nearby problem (the same law refitted with one more row)
 * begins at the bottom of its basin: it converges in a few steps or is crawling along a flat valley,
 * so it is stopped sooner. A fit that is reported is still run on to convergence (`polish`).
 */
export const TRF_TRACKED_STALL = { window: 20, ratio: 0.01 };

export const REFERENCE_FIT: Required<FitOptions> = {
  fitter: 'lbfgsb',
  gradient: 'reference',
  objective: 'sse',
  maxIterations: 2000,
  ftol: 1e-15,
  gtol: 1e-10,
  loss: DEFAULT_LOSS,
  trf: TRF_FIT,
  distinct: true,
};

export interface MultistartResult {
  /**
   * One per start; with `trf`, one per distinct optimum (the lowest-loss start of each, in start
   * order), and a single exact fit for a law linear in every parameter.
   */
  fits: StartFit[];
  /** Index of the lowest finite loss, or −1 when every start failed. */
  best: number;
}

/** Index of the lowest finite loss, or −1 when every fit failed. */
function lowestLoss(fits: readonly StartFit[]): number {
  let best = -1;
  fits.forEach((f, i) => {
    if (Number.isFinite(f.loss) && (best < 0 || f.loss < fits[best].loss)) best = i;
  });
  return best;
}

/** The finite fits only, with the index of the best: what modes, σ² and the reported fit read. */
export function finiteFits(result: MultistartResult): { thetas: Float64Array[]; mse: number[]; status: MinimizeStatus[]; best: number } {
  const ok = result.fits.filter((f) => Number.isFinite(f.loss));
  return { thetas: ok.map((f) => f.theta), mse: ok.map((f) => f.loss), status: ok.map((f) => f.status), best: lowestLoss(ok) };
}

export interface MultistartOptions {
  /** `trf` only: the first `tracked` starts continue optima of a nearby problem (see TRF_TRACKED_STALL). */
  tracked?: number;
  /** `trf` only: run a stalled best fit on to convergence (default true); see `polish`. */
  polish?: boolean;
}

/** A fit problem bound to one data set; reusable for many starts and many calls. */
export class LeastSquares {
  readonly bound: BoundLaw;
  readonly n: number;
  private readonly outputs: number;
  private readonly P: number;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly workspace: BoxWorkspace;
  private readonly options: Required<FitOptions>;
  private readonly scale: number;
  /** null for l2; else the loss and its per-residual buffers, allocated once here. */
  private readonly robust: { spec: LossSpec; pred: Float64Array; r: Float64Array; slope: Float64Array; yw: Float64Array } | null;

  constructor(
    readonly law: Law,
    X: Columns,
    readonly y: Float64Array,
    options: FitOptions = {},
  ) {
    this.bound = law.bind(X);
    this.n = this.bound.n;
    this.outputs = law.outputs;
    this.P = law.params.length;
    this.lower = Float64Array.from(law.bounds, (b) => b[0]);
    this.upper = Float64Array.from(law.bounds, (b) => b[1]);
    this.options = { ...REFERENCE_FIT, ...options };
    this.workspace = new BoxWorkspace(this.P);
    this.scale = this.options.objective === 'mse' ? 1 / Math.max(this.n, 1) : 1;
    const m = this.n * this.outputs;
    const problem = options.loss && lossProblem(options.loss);
    if (problem) throw new RangeError(problem);
    this.robust = isDefaultLoss(options.loss)
      ? null
      : { spec: normaliseLoss(options.loss), pred: new Float64Array(m), r: new Float64Array(m), slope: new Float64Array(m), yw: new Float64Array(m) };
  }

  /** The objective at θ (NaN when not finite). */
  loss(theta: ArrayLike<number>): number {
    const s = (this.robust ? this.robustObjective(theta, false) : this.bound.sse(theta, this.y)) * this.scale;
    return Number.isFinite(s) ? s : NaN;
  }

  /** Σ C²ρ((r/C)²), unscaled; with `weights`, ρ'(z) of each residual left in `robust.slope`. */
  private robustObjective(theta: ArrayLike<number>, weights: boolean): number {
    const { spec, pred, r, slope } = this.robust!;
    this.bound.value(theta, pred);
    for (let i = 0; i < r.length; i++) r[i] = pred[i] - this.y[i];
    return robustCost(spec, r, r.length, weights ? slope : undefined);
  }

  fitOne(start: ArrayLike<number>): StartFit {
    if (this.options.fitter === 'lm') return this.fitLm(start);
    if (this.options.fitter === 'trf') return this.fitTrf(start);
    return this.fitBox(start);
  }

  /** One fit per start (under `trf`, per distinct optimum); see MultistartOptions. */
  fit(starts: readonly ArrayLike<number>[], { tracked = 0, polish = true }: MultistartOptions = {}): MultistartResult {
    this.checkStarts(starts);
    let fits: StartFit[];
    if (this.options.fitter !== 'trf') fits = starts.map((s) => this.fitOne(s));
    // linear in every parameter: one bounded linear solve is the optimum, whatever the start
    else if (this.projection && this.projection.nonlinear.length === 0) fits = starts.length ? [this.fitOne(starts[0])] : [];
    else {
      let bestSse = Infinity;
      fits = starts.map((s, i) => {
        const f = this.fitTrf(s, STALL_CEILING * bestSse, i < tracked ? TRF_TRACKED_STALL : TRF_STALL);
        if (f.loss / this.scale < bestSse) bestSse = f.loss / this.scale;
        return f;
      });
      const best = lowestLoss(fits);
      if (polish && best >= 0) fits[best] = this.polish(fits[best]);
      if (this.options.distinct) fits = distinctOptima(fits, this.law.bounds);
    }
    return { fits, best: lowestLoss(fits) };
  }

  /**
   * A start must be finite wherever the fitter starts from it (trf solves the linear parameters):
   * a draw from an infinite bound would otherwise fail every start and leave no fit, silently.
   */
  private checkStarts(starts: readonly ArrayLike<number>[]): void {
    const solved = this.options.fitter === 'trf' && this.projection ? new Set(this.projection.linear) : new Set<number>();
    starts.forEach((s, k) => {
      for (let j = 0; j < this.P; j++) {
        if (solved.has(j) || Number.isFinite(s[j])) continue;
        const [lo, hi] = this.law.bounds[j];
        const why = Number.isFinite(lo) && Number.isFinite(hi) ? '' : ` (its bounds are [${lo}, ${hi}]: give it a finite box)`;
        throw new RangeError(`start ${k} of law ${this.law.id}: parameter '${this.law.params[j]}' is ${s[j]}${why}`);
      }
    });
  }

  /** A `trf` fit stopped as crawling (status 'stalled'), run on to convergence; any other fit as it is. */
  polish(fit: StartFit): StartFit {
    if (this.options.fitter !== 'trf' || fit.status !== 'stalled') return fit;
    const polished = this.fitTrf(fit.theta);
    return polished.loss <= fit.loss ? polished : fit;
  }

  /** The objective at θ, with the gradient the fitter uses (per `gradient`) written to `g`. */
  lossGrad(theta: ArrayLike<number>, g: Float64Array): number {
    const { bound, y, scale } = this;
    const exact = this.options.gradient === 'exact';
    const s = this.robust ? this.robustGrad(theta, g, exact) : exact ? bound.sseGrad(theta, y, g) : bound.sseGradFit(theta, y, g);
    if (scale !== 1) for (let j = 0; j < g.length; j++) g[j] *= scale;
    return s * scale;
  }

  /**
   * ∇ Σ C²ρ((r/C)²) = 2 Σ ρ'·r·∂r/∂θ is the Σ r² gradient at the weighted residuals ρ'·r, so the
   * compiled Σ r² gradient kernels serve, fed the targets pred − ρ'·r; through them
   * `gradient: 'reference'` keeps its clip() pass-through, which the law's valueJac lacks.
   */
  private robustGrad(theta: ArrayLike<number>, g: Float64Array, exact: boolean): number {
    const { pred, r, slope, yw } = this.robust!;
    const s = this.robustObjective(theta, true);
    for (let i = 0; i < yw.length; i++) yw[i] = pred[i] - slope[i] * r[i];
    if (exact) this.bound.sseGrad(theta, yw, g);
    else this.bound.sseGradFit(theta, yw, g);
    return s;
  }

  private fitBox(start: ArrayLike<number>): StartFit {
    const fg = (x: Float64Array, g: Float64Array): number => this.lossGrad(x, g);
    const r = minimizeBox(
      fg,
      start,
      this.lower,
      this.upper,
      {
        maxIterations: this.options.maxIterations,
        ftol: this.options.ftol,
        gtol: this.options.gtol,
      },
      this.workspace,
    );
    return { theta: r.x, loss: r.status === 'non-finite' || !Number.isFinite(r.f) ? NaN : r.f, status: r.status };
  }

  /** Lazily built: the variable-projection residuals (l2 only) and the TRF workspace. */
  private trfState: { residuals: ResidualsWithJacobian; m: number; ws: TrfWorkspace; lower: Float64Array; upper: Float64Array; r: Float64Array } | null = null;
  private projectionState: ProjectedResiduals | null | undefined;

  /** The variable projection of this problem, or null when the loss is robust or nothing is linear. */
  get projection(): ProjectedResiduals | null {
    if (this.projectionState === undefined) {
      const linear = this.law.linear ?? [];
      this.projectionState =
        this.robust || linear.length === 0
          ? null
          : new ProjectedResiduals(this.bound, this.y, this.outputs, this.law.bounds, linear, this.options.gradient === 'exact' ? 'exact' : 'fit');
    }
    return this.projectionState;
  }

  private trfSetup() {
    if (this.trfState) return this.trfState;
    const projection = this.projection;
    const m = this.n * this.outputs;
    let residuals: ResidualsWithJacobian;
    let lower = this.lower;
    let upper = this.upper;
    if (projection) {
      residuals = projection.residuals;
      lower = Float64Array.from(projection.nonlinear, (j) => this.lower[j]);
      upper = Float64Array.from(projection.nonlinear, (j) => this.upper[j]);
    } else {
      residuals = this.residualsOf(this.options.gradient === 'exact');
    }
    const ws = new TrfWorkspace(lower.length, m);
    this.trfState = { residuals, m, ws, lower, upper, r: new Float64Array(m) };
    return this.trfState;
  }

  /** One trf start; with `ceiling` (Σr²), stopped early when it crawls (see TRF_STALL). */
  private fitTrf(start: ArrayLike<number>, ceiling?: number, stall = TRF_STALL): StartFit {
    const { residuals, m, ws, lower, upper, r } = this.trfSetup();
    const projection = this.projection;
    const trf = { ...TRF_FIT, ...this.options.trf, ...(ceiling !== undefined ? { stall: { ...stall, ceiling } } : {}) };
    let theta: Float64Array;
    let status: MinimizeStatus;
    let f: number;
    if (projection) {
      const xN = projection.start(clipInto(start, this.lower, this.upper));
      if (xN.length === 0) {
        residuals(xN, r, null);
        f = sumSquares(r);
        status = projection.linearStatus === 'optimal' ? 'converged-gtol' : projection.linearStatus === 'non-finite' ? 'non-finite' : 'max-iterations';
      } else {
        const result = trustRegionReflective(residuals, xN, lower, upper, m, trf, ws);
        // leave the projection at the result's θ_N, so that its θ_L is the one that goes with it
        residuals(result.x, r, null);
        f = sumSquares(r);
        status = result.status;
      }
      theta = Float64Array.from(projection.theta);
    } else {
      const result = trustRegionReflective(residuals, start, lower, upper, m, trf, ws);
      theta = result.x;
      status = result.status;
      f = result.f;
    }
    const loss = f * this.scale;
    return { theta, loss: status === 'non-finite' || !Number.isFinite(loss) ? NaN : loss, status };
  }

  private fitLm(start: ArrayLike<number>): StartFit {
    const m = this.n * this.outputs;
    const r = levenbergMarquardt(this.residualsOf(true), start, m, { bounds: this.law.bounds });
    const loss = r.f * this.scale;
    return { theta: r.x, loss: r.status === 'non-finite' || !Number.isFinite(loss) ? NaN : loss, status: r.status };
  }

  /**
   * The residuals and Jacobian the least-squares fitters (LM, and trf without projection) work on,
   * with the exact Jacobian or the reference's. Under a robust loss they are r̃ = sign(r)·C·√ρ(z),
   * not scipy's rescaling (residuals ρ'·r/s and Jacobian rows s·J, s = √(ρ' + 2ρ''z)): that builds
   * the Gauss–Newton model of scipy's trust-region methods, which test each step on the true cost,
   * while our LM tests steps on ‖r‖² of whatever it is handed, and those scaled residuals' squares do
   * not sum to the cost (s → 0 in huber's linear part). Σ r̃² is exactly the robust cost, and the
   * Jacobian rows are J scaled by dr̃/dr, so ∇‖r̃‖² = 2 Σ ρ'·r·∂r/∂θ, the cost's exact gradient.
   */
  private residualsOf(exact: boolean): ResidualsWithJacobian {
    const { bound, y, P, robust } = this;
    const m = this.n * this.outputs;
    const pred = new Float64Array(m);
    return (x, r, jac) => {
      if (!jac) bound.value(x, pred);
      else if (exact) bound.valueJac(x, pred, jac);
      else bound.valueJacFit(x, pred, jac);
      for (let i = 0; i < m; i++) r[i] = pred[i] - y[i];
      if (robust) {
        sqrtResiduals(robust.spec, r, m, robust.slope);
        if (jac) for (let i = 0; i < m; i++) for (let j = 0; j < P; j++) jac[i * P + j] *= robust.slope[i];
      }
    };
  }
}

function clipInto(x: ArrayLike<number>, lo: Float64Array, hi: Float64Array): Float64Array {
  return Float64Array.from(lo, (l, j) => Math.min(Math.max(x[j], l), hi[j]));
}

function sumSquares(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return s;
}

/** Rows `idx` of the feature columns and of the row-major targets. */
export function subset(X: Columns, y: Float64Array, outputs: number, idx: readonly number[]): { X: Float64Array[]; y: Float64Array } {
  const Xs = X.map((col) => Float64Array.from(idx, (i) => col[i]));
  const ys = new Float64Array(idx.length * outputs);
  idx.forEach((i, k) => {
    for (let o = 0; o < outputs; o++) ys[k * outputs + o] = y[i * outputs + o];
  });
  return { X: Xs, y: ys };
}
