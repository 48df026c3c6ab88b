import { describe, expect, it } from 'vitest';
import { rngFor } from '../../random/seeds.js';
import { KroneckerWorkspace, negativeLogMarginalKronecker, sharedGridPoints } from './kronecker.js';
import { symmetricEigen } from '../../linalg/eigen.js';
import { drawLmcStart, fitLmc, lmcPosterior, LmcWorkspace, negativeLogMarginal, packLmcHyper, prepareLmcData, unpackLmcHyper, type CurveData } from './lmc.js';

/** M curves at the same n log-compute points: decaying power laws with offsets and noise. */
function gridCurves(M: number, n: number, seed: string): CurveData[] {
  const rng = rngFor(['grid-curves', seed]);
  const t = Float64Array.from({ length: n }, (_, k) => 0.35 * k);
  return Array.from({ length: M }, () => {
    const a = 1.5 + rng();
    const b = 1 + 2 * rng();
    const c = 0.3 + 0.5 * rng();
    return { t: t.slice(), y: Float64Array.from(t, (tk) => a + b * Math.exp(-c * tk) + 0.01 * (rng() - 0.5)) };
  });
}

describe('symmetricEigen', () => {
  it('reconstructs symmetric matrices with orthonormal eigenvectors, including near-singular ones', () => {
    const rng = rngFor(['eigen']);
    for (const n of [1, 2, 3, 7, 20, 33]) {
      for (const kind of ['random', 'hilbert', 'rank-one']) {
        const A = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            const v = kind === 'random' ? rng() - 0.5 : kind === 'hilbert' ? 1 / (i + j + 1) : (i + 1) * (j + 1);
            A[i * n + j] = v;
            A[j * n + i] = v;
          }
        }
        const V = A.slice();
        const d = new Float64Array(n);
        expect(symmetricEigen(V, n, d, new Float64Array(n))).toBe(true);
        let scale = 0;
        for (const v of A) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let a = 0;
            let o = 0;
            for (let k = 0; k < n; k++) {
              a += V[i * n + k] * d[k] * V[j * n + k];
              o += V[k * n + i] * V[k * n + j];
            }
            expect(Math.abs(a - A[i * n + j])).toBeLessThan(1e-13 * scale * n);
            expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThan(1e-13 * n);
          }
        }
      }
    }
  });

  it('reports non-finite input', () => {
    const V = Float64Array.of(1, NaN, NaN, 1);
    expect(symmetricEigen(V, 2, new Float64Array(2), new Float64Array(2))).toBe(false);
  });
});

describe('sharedGridPoints', () => {
  it('recognises curves at identical t and nothing else', () => {
    expect(sharedGridPoints(prepareLmcData(gridCurves(4, 9, 'a')))).toBe(9);
    const ragged = gridCurves(3, 9, 'b');
    ragged[1] = { t: ragged[1].t.slice(0, 8), y: ragged[1].y.slice(0, 8) };
    expect(sharedGridPoints(prepareLmcData(ragged))).toBe(0);
    const shifted = gridCurves(3, 9, 'c');
    shifted[2].t[4] += 1e-3;
    expect(sharedGridPoints(prepareLmcData(shifted))).toBe(0);
    expect(() => new KroneckerWorkspace(prepareLmcData(ragged), 1)).toThrow(RangeError);
  });
});

