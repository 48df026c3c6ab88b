import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { LeastSquares } from './multistart.js';

// y = exp(clip(a·x, −50, 50)): a start with a·x far past the clip sits on a plateau
const law = compileLaw({ formula: 'exp(clip(a * x, -50, 50)) + c', params: { a: [-100, 100], c: [-1, 1] }, features: ['x'] });
const X = [Float64Array.from([1, 2, 3, 4])];
const y = Float64Array.from([1, 2, 3, 4].map((x) => Math.exp(0.3 * x) + 0.1));

describe('the fitting gradient', () => {
  it('passes through an active clip as the reference does, and the exact one does not', () => {
    const b = law.bind(X);
    const g = new Float64Array(2);
    const theta = [60, 0];
    b.sseGrad(theta, y, g);
    expect(g[0]).toBe(0);
    b.sseGradFit(theta, y, g);
    expect(g[0]).toBeGreaterThan(0);
  });

  it('passes through a clamp against a fixed bound too, but keeps a max of two expressions exact', () => {
    // max(A, 1e-6) is clamped at A = −0.5; max(a·x, b) takes b (a·x ≤ 0.4 < 0.9) and so has no a-slope
    const clamps = compileLaw({ formula: 'max(A, 1e-6) * x + max(a * x, b)', params: { A: [-1, 1], a: [-1, 1], b: [-1, 1] }, features: ['x'] });
    const b = clamps.bind(X);
    const theta = [-0.5, 0.1, 0.9];
    const residuals = [1, 2, 3, 4].map((x, i) => 1e-6 * x + 0.9 - y[i]);
    const exact = new Float64Array(3);
    const fit = new Float64Array(3);
    b.sseGrad(theta, y, exact);
    b.sseGradFit(theta, y, fit);
    const dA = residuals.reduce((s, r, i) => s + 2 * r * (i + 1), 0);
    const db = residuals.reduce((s, r) => s + 2 * r, 0);
    expect(Array.from(exact)).toEqual([0, 0, db]);
    expect(fit[0]).toBeCloseTo(dA, 12);
    expect(Array.from(fit).slice(1)).toEqual([0, db]);
  });

  it('lets a fit started on the plateau move off it; the exact gradient stays stuck', () => {
    const start = [[60, 0]];
    const reference = new LeastSquares(law, X, y, { gradient: 'reference' }).fit(start);
    const exact = new LeastSquares(law, X, y, { gradient: 'exact' }).fit(start);
    expect(exact.fits[0].theta[0]).toBe(60);
    expect(reference.fits[0].theta[0]).toBeLessThan(50 / 4);
    expect(reference.fits[0].loss).toBeLessThan(1e-6 * exact.fits[0].loss);
  });

  it('drops a start whose objective is not finite', () => {
    const nan = compileLaw({ formula: 'log(a * x)', params: { a: [-1, 1] }, features: ['x'] });
    const r = new LeastSquares(nan, X, y).fit([[-0.5], [0.5]]);
    expect(Number.isNaN(r.fits[0].loss)).toBe(true);
    expect(r.best).toBe(1);
  });
});
