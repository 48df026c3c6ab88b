/** Model-based acquisition: MSPE (and its ablations), V-opt and D-opt. */
export {
  bestFit,
  doptScores,
  mspeScores,
  prepareState,
  scoreCandidates,
  stateModes,
  voptScores,
  type AcquisitionScores,
  type AcquisitionState,
  type DoptResult,
  type MspeOptions,
  type MspeResult,
  type PreparedState,
  type VoptResult,
} from './score.js';
export {
  ABLATION_REFIT_RATIO,
  GOOD_FIT_RATIO,
  MIN_MODE_WEIGHT,
  bicWeights,
  buildModes,
  goodFits,
  type GoodFitOptions,
  type GoodFitRule,
  type Mode,
  type ModeInput,
  type ModeSet,
} from './modes.js';
export {
  MSPE_COST_EXPONENT,
  QUADRATURE_POINTS,
  interModeGain,
  intraModeGain,
  mspeGains,
  quadratureRange,
  type MspeGains,
  type MspeMode,
  type MspeTerms,
} from './mspe.js';
export { VOPT_COST_EXPONENT, varianceReduction } from './vopt.js';
export { DOPT_COST_EXPONENT, informationGain } from './dopt.js';
export { flooredInverse, jacobianScale, noiseVariance, posterior, priorPrecision, type FlooredInverse, type Posterior } from './fisher.js';
export { lineariseFit, type LinearisedFit } from './linearised.js';
export { argmax, costPenalised } from './penalty.js';
export { completeLinkage, cutTree, silhouette, type Dendrogram } from './cluster.js';
export { Z90, intervalHits, studentT90, targetPredictive, type Predictive } from './predictive.js';