describe('negativeLogMarginalKronecker', () => {
  for (const rank of [1, 2]) {
    it(`agrees with the dense likelihood, K⁻¹y and gradient to 1e-8 relative (rank ${rank})`, () => {
      for (const [M, n] of [
        [1, 12],
        [5, 8],
        [12, 20],
      ]) {
        const data = prepareLmcData(gridCurves(M, n, `${M}x${n}`));
        const dense = new LmcWorkspace(data, rank);
        const kron = new KroneckerWorkspace(data, rank);
        const rng = rngFor(['kron-vs-dense', rank, M]);
        for (let trial = 0; trial < 4; trial++) {
          const x = drawLmcStart(rng, M, rank);
          for (let k = 2; k < 2 + M * rank; k++) x[k] = 3 * (rng() - 0.5);
          const gD = new Float64Array(x.length);
          const gK = new Float64Array(x.length);
          const fD = negativeLogMarginal(x, data, gD, dense);
          const fK = negativeLogMarginalKronecker(x, data, gK, kron);
          expect(dense.jitter).toBe(0);
          expect(kron.jitter).toBe(0);
          expect(Math.abs(fK - fD)).toBeLessThan(1e-8 * Math.max(1, Math.abs(fD)));
          expect(negativeLogMarginalKronecker(x, data, undefined, kron)).toBe(fK);
          let gScale = 0;
          for (const v of gD) gScale = Math.max(gScale, Math.abs(v));
          for (let k = 0; k < x.length; k++) {
            expect(Math.abs(gK[k] - gD[k]), `component ${k}: dense ${gD[k]}, Kronecker ${gK[k]}`).toBeLessThan(1e-8 * Math.max(1, gScale));
          }
          let aScale = 0;
          for (const v of dense.alpha) aScale = Math.max(aScale, Math.abs(v));
          for (let p = 0; p < data.n; p++) expect(Math.abs(kron.alpha[p] - dense.alpha[p])).toBeLessThan(1e-8 * Math.max(1, aScale));
        }
      }
    });
  }

  it('adds jitter on the dense schedule when an eigenvalue of B ⊗ Kt + σ²I is not positive', () => {
    // One t repeated: Kt is a constant (rank one) matrix, its other eigenvalues are rounding,
    // and σ² far below it leaves some λμ + σ² at or below 0.
    const t = new Float64Array(10);
    const data = prepareLmcData([0, 1, 2].map((c) => ({ t: t.slice(), y: Float64Array.from({ length: 10 }, (_, k) => ((k + c) % 3) * 0.5) })));
    const x = packLmcHyper({ alpha: 1, beta: 1, W: Float64Array.of(1, 0.5, -0.2), kappa: Float64Array.of(1e-3, 1e-3, 1e-3), noise: 1e-40, bias: 1e-3 });
    const ws = new KroneckerWorkspace(data, 1);
    const g = new Float64Array(x.length);
    const f = negativeLogMarginalKronecker(x, data, g, ws);
    expect(Number.isFinite(f)).toBe(true);
    expect(ws.jitter).toBeGreaterThan(0);
    expect(ws.jitter).toBeLessThanOrEqual(1.01e-2);
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('lmcPosterior on a shared grid', () => {
  it('predicts the same mean and variance through the Kronecker form as through the Cholesky factor', () => {
    const curves = gridCurves(7, 11, 'posterior');
    const rng = rngFor(['posterior']);
    for (const rank of [1, 2]) {
      const hyper = unpackLmcHyper(drawLmcStart(rng, curves.length, rank), curves.length);
      const kron = lmcPosterior(curves, hyper);
      const dense = lmcPosterior(curves, hyper, { structured: false });
      expect(kron.evaluations).toBe(0);
      expect(Math.abs(kron.logMarginalLikelihood - dense.logMarginalLikelihood)).toBeLessThan(1e-8 * Math.abs(dense.logMarginalLikelihood));
      const tStar = [0, 0.7, 1.75, 3.5, 6, 12];
      for (let i = 0; i < curves.length; i++) {
        for (const withNoise of [false, true]) {
          const a = kron.predict(i, tStar, { withNoise });
          const b = dense.predict(i, tStar, { withNoise });
          for (let k = 0; k < tStar.length; k++) {
            expect(Math.abs(a.mean[k] - b.mean[k])).toBeLessThan(1e-8 * Math.abs(b.mean[k]));
            // Inside the data the latent variance is a difference of nearly equal O(1) terms (on
            // the normalised scale), so it is compared to 1e-10 absolute there.
            expect(Math.abs(a.variance[k] - b.variance[k])).toBeLessThan(1e-8 * b.variance[k] + 1e-10 * kron.scale.std ** 2);
          }
        }
      }
      expect(() => kron.predict(7, [1])).toThrow(RangeError);
    }
  });
});

describe('fitLmc on a shared grid', () => {
  it('fits as well through the Kronecker form as through the dense one', () => {
    const curves = gridCurves(8, 15, 'fit');
    const options = { restarts: 4, seed: ['kron-fit'] as const };
    const kron = fitLmc(curves, options);
    const dense = fitLmc(curves, { ...options, structured: false });
    expect(Math.abs(kron.logMarginalLikelihood - dense.logMarginalLikelihood)).toBeLessThan(1e-3 * Math.max(1, Math.abs(dense.logMarginalLikelihood)));
    for (let i = 0; i < curves.length; i++) {
      expect(kron.predict(i, [8]).mean[0]).toBeCloseTo(dense.predict(i, [8]).mean[0], 2);
    }
  });

  it('takes a previous fit as one more start', () => {
    const curves = gridCurves(6, 12, 'warm');
    const first = fitLmc(
      curves.map(({ t, y }) => ({ t: t.slice(0, 8), y: y.slice(0, 8) })),
      { restarts: 3, seed: ['warm', 0] },
    );
    const cold = fitLmc(curves, { restarts: 3, seed: ['warm', 1] });
    const warm = fitLmc(curves, { restarts: 3, seed: ['warm', 1], warmStart: first });
    expect(warm.evaluations).toBeGreaterThan(cold.evaluations);
    expect(Number.isFinite(warm.logMarginalLikelihood)).toBe(true);
    // The fit itself as the warm start: the optimiser starts at its optimum and keeps it.
    const again = fitLmc(curves, { restarts: 3, seed: ['warm', 2], warmStart: warm });
    expect(again.logMarginalLikelihood).toBeGreaterThanOrEqual(warm.logMarginalLikelihood - 1e-6);
    // Another number of curves: ignored.
    const other = fitLmc(curves.slice(0, 5), { restarts: 3, seed: ['warm', 1], warmStart: first });
    expect(other.evaluations).toBeGreaterThan(0);
  });
});
