/** The acquisition building blocks on small cases whose answers are known. */
import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { completeLinkage, condensedIndex, cutTree, silhouette } from './cluster.js';
import { logDetPositive, traceSolve } from '../linalg/dense.js';
import { flooredInverse, jacobianScale, noiseVariance, posterior, priorPrecision } from './fisher.js';
import { bestSilhouetteCut, bicWeights, buildModes, goodFits } from './modes.js';
import { argmax, costPenalised } from './penalty.js';
import { scoreCandidates, type AcquisitionState } from './score.js';

const line = compileLaw({ formula: 'a + b * x', params: { a: [-10, 10], b: [-10, 10] }, features: ['x'] });
const col = (...v: number[]) => [Float64Array.from(v)];

function condensedOf(points: number[]): Float64Array {
  const n = points.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[condensedIndex(n, i, j)] = Math.abs(points[i] - points[j]);
  return out;
}

function fullOf(points: number[]): Float64Array {
  const n = points.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = Math.abs(points[i] - points[j]);
  return out;
}

describe('Fisher information and the eigenvalue floor', () => {
  it('keeps a singular matrix invertible: eigenvalues floored at 1e-10 of the largest, all finite', () => {
    const { inverse, logDet, floor } = flooredInverse(Float64Array.from([1, 1, 1, 1]), 2);
    expect(floor).toBeCloseTo(2e-10, 20);
    expect(inverse.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(logDet)).toBe(true);
    expect(inverse[1]).toBe(inverse[2]);
    // The null direction (1, −1)/√2 gets variance 1/floor.
    const nullVar = (inverse[0] - inverse[1] - inverse[2] + inverse[3]) / 2;
    expect(nullVar / (1 / floor)).toBeCloseTo(1, 6);
  });

  it('equilibrated: the inverse does not depend on the units of the parameters, where the plain floor does', () => {
    // a well-determined 3 × 3 precision with one tiny-scale parameter strongly correlated with another
    const H = Float64Array.from([4, 1, 0.5, 1, 3, 0.9, 0.5, 0.9, 1]);
    const s = [1, 1e-6, 1]; // parameter 1 in units a million times larger: H → S·H·S
    const scaled = Float64Array.from(H, (v, k) => v * s[Math.floor(k / 3)] * s[k % 3]);
    const plain = flooredInverse(H, 3).inverse;
    const eq = flooredInverse(scaled, 3, 'equilibrated').inverse;
    // back in the first units, Σ = S·Σ_scaled·S
    for (let k = 0; k < 9; k++) expect(eq[k] * s[Math.floor(k / 3)] * s[k % 3]).toBeCloseTo(plain[k], 10);
    // the reference's floor, relative to λ_max of the badly scaled matrix, bites and changes Σ
    const ref = flooredInverse(scaled, 3, 'reference').inverse;
    expect(Math.abs(ref[0] - plain[0]) / plain[0]).toBeGreaterThan(0.01);
  });

  it('inverts an all-zero matrix through the absolute floor 1e-30', () => {
    const { inverse } = flooredInverse(new Float64Array(4), 2);
    expect(inverse[0] / 1e30).toBeCloseTo(1, 12);
    expect(inverse[3] / 1e30).toBeCloseTo(1, 12);
    expect([inverse[1], inverse[2]]).toEqual([0, 0]);
  });

  it('gives a finite posterior with no prior (infinite bounds) and collinear columns', () => {
    const collinear = compileLaw({ formula: 'a * x + b * x', params: ['a', 'b'], features: ['x'] });
    const prior = priorPrecision(collinear.bounds);
    expect(Array.from(prior)).toEqual([0, 0]);
    const post = posterior(collinear.bind(col(1, 2, 3)), 1, [1, 2], collinear.bounds, prior, 0.1);
    expect(post.cov.every(Number.isFinite)).toBe(true);
  });

  it('puts the prior in log space for a positive lower bound and scales those Jacobian columns by θ', () => {
    const bounds: [number, number][] = [
      [1e-3, 1e3],
      [-2, 2],
    ];
    const prec = priorPrecision(bounds);
    expect(prec[0]).toBeCloseTo(1 / (Math.log(1e6) / 4) ** 2, 12);
    expect(prec[1]).toBeCloseTo(1, 12);
    expect(Array.from(jacobianScale([5, 7], bounds))).toEqual([5, 1]);
  });

  it('takes σ² as the inverse-gamma posterior mean with a₀ = 2, b₀ = 2·var(y)', () => {
    // var([1, 3]) = 1, so b₀ = 2; n = 2, MSE = 0.5: (2 + 0.5) / (2 + 1 − 1).
    expect(noiseVariance(0.5, 2, [1, 3])).toBeCloseTo(1.25, 15);
  });
});

