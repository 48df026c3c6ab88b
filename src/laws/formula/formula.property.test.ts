/** Properties of the formula compiler over generated inputs (fast-check), beside the example tests. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLaw } from '../law.js';
import { compileFormula, FormulaError } from './index.js';

const RUNS = { numRuns: 200, seed: 20261203 };

describe('the formula compiler on generated input', () => {
  it('reads back every finite number literal as the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const law = compileLaw({ formula: `a * x + ${String(Math.abs(v))}`, params: ['a'], features: ['x'] });
        return Object.is((law.evaluate([0], [[1]]).pred as number[])[0], Math.abs(v) + 0);
      }),
      RUNS,
    );
  });

  it('evaluates sums and products of generated terms as JavaScript does', () => {
    const term = fc.tuple(fc.constantFrom('+', '-', '*'), fc.integer({ min: -50, max: 50 }));
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 8 }), fc.integer({ min: -9, max: 9 }), (terms, x) => {
        const text = terms.reduce((s, [op, k]) => `(${s}) ${op} (${k})`, 'x');
        const want = terms.reduce((s, [op, k]) => (op === '+' ? s + k : op === '-' ? s - k : s * k), x);
        const law = compileLaw({ formula: `a * 0 + ${text}`, params: ['a'], features: ['x'] });
        return (law.evaluate([1], [[x]]).pred as number[])[0] === want;
      }),
      RUNS,
    );
  });

  it('answers any string with a compiled law or a FormulaError, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          compileFormula({ formula: text, params: ['a', 'b'], features: ['x'] });
        } catch (e) {
          return e instanceof FormulaError;
        }
        return true;
      }),
      { ...RUNS, numRuns: 500 },
    );
    expect(() => compileFormula({ formula: 'a +', params: ['a'], features: ['x'] })).toThrow(FormulaError);
  });
});
