/**
 * A scaling law: named parameters with box bounds, a compiled formula, and convenient and fast
 * ways to evaluate it. `evaluate` takes plain arrays (library contract); `bind` prepares a data set
 * once and then evaluates on Float64Arrays without allocating (the fitter's hot path).
 */
import { compileFormula, FormulaError, type Columns, type CompiledFormula } from './formula/index.js';

export type Bounds = [number, number][];

export interface LawSpec {
  /** One formula, or one per output keyed by output (target) name. */
  formula: string | Readonly<Record<string, string>>;
  /** Parameter names in θ order, or an object name → [lo, hi] whose key order is θ order. */
  params: readonly string[] | Readonly<Record<string, readonly [number, number]>>;
  features: readonly string[];
  /** Bounds when `params` is a list; defaults to unbounded. */
  bounds?: readonly (readonly [number, number])[];
  /** Output names for a keyed formula; defaults to its keys. */
  outputs?: readonly string[];
  id?: string;
  description?: string;
}

export interface Evaluation {
  /** rows (one output) or rows × outputs */
  pred: number[] | number[][];
  /** rows × params (one output) or rows × outputs × params */
  jac: number[][] | number[][][];
}

export interface BoundLaw {
  readonly n: number;
  /** Predictions into `out` (length n × outputs, row-major). */
  value(theta: ArrayLike<number>, out: Float64Array): Float64Array;
  /** Predictions and the Jacobian J[row][output][param] (length n × outputs × params). */
  valueJac(theta: ArrayLike<number>, out: Float64Array, J: Float64Array): void;
  /** valueJac with the reference's derivatives through clip(x, lo, hi): its active bounds pass x's derivative on. */
  valueJacFit(theta: ArrayLike<number>, out: Float64Array, J: Float64Array): void;
  /** Σ (pred − y)² over all rows and outputs. */
  sse(theta: ArrayLike<number>, y: Float64Array): number;
  /** Σ (pred − y)², with its gradient in θ written to `g`. */
  sseGrad(theta: ArrayLike<number>, y: Float64Array, g: Float64Array): number;
  /**
   * Σ (pred − y)² with the gradient the reference fits with: exact except through clip(x, lo, hi),
   * whose active bounds pass x's derivative on.
   */
  sseGradFit(theta: ArrayLike<number>, y: Float64Array, g: Float64Array): number;
}

export interface Law {
  id: string;
  description: string;
  params: string[];
  bounds: Bounds;
  /** Sorted indices of the parameters the law is jointly affine in, for variable projection. */
  linear: number[];
  /** Sorted indices of declared parameters the formula never uses (a task file may not have any). */
  unused?: readonly number[];
  features: string[];
  outputs: number;
  outputNames: string[];
  formula: string | Readonly<Record<string, string>>;
  evaluate(theta: readonly number[], X: readonly (readonly number[])[]): Evaluation;
  bind(X: Columns | readonly (readonly number[])[]): BoundLaw;
}

/** Converts rows to feature columns, checking the shape. */
export function toColumns(X: readonly (readonly number[])[], features: number): Float64Array[] {
  const cols = Array.from({ length: features }, () => new Float64Array(X.length));
  X.forEach((row, i) => {
    if (row.length !== features) throw new Error(`row ${i} has ${row.length} values, expected ${features}`);
    for (let f = 0; f < features; f++) cols[f][i] = row[f];
  });
  return cols;
}

function normaliseParams(spec: LawSpec): { names: string[]; bounds: Bounds } {
  if (Array.isArray(spec.params)) {
    const names = [...(spec.params as readonly string[])];
    const given = spec.bounds;
    if (given && given.length !== names.length) {
      throw new FormulaError(`${given.length} bounds for ${names.length} parameters`, 1, 1, '');
    }
    return { names, bounds: names.map((_, i) => (given ? [given[i][0], given[i][1]] : [-Infinity, Infinity])) };
  }
  const table = spec.params as Readonly<Record<string, readonly [number, number]>>;
  const names = Object.keys(table);
  return { names, bounds: names.map((n) => [table[n]?.[0], table[n]?.[1]] as [number, number]) };
}

function checkBounds(names: string[], bounds: Bounds): void {
  bounds.forEach(([lo, hi], i) => {
    const name = names[i];
    if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi)) {
      throw new FormulaError(`parameter '${name}' needs bounds [lo, hi] of two numbers`, 1, 1, name);
    }
    if (!(lo < hi)) throw new FormulaError(`parameter '${name}' has bounds [${lo}, ${hi}]: lo must be below hi`, 1, 1, name);
  });
}

export function compileLaw(spec: LawSpec): Law {
  const { names, bounds } = normaliseParams(spec);
  checkBounds(names, bounds);
  const compiled: CompiledFormula = compileFormula({
    formula: spec.formula,
    params: names,
    features: spec.features,
    outputs: spec.outputs,
  });
  const P = names.length;
  const O = compiled.outputs;
  const F = spec.features.length;
  const k = compiled.kernels;
  const outputNames = typeof spec.formula === 'string' ? ['y'] : [...(spec.outputs ?? Object.keys(spec.formula))];

  const bind = (X: Columns | readonly (readonly number[])[]): BoundLaw => {
    const cols: Columns = X.length > 0 && X[0] instanceof Float64Array ? (X as Columns) : toColumns(X as number[][], F);
    if (cols.length !== F) throw new Error(`expected ${F} feature columns, got ${cols.length}`);
    const n = F > 0 ? cols[0].length : 0;
    const C = k.prepare(cols, n);
    return {
      n,
      value: (theta, out) => {
        k.value(theta, cols, C, n, out);
        return out;
      },
      valueJac: (theta, out, J) => k.valueJac(theta, cols, C, n, out, J),
      valueJacFit: (theta, out, J) => k.valueJacFit(theta, cols, C, n, out, J),
      sse: (theta, y) => k.sse(theta, cols, C, n, y),
      sseGrad: (theta, y, g) => k.sseGrad(theta, cols, C, n, y, g),
      sseGradFit: (theta, y, g) => k.sseGradFit(theta, cols, C, n, y, g),
    };
  };

  const evaluate = (theta: readonly number[], X: readonly (readonly number[])[]): Evaluation => {
    if (theta.length !== P) throw new Error(`theta has ${theta.length} values, the law has ${P} parameters (${names.join(', ')})`);
    const b = bind(X);
    const out = new Float64Array(b.n * O);
    const J = new Float64Array(b.n * O * P);
    b.valueJac(theta, out, J);
    const row = (off: number) => Array.from(J.subarray(off, off + P));
    if (O === 1) {
      return { pred: Array.from(out), jac: Array.from({ length: b.n }, (_, i) => row(i * P)) };
    }
    return {
      pred: Array.from({ length: b.n }, (_, i) => Array.from(out.subarray(i * O, i * O + O))),
      jac: Array.from({ length: b.n }, (_, i) => Array.from({ length: O }, (_, o) => row((i * O + o) * P))),
    };
  };

  return {
    id: spec.id ?? 'law',
    description: spec.description ?? '',
    params: names,
    bounds,
    linear: [...compiled.linear],
    unused: compiled.unused,
    features: [...spec.features],
    outputs: O,
    outputNames,
    formula: spec.formula,
    evaluate,
    bind,
  };
}
