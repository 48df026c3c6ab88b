/** What every fitter reports: a status instead of an exception, and one start's fit. */

export type MinimizeStatus =
  | 'converged-gtol'
  | 'converged-ftol'
  /** Levenberg–Marquardt only: the trust region shrank below `xtol` relative to ‖D·x‖. */
  | 'converged-xtol'
  | 'max-iterations'
  | 'max-evaluations'
  | 'line-search-failed'
  /**
   * L-BFGS-B only: the line search ended no lower than where it began, so x stays there. scipy calls
   * this convergence (its ftol test passes on an increase); it is not a converged point.
   */
  | 'no-progress'
  /** TRF with a stall rule only: the cost fell too little over a window of accepted steps. */
  | 'stalled'
  | 'non-finite';

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  status: MinimizeStatus;
  iterations: number;
  evaluations: number;
}

/** One start of a multistart fit. */
export interface StartFit {
  theta: Float64Array;
  /** The objective at theta; NaN when the start failed (non-finite values). */
  loss: number;
  status: MinimizeStatus;
}
