/** `active-sl/fit`: the fitters (bounded quasi-Newton, trust-region reflective, Levenberg–Marquardt), bounded linear least squares, the multistart layer and robust losses. */
export { LeastSquares, subset, finiteFits, FITTERS, REFERENCE_FIT, TRF_FIT, DEFAULT_RESTARTS, defaultRestarts } from './multistart.js';
export type { FitGradient, FitOptions, FitterName, MultistartOptions, MultistartResult, Objective, TrfFitOptions } from './multistart.js';
export type { MinimizeResult, MinimizeStatus, StartFit } from './types.js';
export { minimizeBox, BoxWorkspace } from './lbfgsb.js';
export type { BoxMinimizeOptions, ObjectiveWithGradient } from './lbfgsb.js';
export { trustRegionReflective, TrfWorkspace } from './trf.js';
export type { TrfOptions, TrfResult } from './trf.js';
export { levenbergMarquardt } from './levenberg-marquardt.js';
export type { LmOptions, LmResult, ResidualsWithJacobian } from './levenberg-marquardt.js';
export { boxLeastSquares, BoxLsqWorkspace } from './bvls.js';
export type { BoxLsqResult, BoxLsqStatus } from './bvls.js';
export { distinctOptima, sameOptimum } from './optima.js';
export { logUniformStarts, uniformStarts, startProblem } from './starts.js';
export { DEFAULT_LOSS, ROBUST_LOSSES, RHO, robustCost, lossLabel } from './robust.js';
export type { LossSpec, RobustLoss } from './robust.js';
