/** The deep-ensemble surrogate learns a family of curves from their beginnings. */
import { describe, expect, it } from 'vitest';
import { fitEnsemble, DEFAULT_ENSEMBLE } from './ensemble.js';

// five models whose curves are exactly 1.8 + b·e^(−0.4 t), b growing with size; seen up to t = 4
const sizes = [16, 17, 18, 19, 20];
const truth = (size: number, t: number) => 1.8 + (size - 14) * Math.exp(-0.4 * t);
const ts = Float64Array.from({ length: 20 }, (_, k) => (4 * k) / 19);
const data = { curves: sizes.map((size) => ({ size, t: ts, y: ts.map((t) => truth(size, t)) })) };

describe('fitEnsemble', () => {
  it('pl: predicts the continuation at t = 8 far better than the last value seen', () => {
    const e = fitEnsemble(data, { ...DEFAULT_ENSEMBLE, family: 'pl', seed: ['t'] });
    for (const size of sizes) {
      const p = e.predict(size, 8);
      const last = truth(size, 4);
      expect(Math.abs(p.mean - truth(size, 8))).toBeLessThan(0.25 * Math.abs(last - truth(size, 8)));
      expect(p.variance).toBeGreaterThanOrEqual(0);
    }
  });

  it('is deterministic for a seed', () => {
    const a = fitEnsemble(data, { ...DEFAULT_ENSEMBLE, iterations: 50, seed: ['d'] }).predict(18, 6);
    const b = fitEnsemble(data, { ...DEFAULT_ENSEMBLE, iterations: 50, seed: ['d'] }).predict(18, 6);
    expect(b).toEqual(a);
  });

  it.each(['exp', 'mmf'] as const)('%s: fits and predicts finite values', (family) => {
    const p = fitEnsemble(data, { ...DEFAULT_ENSEMBLE, iterations: 200, family, seed: ['f'] }).predict(18, 8);
    expect(Number.isFinite(p.mean)).toBe(true);
    expect(Number.isFinite(p.variance)).toBe(true);
  });
});
