/** `active-sl/select`: the acquisition functions (MSPE, V-optimal, D-optimal), the baselines' selectors, the modes of a multistart fit, and the predictive distribution in the target region. */
export { scoreCandidates, mspeScores, voptScores, doptScores, stateModes, prepareState } from './score.js';
export type { AcquisitionScores, AcquisitionState } from './score.js';
export { randomSelector } from './random.js';
export { cheapestSelector } from './cheapest.js';
export { costRandSelector } from './cost-rand.js';
export type { Selector, SelectionState } from './selector.js';
export { spaceFillingPick, spaceFillingScores } from './space-filling.js';
export { buildModes, goodFits, bicWeights, symmetricKl, GOOD_FIT_RATIO } from './modes.js';
export type { Mode, ModeInput, ModeSet } from './modes.js';
export { posterior, flooredInverse, priorPrecision, noiseVariance } from './fisher.js';
export type { FlooredInverse, Posterior } from './fisher.js';
export { targetPredictive, intervalHits, studentT90, Z90 } from './predictive.js';
export type { Predictive } from './predictive.js';
