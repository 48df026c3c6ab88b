/**
 * Forward-mode derivative rules, as code. For a node r = op(a, b, …) and one parameter θⱼ,
 * `derivative` returns the JavaScript expression for ∂r/∂θⱼ in terms of the argument values,
 * the node's own value and the arguments' derivatives — or null when it is identically zero.
 * Only zero and one are simplified; everything else is the textbook rule.
 */
import type { Node } from './graph.js';

export type Code = string | null;

export function times(x: Code, y: Code): Code {
  if (x === null || y === null) return null;
  if (x === '1') return y;
  if (y === '1') return x;
  return `${x} * ${y}`;
}

export function plus(x: Code, y: Code): Code {
  if (x === null) return y;
  if (y === null) return x;
  return `${x} + ${y}`;
}

export function minus(x: Code, y: Code): Code {
  if (y === null) return x;
  if (x === null) return `-(${y})`;
  return `${x} - (${y})`;
}

function wrap(x: string): string {
  return /^[A-Za-z0-9_.]+$/.test(x) ? x : `(${x})`;
}

/** A value shared by all of a node's derivatives (e.g. log(a) for a power), emitted once. */
export interface Shared {
  name: string;
  code: string;
}

/**
 * @param node  the node being differentiated
 * @param v     code of each argument's value, and `self` of the node's own value
 * @param d     code of each argument's derivative with respect to θⱼ (null = zero)
 * @param shared  requests a once-per-node helper value; returns its name
 * @param straightThroughClamps  fit the way the reference does (see Derivatives in codegen.ts)
 * @param constant  which arguments depend on no parameter (a clamp's fixed side)
 */
export function derivative(
  node: Node,
  v: { args: string[]; self: string },
  d: Code[],
  shared: (suffix: string, code: string) => string,
  straightThroughClamps = false,
  constant: readonly boolean[] = [],
): Code {
  const [a, b, c] = v.args;
  const [da, db, dc] = d;
  const r = v.self;
  switch (node.op) {
    case 'neg':
      return da === null ? null : `-(${da})`;
    case 'add':
      return plus(da, db);
    case 'sub':
      return minus(da, db);
    case 'mul':
      return plus(times(da, b), times(a, db));
    case 'div': {
      // (a/b)' = (a' − r·b') / b
      const num = minus(da, times(r, db));
      return num === null ? null : `${wrap(num)} / ${b}`;
    }
    case 'pow': {
      // At a = 0 (e.g. max(x, 0)^c with the clamp active) the slope b·a^(b−1) can be infinite
      // while a' is exactly 0, and r·log(a) is 0·(−∞): both limits are 0, not NaN. The exponent
      // slope at a = 0 is taken as 0 even at b = 0, where 0^b jumps from 1 to 0 and the one-sided
      // slope is −∞ (JAX's convention): an infinite slope would turn a zero coefficient in front,
      // C·0^c at C = 0, into NaN, and a NaN gradient makes the line search reject a good point.
      let viaBase: Code = null;
      if (da !== null) {
        // b·a^(b−1) = b·r/a, one division instead of a second power (a = 0 keeps the power form)
        const slope = b === '2' ? `2 * ${a}` : shared('pb', `(${a} !== 0 ? ${b} * ${r} / ${a} : ${b} * Math.pow(${a}, ${b} - 1))`);
        viaBase = da === '1' ? slope : `(${da} === 0 ? 0 : ${slope} * ${da})`;
      }
      let viaExponent: Code = null;
      if (db !== null) {
        const slope = shared('pe', `(${r} === 0 || ${a} === 0 ? 0 : ${r} * Math.log(${a}))`);
        viaExponent = db === '1' ? slope : `(${db} === 0 ? 0 : ${slope} * ${db})`;
      }
      return plus(viaBase, viaExponent);
    }
    case 'powlog': {
      // args: base a, its log b, exponent c; as for pow, with log a already at hand
      let viaBase: Code = null;
      if (da !== null) {
        const slope = shared('pb', `(${a} !== 0 ? ${c} * ${r} / ${a} : ${c} * Math.pow(${a}, ${c} - 1))`);
        viaBase = da === '1' ? slope : `(${da} === 0 ? 0 : ${slope} * ${da})`;
      }
      let viaExponent: Code = null;
      if (dc !== null) {
        const slope = shared('pe', `(${a} > 0 ? ${r} * ${b} : ${r} === 0 || ${a} === 0 ? 0 : ${r} * Math.log(${a}))`);
        viaExponent = dc === '1' ? slope : `(${dc} === 0 ? 0 : ${slope} * ${dc})`;
      }
      return plus(viaBase, viaExponent);
    }
    case 'exp':
      return times(r, da);
    case 'log':
      return da === null ? null : `${wrap(da)} / ${a}`;
    case 'log10':
      return da === null ? null : `${wrap(da)} / (${a} * ${Math.LN10})`;
    case 'sqrt':
      return da === null ? null : `0.5 * ${wrap(da)} / ${r}`;
    case 'abs':
      return times(shared('sg', `Math.sign(${a})`), da);
    case 'tanh':
      return times(shared('dt', `1 - ${r} * ${r}`), da);
    case 'sigmoid':
      return times(shared('ds', `${r} * (1 - ${r})`), da);
    case 'softplus':
      return times(shared('ds', `1 / (1 + Math.exp(-${a}))`), da);
    case 'min':
    case 'max': {
      // a clamp, min or max of an expression and a parameter-free bound, passes the expression's
      // derivative on when fitting as the reference does; a max of two expressions stays exact
      if (straightThroughClamps && constant[0] !== constant[1]) return constant[1] ? da : db;
      return node.op === 'min' ? select(`${a} <= ${b}`, da, db) : select(`${a} >= ${b}`, da, db);
    }
    case 'clip': {
      // clip(x, lo, hi): the derivative of whichever of the three is the value — or, for fitting
      // as the reference does, of x always
      if (straightThroughClamps) return da;
      if (da === null && db === null && dc === null) return null;
      return `(${a} < ${b} ? ${db ?? '0'} : ${a} > ${c} ? ${dc ?? '0'} : ${da ?? '0'})`;
    }
    default:
      throw new Error(`derivative: unexpected leaf ${node.op}`);
  }
}

function select(cond: string, x: Code, y: Code): Code {
  if (x === null && y === null) return null;
  return `(${cond} ? ${x ?? '0'} : ${y ?? '0'})`;
}
