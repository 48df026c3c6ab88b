/** The numeric flag parsers over generated input (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { nonNegativeInt, positiveInt } from './options.js';

const RUNS = { numRuns: 300, seed: 20261203 };

describe('positiveInt and nonNegativeInt', () => {
  it('take every whole number however it is written (1234, 1.234e3, padded)', () => {
    const parse = positiveInt('--repeats', 10_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('plain', 'exp', 'padded'), (n, form) => {
        const text = form === 'exp' ? n.toExponential() : form === 'padded' ? ` ${n} ` : String(n);
        return parse(text) === n && nonNegativeInt('--k')(text) === n;
      }),
      RUNS,
    );
    expect(nonNegativeInt('--k')('0')).toBe(0);
  });

  it('refuse anything that is not a whole number in range with a UsageError naming the flag and the value', () => {
    const parse = positiveInt('--repeats', 10_000);
    const bad = fc.oneof(
      fc
        .double({ noNaN: true })
        .filter((v) => !Number.isInteger(v) || v < 1 || v > 10_000)
        .map(String),
      fc.string({ maxLength: 6 }).filter((s) => !/^\s*\d+(\.0*)?(e\+?\d+)?\s*$/i.test(s) || Number(s) < 1 || Number(s) > 10_000),
    );
    fc.assert(
      fc.property(bad, (text) => {
        try {
          parse(text);
        } catch (e) {
          return e instanceof UsageError && e.message.startsWith(`--repeats ${text}: `);
        }
        // accepted: then it must be a whole number in range after all (e.g. "2.0")
        return text.trim() !== '' && Number.isSafeInteger(Number(text)) && Number(text) >= 1 && Number(text) <= 10_000;
      }),
      RUNS,
    );
  });
});
