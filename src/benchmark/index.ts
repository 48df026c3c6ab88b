/** `active-sl/benchmark`: the ScaleBench protocol — one unit (a law, a repeat, a method), a whole run, target-region R². */
export { runBenchmark, ResumeConflict } from './run.js';
export type { RunOptions, RunResult } from './run.js';
export { runUnit, METHODS, METHOD_ALIASES } from './unit.js';
export type { Method, UnitRecord } from './unit.js';
export { rSquared, taskR2 } from './r2.js';
export { initialDesign, MODEL_METHODS, runSequential } from './sequential-loop.js';
