import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { LeastSquares } from './multistart.js';
import { logUniformStarts } from './starts.js';
import { rngFor } from '../random/seeds.js';

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

describe('--fitter trf', () => {
  // y = E + A·x^(−α) + B·z on exact data: E, A, B linear, α not
  const chin = compileLaw({ formula: 'E + A * x^(-alpha) + B * z', params: { E: [0, 5], A: [0, 50], alpha: [0.05, 2], B: [-3, 3] }, features: ['x', 'z'] });
  const xs = Float64Array.from({ length: 12 }, (_, i) => 1 + i * 1.7);
  const zs = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i));
  const truth = [1.2, 8, 0.6, 0.4];
  const ys = Float64Array.from(xs, (x, i) => truth[0] + truth[1] * x ** -truth[2] + truth[3] * zs[i]);
  const starts = [
    [2, 40, 1.9, -2],
    [0.1, 1, 0.1, 2],
    [4, 25, 1.2, 0],
  ];

  it('recovers exact data to rounding from every start, the linear parameters solved exactly', () => {
    expect(chin.linear).toEqual([0, 1, 3]);
    const r = new LeastSquares(chin, [xs, zs], ys, { fitter: 'trf' }).fit(starts);
    expect(r.fits).toHaveLength(1); // three starts, one optimum
    for (let j = 0; j < 4; j++) expect(r.fits[0].theta[j]).toBeCloseTo(truth[j], 8);
    expect(r.fits[0].loss).toBeLessThan(1e-20);
  });

  it('keeps every start with distinct: false', () => {
    const r = new LeastSquares(chin, [xs, zs], ys, { fitter: 'trf', distinct: false }).fit(starts);
    expect(r.fits).toHaveLength(3);
  });

  it('holds the box of a linear parameter, at the best fit the box allows', () => {
    // B's box [−3, 0.1] excludes the truth 0.4, so the best fit has B at its upper bound
    const boxed = compileLaw({
      formula: 'E + A * x^(-alpha) + B * z',
      params: { E: [0, 5], A: [0, 50], alpha: [0.05, 2], B: [-3, 0.1] },
      features: ['x', 'z'],
    });
    const trf = new LeastSquares(boxed, [xs, zs], ys, { fitter: 'trf' }).fit(starts);
    const best = trf.fits[trf.best];
    expect(best.theta[3]).toBe(0.1);
    // no point of the box does better than a long reference-protocol fit from the same starts
    const lbfgsb = new LeastSquares(boxed, [xs, zs], ys, { fitter: 'lbfgsb' }).fit(starts);
    expect(best.loss).toBeLessThanOrEqual(lbfgsb.fits[lbfgsb.best].loss * (1 + 1e-9));
  });

  it('solves a law linear in every parameter once, whatever the starts', () => {
    const line = compileLaw({ formula: 'a + b * x', params: { a: [-10, 10], b: [-10, 10] }, features: ['x'] });
    const r = new LeastSquares(
      line,
      [xs],
      Float64Array.from(xs, (x) => 3 - 0.5 * x),
      { fitter: 'trf' },
    ).fit([
      [9, 9],
      [-9, -9],
    ]);
    expect(r.fits).toHaveLength(1);
    expect(r.fits[0].theta[0]).toBeCloseTo(3, 12);
    expect(r.fits[0].theta[1]).toBeCloseTo(-0.5, 12);
  });

  it("reports each fit's own Σr², also where linear parameters scale clipped exponentials of 10²¹", () => {
    // vocab sl_8's shape: two saturated terms give identical columns e⁵⁰ ≈ 5·10²¹, so θ_L solved
    // against them cancels in A·θ_L − c; the loss must still be the law's Σr² at the θ reported
    const sat = compileLaw({
      formula: 'c0 + c1 * x + c2 * exp(clip(b * x, -50, 50)) + c3 * exp(clip(d * x, -50, 50))',
      params: { c0: [-100, 100], c1: [-100, 100], c2: [-10000, 10000], b: [-10, 10], c3: [-10000, 10000], d: [-10, 10] },
      features: ['x'],
    });
    const x = Float64Array.from({ length: 40 }, (_, i) => 5 + i / 8);
    const noisy = Float64Array.from(x, (v, i) => 3 - 0.2 * v + 0.05 * Math.sin(7 * i));
    const saturated = [
      [-100, -100, -5000, 9, 5000, 9.5],
      [100, 50, 3000, 10, -3000, 10],
      [0, 0, 1, 0.1, 1, -0.1],
    ];
    const bound = sat.bind([x]);
    for (const gradient of ['reference', 'exact'] as const) {
      const r = new LeastSquares(sat, [x], noisy, { fitter: 'trf', gradient, distinct: false }).fit(saturated);
      for (const f of r.fits) expect(f.loss).toBeCloseTo(bound.sse(f.theta, noisy), 9);
      expect(r.fits[r.best].loss).toBeGreaterThan(0.01); // 40 noisy rows, 6 parameters: no exact fit
    }
  });

  it('fits a law without linear parameters on the full residuals', () => {
    const r = new LeastSquares(law, X, y, { fitter: 'trf' }).fit([[0.5, 0]]);
    expect(r.fits[0].theta[0]).toBeCloseTo(0.3, 6);
    expect(r.fits[0].theta[1]).toBeCloseTo(0.1, 6);
  });
});

describe('starts the fitter cannot use', () => {
  const law = compileLaw({ formula: 'a + b * x^c', params: { a: [-Infinity, Infinity], b: [0.1, 10], c: [0.1, 2] }, features: ['x'] });
  const X = [Float64Array.from([1, 2, 3, 4, 5])];
  const y = Float64Array.from([2, 2.8, 3.4, 4, 4.5]);

  it('refuses a start drawn from an infinite bound, naming the parameter, instead of failing every start', () => {
    const starts = logUniformStarts(law.bounds, 3, rngFor(['infinite-bound']));
    const problem = new LeastSquares(law, X, y, { fitter: 'lbfgsb' });
    expect(() => problem.fit(starts)).toThrow(/parameter 'a' is NaN \(its bounds are \[-Infinity, Infinity\]/);
  });

  it('lets trf start anywhere in a linear parameter it solves for', () => {
    const starts = logUniformStarts(law.bounds, 3, rngFor(['infinite-bound']));
    const r = new LeastSquares(law, X, y, { fitter: 'trf' }).fit(starts);
    expect(r.best).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(r.fits[r.best].loss)).toBe(true);
  });
});

describe('--fitter lm', () => {
  it("keeps the law's bounds: a fit whose unbounded optimum lies outside ends on the bound, as trf's does", () => {
    // the data want c ≈ 2, the box caps it at 1
    const ys = Float64Array.from([1, 2, 3, 4].map((x) => Math.exp(0.3 * x) + 2));
    const lm = new LeastSquares(law, X, ys, { fitter: 'lm', objective: 'sse' }).fitOne(Float64Array.of(0.1, 0));
    const trf = new LeastSquares(law, X, ys, { fitter: 'trf', objective: 'sse' }).fitOne(Float64Array.of(0.1, 0));
    expect(lm.theta[1]).toBe(1);
    expect(lm.status).toMatch(/^converged-/);
    expect(Math.abs(lm.loss - trf.loss) / trf.loss).toBeLessThan(1e-8);
  });
});
