/**
 * The formula compiler: text → parsed program → shared expression DAG → generated kernels for
 * predictions, the exact Jacobian, and the sum of squared residuals with its gradient.
 */
import { generate } from './codegen.js';
import { GraphBuilder, liveNodes, sigmoid, softplus } from './graph.js';
import { FormulaError } from './lexer.js';
import { linearParams } from './linearity.js';
import { parseFormula } from './parser.js';

export { FormulaError } from './lexer.js';
export { FUNCTIONS } from './parser.js';

/** Columns of feature values, one Float64Array per feature, all of the same length. */
export type Columns = readonly Float64Array[];

export interface Kernels {
  /** Computes the data-only subexpressions once for a data set. */
  prepare(F: Columns, n: number): Float64Array[];
  value(theta: ArrayLike<number>, F: Columns, C: Float64Array[], n: number, out: Float64Array): void;
  valueJac(theta: ArrayLike<number>, F: Columns, C: Float64Array[], n: number, out: Float64Array, J: Float64Array): void;
  /** valueJac with the reference's derivatives through clip (see codegen `Derivatives`). */
  valueJacFit(theta: ArrayLike<number>, F: Columns, C: Float64Array[], n: number, out: Float64Array, J: Float64Array): void;
  sse(theta: ArrayLike<number>, F: Columns, C: Float64Array[], n: number, y: Float64Array): number;
  sseGrad(theta: ArrayLike<number>, F: Columns, C: Float64Array[], n: number, y: Float64Array, g: Float64Array): number;
  /** sseGrad with the reference's gradient through clip (see codegen `Derivatives`). */
  sseGradFit(theta: ArrayLike<number>, F: Columns, C: Float64Array[], n: number, y: Float64Array, g: Float64Array): number;
}

export interface FormulaSpec {
  /** One formula, or one per output keyed by output name (in `outputs` order). */
  formula: string | Readonly<Record<string, string>>;
  params: readonly string[];
  features: readonly string[];
  /** Names of the outputs when `formula` is keyed; defaults to the keys' order. */
  outputs?: readonly string[];
}

export interface CompiledFormula {
  params: readonly string[];
  features: readonly string[];
  outputs: number;
  kernels: Kernels;
  /** Sorted indices of parameters the outputs are jointly affine in (see `linearParams`). */
  linear: readonly number[];
  /** The generated source, for inspection and tests. */
  source: ReturnType<typeof generate>;
  /** Sorted indices of declared parameters no output depends on. */
  unused: readonly number[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkNames(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (!IDENT.test(n)) throw new FormulaError(`${kind} name '${n}' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)`, 1, 1, n);
    if (seen.has(n)) throw new FormulaError(`${kind} '${n}' is named twice`, 1, 1, n);
    seen.add(n);
  }
}

/** Prefixes errors of one output of a multi-output formula with that output's name. */
function located<T>(output: string | null, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FormulaError && output !== null) {
      throw new FormulaError(`in the formula for '${output}': ${e.reason}`, e.line, e.column, e.token);
    }
    throw e;
  }
}

export function compileFormula(spec: FormulaSpec): CompiledFormula {
  checkNames('parameter', spec.params);
  checkNames('feature', spec.features);
  for (const p of spec.params) {
    if (spec.features.includes(p)) throw new FormulaError(`'${p}' is both a parameter and a feature`, 1, 1, p);
  }
  const scope = { params: spec.params, features: spec.features };
  const builder = new GraphBuilder(spec.params.length, spec.features.length);
  const outputs: number[] = [];
  if (typeof spec.formula === 'string') {
    outputs.push(builder.addProgram(parseFormula(spec.formula, scope)));
  } else {
    const table = spec.formula;
    const names = spec.outputs ?? Object.keys(table);
    if (names.length === 0) throw new FormulaError('a multi-output formula needs at least one output', 1, 1, '');
    for (const name of names) {
      if (!Object.prototype.hasOwnProperty.call(table, name) || typeof table[name] !== 'string') {
        throw new FormulaError(`no formula for output '${name}'`, 1, 1, name);
      }
      outputs.push(located(name, () => builder.addProgram(parseFormula(table[name], scope))));
    }
    for (const key of Object.keys(table)) {
      if (!names.includes(key)) throw new FormulaError(`formula for '${key}', which is not an output (outputs: ${names.join(', ')})`, 1, 1, key);
    }
  }
  const graph = builder.build(outputs);
  const linear = linearParams(graph);
  const source = generate(graph);
  const make = (args: string[], body: string) =>
    // the body is generated from the parsed DAG only, never from user text
    new Function('softplus', 'sigmoid', `"use strict"; return function (${args.join(', ')}) {\n${body}\n};`)(softplus, sigmoid);
  const kernels: Kernels = {
    prepare: make(['F', 'n'], source.prepare),
    value: make(['theta', 'F', 'C', 'n', 'out'], source.value),
    valueJac: make(['theta', 'F', 'C', 'n', 'out', 'J'], source.valueJac),
    valueJacFit: make(['theta', 'F', 'C', 'n', 'out', 'J'], source.valueJacFit),
    sse: make(['theta', 'F', 'C', 'n', 'y'], source.sse),
    sseGrad: make(['theta', 'F', 'C', 'n', 'y', 'g'], source.sseGrad),
    sseGradFit: make(['theta', 'F', 'C', 'n', 'y', 'g'], source.sseGradFit),
  };
  const used = new Set(liveNodes(graph).flatMap((n) => (n.op === 'param' ? [n.value] : [])));
  const unused = spec.params.map((_, j) => j).filter((j) => !used.has(j));
  return { params: spec.params, features: spec.features, outputs: outputs.length, kernels, linear, source, unused };
}
