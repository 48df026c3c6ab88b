/**
 * The scenario's formulas through the repo's compiler (no user text is ever evaluated): the truth
 * with its fixed values, the cost expression, and a compile check of every law to be fitted. A
 * compiler error becomes a ScenarioError naming the spec field, and keeps the compiler's token.
 */
import { compileFormula, FormulaError, type Columns } from '../laws/formula/index.js';
import { compileLaw } from '../laws/law.js';
import { ScenarioError, type ScenarioSpec } from './spec.js';

/** Values of an expression at every row of the given feature columns. */
export type ColumnFunction = (X: Columns) => Float64Array;

const UNKNOWN_NAME = /^unknown name '/;

function compiled<T>(field: string, hint: (e: FormulaError) => string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof FormulaError) {
      const extra = hint(e);
      throw new ScenarioError(field, extra ? `${e.message}; ${extra}` : e.message);
    }
    throw e;
  }
}

export function compileTruth(spec: ScenarioSpec): ColumnFunction {
  const names = Object.keys(spec.truth.values);
  const theta = names.map((p) => spec.truth.values[p]);
  const law = compiled(
    'truth.formula',
    (e) => (UNKNOWN_NAME.test(e.reason) ? `'${e.token}' needs a value in truth.values, or is it a feature (features: ${spec.features.join(', ')})?` : ''),
    () => compileLaw({ formula: spec.truth.formula, params: names, features: spec.features }),
  );
  return (X) => {
    const bound = law.bind(X);
    return bound.value(theta, new Float64Array(bound.n));
  };
}

export function compileCost(spec: ScenarioSpec): ColumnFunction {
  const cost = compiled(
    'cost',
    (e) => (UNKNOWN_NAME.test(e.reason) ? `the cost may use only the features (${spec.features.join(', ')})` : ''),
    () => compileFormula({ formula: spec.cost, params: [], features: spec.features }),
  );
  return (X) => {
    const n = X.length > 0 ? X[0].length : 0;
    const out = new Float64Array(n);
    cost.kernels.value([], X, cost.kernels.prepare(X, n), n, out);
    return out;
  };
}

/** Every law the task will fit must compile against the scenario's features. */
export function checkLaws(spec: ScenarioSpec): void {
  for (const [id, law] of Object.entries(spec.laws)) {
    const params = Object.keys(law.params);
    compiled(
      `laws.${id}.formula`,
      (e) =>
        UNKNOWN_NAME.test(e.reason) ? `'${e.token}' is neither a feature (${spec.features.join(', ')}) nor a parameter of this law (${params.join(', ')})` : '',
      () => compileLaw({ id, formula: law.formula, params: law.params, features: spec.features }),
    );
  }
}
