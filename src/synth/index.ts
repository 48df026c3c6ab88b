/** `active-sl synth` as a library: scenario specs, generation, the stress-suite presets, the folder write. */
export { parseScenarioSpec, ScenarioError, DEFAULT_SCENARIO_BUDGETS } from './spec.js';
export type { GridAxis, GridScale, NoiseSpec, ScenarioLaw, ScenarioSpec, ScenarioSpecInput } from './spec.js';
export { generateScenario, SCENARIO_FILES } from './generate.js';
export type { GeneratedScenario, ScenarioSummary } from './generate.js';
export { axisValues, gridColumns } from './grid.js';
export { exampleScenarioSpec } from './example.js';
export { CHINCHILLA_LAW, isNoiseLevel, isStressScenario, NOISE_LEVELS, presetSpec, STRESS_SCENARIO_DETAILS, STRESS_SCENARIOS } from './presets.js';
export type { NoiseLevel, StressScenario, StressScenarioName } from './presets.js';
export { OutputFolderError, writeFolderAtomically, writeScenario } from './write.js';
export type { WriteFolderOptions } from './write.js';
