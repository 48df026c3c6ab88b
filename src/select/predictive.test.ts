/** The target-region predictive mixture and its interval count, on a straight line with known answers. */
import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { jacobianScale } from './fisher.js';
import type { ModeSet } from './modes.js';
import { intervalHits, studentT90, targetPredictive, Z90 } from './predictive.js';
import { prepareState, type AcquisitionState } from './score.js';

// bounds straddle zero, so the Fisher pieces work in θ itself (scale 1)
const line = compileLaw({ formula: 'a + b * x', params: { a: [-10, 10], b: [-10, 10] }, features: ['x'] });

function stateWith(sigma2: number): AcquisitionState {
  return {
    law: line,
    pool: { X: [Float64Array.from([0, 1, 2])], y: Float64Array.from([1, 2, 3]), cost: Float64Array.from([1, 1, 1]), n: 3 },
    target: { X: [Float64Array.from([10, 20])], n: 2 },
    selected: [0, 1, 2],
    candidates: [],
    fits: [[1, 1]],
    fitMse: [0],
    sigma2,
    totalCost: 3,
  };
}

function mode(theta: number[], weight: number, cov: number[]): ModeSet['modes'][number] {
  const t = Float64Array.from(theta);
  return { theta: t, weight, fit: 0, posterior: { theta: t, scale: jacobianScale(t, line.bounds), cov: Float64Array.from(cov), logDetPrecision: 0 } };
}

describe('targetPredictive', () => {
  it('gives one mode its prediction and J Σ Jᵀ + σ² as the variance', () => {
    const prepared = prepareState(stateWith(0.25));
    // Σ = diag(0.5, 0.01): at x = 10 the variance is 0.5 + 100·0.01 + σ²
    const pred = targetPredictive(prepared, { modes: [mode([1, 2], 1, [0.5, 0, 0, 0.01])], clusters: 1, silhouette: null });
    expect(Array.from(pred.mean)).toEqual([21, 41]);
    expect(pred.variance[0]).toBeCloseTo(0.5 + 1 + 0.25, 12);
    expect(pred.variance[1]).toBeCloseTo(0.5 + 4 + 0.25, 12);
  });

  it('adds the spread between modes to their average variance', () => {
    const prepared = prepareState(stateWith(1));
    const zero = [0, 0, 0, 0];
    // two equally weighted modes predicting 11 and 21 at x = 10: mean 16, between-mode variance 25
    const pred = targetPredictive(prepared, { modes: [mode([1, 1], 0.5, zero), mode([1, 2], 0.5, zero)], clusters: 2, silhouette: 1 });
    expect(pred.mean[0]).toBeCloseTo(16, 12);
    expect(pred.variance[0]).toBeCloseTo(1 + 25, 10);
  });
});

describe('intervalHits', () => {
  it('counts the values inside mean ± z·sd and skips unknown ones', () => {
    const pred = { mean: Float64Array.from([0, 0, 0, 0]), variance: Float64Array.from([1, 1, 1, 1]), rows: 4, outputs: 1 };
    expect(intervalHits(pred, [0.5, -Z90 * 0.999, 2, NaN])).toEqual({ inside: 2, total: 3 });
    expect(intervalHits(pred, [2.5, 2.5, 2.5, 2.5], 3)).toEqual({ inside: 4, total: 4 });
  });
});

describe('studentT90', () => {
  it('matches the t table at 0.95 and tends to z', () => {
    // scipy.stats.t.ppf(0.95, ν)
    const table: [number, number][] = [
      [1, 6.313752],
      [2, 2.919986],
      [3, 2.353363],
      [5, 2.015048],
      [10, 1.812461],
      [30, 1.697261],
    ];
    for (const [nu, t] of table) expect(studentT90(nu)).toBeCloseTo(t, 2);
    expect(Math.abs(studentT90(10) - 1.812461)).toBeLessThan(1e-4);
    expect(studentT90(1e9)).toBeCloseTo(Z90, 8);
  });
});
