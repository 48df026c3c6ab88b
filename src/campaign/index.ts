/** `active-sl/campaign`: a practitioner's own pilot campaign — the next runs to pay for, the fitted law with intervals, the target forecast, and whether the law fits at all. */
export { suggest, fitLaw, fitModel, rankCandidates, SUGGEST_METHODS } from './suggest.js';
export type { FitResult, FittedModel, ModelOptions, SuggestMethod, SuggestOptions, SuggestResult, Suggestion } from './suggest.js';
export { forecast, forecastNoise, targetRegion, parameterIntervals, relativeHalfWidth, PracticeError, PRACTICE_FITTER } from './model.js';
export type { Forecast, ForecastNoise, ParameterEstimate, TargetPrediction, TargetRegion } from './model.js';
export { readObserved, sameConfiguration } from './observed.js';
export type { ObservedRuns } from './observed.js';
export { loadPracticeData } from './data.js';
export type { PracticeData, PracticeGroup } from './data.js';
export { checkLawFits, runsNeeded, ALARM_LEVEL } from './alarm.js';
export type { LawFitsFinding, LawFitsOptions, LawFitsReport, LawFitsStats, LawFitsTest } from './alarm.js';
