/** `active-sl/laws`: a law as a formula with bounded parameters, compiled to allocation-free kernels with exact Jacobians. */
export { compileLaw, toColumns } from './law.js';
export type { BoundLaw, Bounds, Evaluation, Law, LawSpec } from './law.js';
export { compileFormula, FormulaError, FUNCTIONS } from './formula/index.js';