describe('small dense solves', () => {
  it('computes tr(S⁻¹C) and reports a singular S as 0', () => {
    const perm = new Int32Array(2);
    const work = new Float64Array(2);
    // S = diag(2, 4), C = I: trace 0.75.
    expect(traceSolve(Float64Array.from([2, 0, 0, 4]), Float64Array.from([1, 0, 0, 1]), 2, perm, work)).toBeCloseTo(0.75, 15);
    expect(traceSolve(Float64Array.from([1, 2, 2, 4]), Float64Array.from([1, 0, 0, 1]), 2, perm, work)).toBe(0);
  });

  it('reads a non-positive determinant as −∞, like the reference reads slogdet', () => {
    const perm = new Int32Array(2);
    expect(logDetPositive(Float64Array.from([0, 2, 3, 0]), 2, perm)).toBe(-Infinity);
    expect(logDetPositive(Float64Array.from([0, 2, -3, 0]), 2, perm)).toBeCloseTo(Math.log(6), 15);
    expect(logDetPositive(Float64Array.from([1, 1, 1, 1]), 2, perm)).toBe(-Infinity);
  });
});

describe('clustering', () => {
  // Points 10, 0, 30, 1, 11, 2 on a line; SciPy's linkage and fcluster give these merges and labels.
  const pts = [10, 0, 30, 1, 11, 2];

  it('merges and numbers clusters as SciPy does, ties included', () => {
    const tree = completeLinkage(condensedOf(pts), pts.length);
    expect(Array.from(tree.left)).toEqual([0, 1, 5, 6, 2]);
    expect(Array.from(tree.right)).toEqual([4, 3, 7, 8, 9]);
    expect(Array.from(tree.height)).toEqual([1, 1, 2, 11, 30]);
    expect(Array.from(cutTree(tree, 1 + 1e-10))).toEqual([1, 2, 4, 2, 1, 3]);
    expect(Array.from(cutTree(tree, 2 + 1e-10))).toEqual([1, 2, 3, 2, 1, 2]);
    expect(Array.from(cutTree(tree, 11 + 1e-10))).toEqual([1, 1, 2, 1, 1, 1]);
  });

  it('cuts two well-separated groups into two clusters at the best silhouette', () => {
    const two = [0, 0.1, 0.2, 50, 50.1, 50.3];
    const { labels, silhouette: s } = bestSilhouetteCut(fullOf(two), two.length);
    expect(Array.from(labels)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(s).toBeGreaterThan(0.9);
  });

  it('keeps one cluster when no cut reaches a silhouette of 0.01', () => {
    const even = [0, 1, 2, 3];
    const { labels } = bestSilhouetteCut(fullOf(even), even.length);
    expect(silhouette(fullOf(even), 4, Int32Array.from([1, 1, 2, 2]))).toBeGreaterThan(0.01);
    const flat = new Float64Array(16).fill(1);
    for (let i = 0; i < 4; i++) flat[i * 5] = 0;
    expect(Array.from(bestSilhouetteCut(flat, 4).labels)).toEqual([1, 1, 1, 1]);
    expect(labels.length).toBe(4);
  });
});

describe('modes', () => {
  const observed = line.bind(col(0, 1, 2, 3));
  const region = line.bind(col(10, 20));

  it('groups fits that predict the target region alike: two families give two modes, each its best fit', () => {
    const fits = [
      [0, 1],
      [0.001, 1.0001],
      [5, -1],
      [5.001, -1.0002],
      [0.0005, 0.9999],
    ];
    const mse = [0.0101, 0.01, 0.0102, 0.0103, 0.0104];
    const set = buildModes({ law: line, observed, region, fits, fitMse: mse, sigma2: 0.01 });
    expect(set.modes.length).toBe(2);
    expect(set.modes.map((m) => m.fit).sort()).toEqual([1, 2]);
    expect(set.modes.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 15);
  });

  it('does not cluster two fits and weighs them with the temperature max(1, n/2P)', () => {
    const set = buildModes({
      law: line,
      observed,
      region,
      fits: [
        [0, 1],
        [5, -1],
      ],
      fitMse: [0.01, 0.02],
      sigma2: 0.01,
    });
    expect(set.silhouette).toBeNull();
    const w = bicWeights([0.01, 0.02], 4, 2, 1);
    expect(set.modes.map((m) => m.weight)).toEqual(Array.from(w));
  });

  it('falls back to all fits after the initial fit when the best MSE is exactly 0', () => {
    expect(goodFits([0, 0, 1e-31])).toEqual([0, 1, 2]);
    expect(goodFits([0, 0, 1e-31], { rule: 'refit' })).toEqual([0, 1, 2]);
    expect(goodFits([1, 1.4, 1.6])).toEqual([0, 1]);
    expect(goodFits([1, 1.6, 1.7])).toEqual([0, 1, 2]);
    expect(goodFits([1, 1.6, 1.7], { rule: 'refit' })).toEqual([0]);
    expect(goodFits([1, 1.6, 1.7], { rule: 'refit', ratio: 2 })).toEqual([0, 1, 2]);
  });
});

describe('cost penalty and pick', () => {
  it('keeps a zero-cost candidate finite and picks the first of equal scores, never NaN', () => {
    const s = costPenalised(Float64Array.from([1, 2]), [0, 1], [0, 1], 10, 0.4);
    expect(s.every(Number.isFinite)).toBe(true);
    expect(argmax([NaN, 3, 3, 1])).toBe(1);
    expect(argmax([])).toBe(-1);
  });
});

describe('scoreCandidates on a small state', () => {
  const pool = {
    X: col(0, 1, 2, 3, 4, 5),
    y: Float64Array.from([1, 2.1, 2.9, 4.2, 5, 5.9]),
    cost: Float64Array.from([1, 1, 2, 2, 3, 3]),
    n: 6,
  };
  const base: AcquisitionState = {
    law: line,
    pool,
    target: { X: col(8, 9, 10), n: 3 },
    selected: [0, 1],
    candidates: [4],
    fits: [
      [1, 1],
      [1.1, 0.95],
      [0.2, 1.8],
    ],
    fitMse: [0.01, 0.011, 0.012],
    sigma2: 0.05,
    totalCost: 12,
  };

  it('scores a single candidate without NaN, whatever the terms', () => {
    const r = scoreCandidates(base);
    for (const v of [r.mspe.dvIntra, r.mspe.dvInter, r.mspe.score, r.vopt.dv, r.dopt.gain]) {
      expect(v.length).toBe(1);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    expect([r.mspe.pick, r.vopt.pick, r.dopt.pick]).toEqual([4, 4, 4]);
  });

  it('drops a wild fit whose Fisher information overflows from the modes instead of throwing', () => {
    const growth = compileLaw({ formula: 'a * exp(b * x)', params: { a: [0.01, 10], b: [0.01, 1000] }, features: ['x'] });
    const xs = [1, 2, 3, 4, 5, 6];
    const state: AcquisitionState = {
      law: growth,
      pool: { X: col(...xs), y: Float64Array.from(xs, (x) => Math.exp(0.5 * x)), cost: Float64Array.from(xs), n: xs.length },
      target: { X: col(8, 9), n: 2 },
      selected: [0, 1, 2],
      candidates: [3, 4, 5],
      // one good fit and one at b = 699, where exp(b·x) overflows: fewer than two good fits, so all are kept
      fits: [
        [1, 0.5],
        [1, 699],
      ],
      fitMse: [1e-6, 1e300],
      sigma2: 0.01,
      totalCost: 21,
    };
    const r = scoreCandidates(state);
    expect(r.modes.thetas).toEqual([[1, 0.5]]);
    expect(r.mspe.score.every(Number.isFinite)).toBe(true);
    expect(r.mspe.pick).toBeGreaterThanOrEqual(3);
  });

  it('returns empty scores and pick −1 with no candidates', () => {
    const r = scoreCandidates({ ...base, candidates: [] });
    expect(r.mspe.score).toEqual([]);
    expect([r.mspe.pick, r.vopt.pick, r.dopt.pick]).toEqual([-1, -1, -1]);
  });
});
