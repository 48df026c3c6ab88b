/**
 * active-sl as a library. The contract (DESIGN.md): getLaw, compileLaw, scoreCandidates, and the
 * task and data loaders they stand on.
 */
import { lawOf, loadTask, type TaskSpec } from './data/task.js';
import type { Law } from './laws/law.js';

export { compileLaw, toColumns } from './laws/law.js';
export type { BoundLaw, Bounds, Evaluation, Law, LawSpec } from './laws/law.js';
export { compileFormula, FormulaError, FUNCTIONS } from './laws/formula/index.js';
export { builtinTaskNames, lawOf, loadTask, parseTask, readTaskFile, TaskError } from './data/task.js';
export type { LawDefinition, TaskSpec } from './data/task.js';
export { loadTaskData } from './data/dataset.js';
export type { GroupData, Split, TaskData } from './data/dataset.js';
export { DataError, readTable } from './data/table.js';
export { dataRoots } from './data/locate.js';

/** A law of a built-in task (by name), of a task file (by path), or of a loaded task. */
export function getLaw(task: string | TaskSpec, id: string): Law {
  return lawOf(typeof task === 'string' ? loadTask(task) : task, id);
}
export { LeastSquares, subset, FITTERS, REFERENCE_FIT } from './fit/multistart.js';
export type { FitOptions, FitterName, MultistartResult, Objective, StartFit } from './fit/multistart.js';
export { logUniformStarts, uniformStarts } from './fit/starts.js';
export { runBenchmark } from './benchmark/run.js';
export type { RunOptions, RunResult } from './benchmark/run.js';
export { runUnit, METHODS } from './benchmark/unit.js';
export type { UnitRecord } from './benchmark/unit.js';
export { rngFor } from './random/seeds.js';
export { rSquared, taskR2 } from './benchmark/r2.js';
export { scoreCandidates, mspeScores, voptScores, doptScores, stateModes, prepareState } from './select/score.js';
export type { AcquisitionScores, AcquisitionState } from './select/score.js';
export { initialDesign, MODEL_METHODS } from './benchmark/sequential-loop.js';
export { ROBUST_LOSSES, RHO, DEFAULT_LOSS } from './fit/robust.js';
export type { LossSpec, RobustLoss } from './fit/robust.js';
export { spaceFillingPick, spaceFillingScores } from './select/space-filling.js';
export { checkLawFits } from './campaign/alarm.js';
export type { LawFitsReport } from './campaign/alarm.js';
export { generateScenario, parseScenarioSpec, presetSpec, writeScenario, STRESS_SCENARIOS, NOISE_LEVELS } from './synth/index.js';
export type { ScenarioSpec, ScenarioSpecInput } from './synth/index.js';
export { runStressSuite } from './stress/suite.js';
export type { StressOptions, StressResult } from './stress/suite.js';
