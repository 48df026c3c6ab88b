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

  // each family on curves of its own form: exp decays in compute u = e^t (scaled by the largest u seen), mmf as 1/(1 + √(c·u))
  const ownForm = {
    exp: { truth: (size: number, t: number) => 1.8 + (size - 14) * Math.exp((-0.8 * Math.exp(t)) / Math.exp(4)), at: 5 },
    mmf: { truth: (size: number, t: number) => 1.8 + (size - 14) / (1 + Math.sqrt(0.3 * Math.exp(t))), at: 8 },
  };
  it.each(['exp', 'mmf'] as const)('%s: on curves of its own form, predicts the continuation better than half the last value seen', (family) => {
    const { truth, at } = ownForm[family];
    const own = { curves: sizes.map((size) => ({ size, t: ts, y: ts.map((t) => truth(size, t)) })) };
    const e = fitEnsemble(own, { ...DEFAULT_ENSEMBLE, family, seed: ['f'] });
    let error = 0;
    let naive = 0;
    for (const size of sizes) {
      const p = e.predict(size, at);
      expect(p.variance).toBeGreaterThanOrEqual(0);
      error += Math.abs(p.mean - truth(size, at));
      naive += Math.abs(truth(size, 4) - truth(size, at));
    }
    expect(error).toBeLessThan(0.5 * naive);
  });
});
