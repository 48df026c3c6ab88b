import { describe, expect, it } from 'vitest';
import { rngFor } from '../../random/seeds.js';
import { backSolveInPlace, choleskyInPlace, forwardSolve, inverseFromCholesky } from '../../linalg/spd.js';
import {
  drawLmcStart,
  fitLmc,
  lmcBounds,
  lmcParameterCount,
  lmcRankOf,
  LmcWorkspace,
  negativeLogMarginal,
  packLmcHyper,
  prepareLmcData,
  unpackLmcHyper,
  type CurveData,
} from './lmc.js';

/** A random symmetric positive-definite n × n matrix X Xᵀ + n·I, full row-major. */
function spd(n: number, rng: () => number): Float64Array {
  const X = Float64Array.from({ length: n * n }, () => rng() - 0.5);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += X[i * n + k] * X[j * n + k];
      A[i * n + j] = s;
    }
  }
  return A;
}

describe('dense Cholesky kernels', () => {
  it('factor, solves and inverse agree with the matrix they came from, for odd and even sizes', () => {
    const rng = rngFor(['linalg']);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 31, 32, 33, 34, 35]) {
      const A = spd(n, rng);
      const a = A.slice();
      const invDiag = new Float64Array(n);
      expect(choleskyInPlace(a, invDiag, n)).toBe(true);
      // L Lᵀ = A on the lower triangle.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += a[i * n + k] * a[j * n + k];
          expect(s).toBeCloseTo(A[i * n + j], 9);
        }
      }
      const b = Float64Array.from({ length: n }, () => rng() - 0.5);
      const x = new Float64Array(n);
      forwardSolve(a, invDiag, n, b, x);
      backSolveInPlace(a, invDiag, n, x);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += A[i * n + k] * x[k];
        expect(s).toBeCloseTo(b[i], 9);
      }
      inverseFromCholesky(a, invDiag, n);
      const inv = (i: number, j: number): number => (i >= j ? a[i * n + j] : a[j * n + i]);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[i * n + k] * inv(k, j);
          expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
        }
      }
    }
  });

  it('reports a matrix that is not positive definite instead of producing NaN', () => {
    const n = 5;
    const A = new Float64Array(n * n).fill(1); // rank one
    expect(choleskyInPlace(A, new Float64Array(n), n)).toBe(false);
    const B = spd(n, rngFor(['indefinite']));
    B[3 * n + 3] = -100;
    expect(choleskyInPlace(B, new Float64Array(n), n)).toBe(false);
  });
});

/** Curves of unequal length and range, t ≥ 0, smallest t 0. */
function smallCurves(): CurveData[] {
  const rng = rngFor(['small-curves']);
  const make = (t0: number, n: number, a: number): CurveData => {
    const t = Float64Array.from({ length: n }, (_, k) => t0 + 0.7 * k);
    const y = Float64Array.from(t, (tk) => a + 2 * Math.exp(-0.6 * tk) + 0.05 * (rng() - 0.5));
    return { t, y };
  };
  return [make(0, 6, 1), make(0.4, 5, 1.3), make(1.1, 7, 0.8)];
}

function centralDifference(f: (x: Float64Array) => number, x: Float64Array, h: number): Float64Array {
  const g = new Float64Array(x.length);
  const xp = x.slice();
  for (let k = 0; k < x.length; k++) {
    xp[k] = x[k] + h;
    const fp = f(xp);
    xp[k] = x[k] - h;
    const fm = f(xp);
    xp[k] = x[k];
    g[k] = (fp - fm) / (2 * h);
  }
  return g;
}

describe('negativeLogMarginal', () => {
  const data = prepareLmcData(smallCurves());

  for (const rank of [1, 2]) {
    it(`has an analytic gradient that matches central differences (rank ${rank})`, () => {
      const rng = rngFor(['gradient', rank]);
      const ws = new LmcWorkspace(data, rank);
      for (let trial = 0; trial < 4; trial++) {
        const x = drawLmcStart(rng, data.curves, rank);
        // Spread W over both signs and the noise over a well-conditioned range.
        for (let k = 2; k < 2 + data.curves * rank; k++) x[k] = 3 * (rng() - 0.5);
        x[x.length - 2] = Math.log(1e-3 + 0.05 * rng());
        const g = new Float64Array(x.length);
        const f = negativeLogMarginal(x, data, g, ws);
        expect(Number.isFinite(f)).toBe(true);
        expect(ws.jitter).toBe(0);
        expect(negativeLogMarginal(x, data, undefined, ws)).toBe(f);
        const fd = centralDifference((z) => negativeLogMarginal(z, data, undefined, ws), x, 1e-5);
        let scale = 0;
        for (let k = 0; k < x.length; k++) scale = Math.max(scale, Math.abs(fd[k]));
        expect(scale).toBeGreaterThan(1e-2);
        for (let k = 0; k < x.length; k++) {
          const rel = Math.abs(g[k] - fd[k]) / Math.max(Math.abs(fd[k]), 1);
          expect(rel, `component ${k} of trial ${trial}: analytic ${g[k]}, numeric ${fd[k]}`).toBeLessThan(1e-5);
        }
      }
    });
  }

  it('equals the Gaussian density of y under K built entry by entry', () => {
    const rank = 2;
    const x = drawLmcStart(rngFor(['direct']), data.curves, rank);
    const h = unpackLmcHyper(x, data.curves);
    const N = data.n;
    const K = new Float64Array(N * N);
    const curveOf = (p: number): number => {
      let i = 0;
      while (p >= data.start[i + 1]) i++;
      return i;
    };
    for (let p = 0; p < N; p++) {
      for (let q = 0; q < N; q++) {
        const a = curveOf(p);
        const b = curveOf(q);
        let B = a === b ? h.kappa[a] : 0;
        for (let r = 0; r < rank; r++) B += h.W[a * rank + r] * h.W[b * rank + r];
        const k = h.beta ** h.alpha / (data.t[p] + data.t[q] + h.beta) ** h.alpha;
        K[p * N + q] = B * k + h.bias + (p === q ? h.noise : 0);
      }
    }
    const invDiag = new Float64Array(N);
    expect(choleskyInPlace(K, invDiag, N)).toBe(true);
    const z = new Float64Array(N);
    forwardSolve(K, invDiag, N, data.y, z);
    let expected = 0.5 * N * Math.log(2 * Math.PI);
    for (let p = 0; p < N; p++) expected += 0.5 * z[p] * z[p] - Math.log(invDiag[p]);
    expect(negativeLogMarginal(x, data)).toBeCloseTo(expected, 10);
  });

  it('adds jitter instead of failing when K is numerically singular', () => {
    // Twelve copies of one point and a noise variance far below rounding: K is a constant matrix,
    // singular, and rounding leaves pivots at ±ε that the factorisation must not accept.
    const singular = prepareLmcData([{ t: new Float64Array(12), y: Float64Array.from({ length: 12 }, (_, k) => k % 2) }]);
    const ws = new LmcWorkspace(singular, 1);
    const x = packLmcHyper({
      alpha: 1,
      beta: 1,
      W: Float64Array.of(1),
      kappa: Float64Array.of(1e-3),
      noise: 1e-40,
      bias: 1e-3,
    });
    const g = new Float64Array(x.length);
    const f = negativeLogMarginal(x, singular, g, ws);
    expect(Number.isFinite(f)).toBe(true);
    expect(ws.jitter).toBeGreaterThan(0);
    // K's diagonal is W² + κ + b² ≈ 1, so the jitter is at most 1e-2.
    expect(ws.jitter).toBeLessThanOrEqual(1.01e-2);
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('packing and data preparation', () => {
  it('round-trips hyperparameters and infers the rank from the length', () => {
    const h = {
      alpha: 0.7,
      beta: 3,
      W: Float64Array.of(0.5, -1, 2, 0.25, 1.5, -0.3),
      kappa: Float64Array.of(0.1, 0.2, 0.3),
      noise: 1e-3,
      bias: 0.4,
    };
    const x = packLmcHyper(h);
    expect(x.length).toBe(lmcParameterCount(3, 2));
    expect(lmcRankOf(x.length, 3)).toBe(2);
    const back = unpackLmcHyper(x, 3);
    expect(back.alpha).toBeCloseTo(h.alpha, 14);
    expect(back.beta).toBeCloseTo(h.beta, 14);
    expect(Array.from(back.W)).toEqual(Array.from(h.W));
    expect(back.kappa[2]).toBeCloseTo(0.3, 14);
    expect(back.noise).toBeCloseTo(h.noise, 14);
    expect(back.bias).toBeCloseTo(h.bias, 14);
    expect(() => lmcRankOf(x.length + 1, 3)).toThrow(RangeError);
    const { lower, upper } = lmcBounds(3, 2);
    const start = drawLmcStart(rngFor(['bounds']), 3, 2);
    for (let k = 0; k < start.length; k++) {
      expect(start[k]).toBeGreaterThanOrEqual(lower[k]);
      expect(start[k]).toBeLessThanOrEqual(upper[k]);
    }
  });

  it('thins each curve evenly in t, keeps its last point, sorts it and normalises the losses', () => {
    const n = 101;
    const t = Float64Array.from({ length: n }, (_, k) => (n - 1 - k) * 0.05); // descending on purpose
    const y = Float64Array.from(t, (tk) => 3 + Math.exp(-tk));
    const short = { t: Float64Array.of(0.2, 0.1), y: Float64Array.of(5, 6) };
    const data = prepareLmcData([{ t, y }, short], 11);
    expect(Array.from(data.start)).toEqual([0, 11, 13]);
    for (let k = 0; k < 11; k++) expect(data.t[k]).toBeCloseTo(0.5 * k, 12);
    expect(data.t[10]).toBe(5); // the largest t of the curve
    expect(Array.from(data.t.subarray(11))).toEqual([0.1, 0.2]);
    let mean = 0;
    let sq = 0;
    for (const v of data.y) mean += v / data.n;
    for (const v of data.y) sq += (v - mean) ** 2 / data.n;
    expect(mean).toBeCloseTo(0, 12);
    expect(sq).toBeCloseTo(1, 12);
    expect(data.y[12] * data.yStd + data.yMean).toBeCloseTo(5, 12);
    expect(() => prepareLmcData([{ t: Float64Array.of(-1), y: Float64Array.of(1) }])).toThrow(RangeError);
    expect(() => prepareLmcData([{ t: Float64Array.of(0), y: Float64Array.of(NaN) }])).toThrow(RangeError);
    expect(() => prepareLmcData([{ t: new Float64Array(0), y: new Float64Array(0) }])).toThrow(RangeError);
  });
});

/**
 * Power-law learning curves y = a_i + b_i·(C / C₀)^(−c) with shared c, each over three decades of
 * compute starting a quarter decade after the previous one, observed (with 0.3 % multiplicative
 * noise) on the first 60 % of that range in log-compute.
 */
function powerLawCurves(M: number): { curves: CurveData[]; tEnd: number[]; truthEnd: number[] } {
  const rng = rngFor(['power-law-curves']);
  const c = 0.3;
  const curves: CurveData[] = [];
  const tEnd: number[] = [];
  const truthEnd: number[] = [];
  for (let i = 0; i < M; i++) {
    const lo = 0.25 * i;
    const hi = lo + 3;
    const a = 1.8 + 0.8 * rng();
    const b = 1.5 + 1.5 * rng();
    const loss = (decades: number): number => a + b * 10 ** (-c * decades);
    const n = 30;
    const t = new Float64Array(n);
    const y = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const decades = lo + (0.6 * (hi - lo) * k) / (n - 1);
      t[k] = decades * Math.LN10;
      y[k] = loss(decades) * (1 + 0.006 * (rng() - 0.5));
    }
    curves.push({ t, y });
    tEnd.push(hi * Math.LN10);
    truthEnd.push(loss(hi));
  }
  return { curves, tEnd, truthEnd };
}

describe('fitLmc', () => {
  it('extrapolates power-law curves better than their last observed loss, with calibrated bands', () => {
    const { curves, tEnd, truthEnd } = powerLawCurves(5);
    const fit = fitLmc(curves);
    expect(Number.isFinite(fit.logMarginalLikelihood)).toBe(true);
    let covered = 0;
    let gpError = 0;
    let lastError = 0;
    for (let i = 0; i < curves.length; i++) {
      const { mean, variance } = fit.predict(i, [tEnd[i]]);
      const last = curves[i].y[curves[i].y.length - 1];
      expect(Math.abs(mean[0] - truthEnd[i])).toBeLessThan(Math.abs(last - truthEnd[i]));
      if (Math.abs(mean[0] - truthEnd[i]) <= 3 * Math.sqrt(variance[0])) covered++;
      gpError += Math.abs(mean[0] - truthEnd[i]);
      lastError += Math.abs(last - truthEnd[i]);
    }
    expect(covered).toBeGreaterThanOrEqual(4);
    expect(gpError).toBeLessThan(0.1 * lastError);

    // Inside the data the posterior reproduces the observations.
    const inside = fit.predict(2, curves[2].t);
    // (within the ±0.3 % noise, about ±0.01 here, including the points thinned away)
    for (let k = 0; k < curves[2].t.length; k++) expect(Math.abs(inside.mean[k] - curves[2].y[k])).toBeLessThan(0.015);
    const noisy = fit.predict(2, [tEnd[2]], { withNoise: true });
    const latent = fit.predict(2, [tEnd[2]]);
    expect(noisy.mean[0]).toBe(latent.mean[0]);
    expect(noisy.variance[0] - latent.variance[0]).toBeCloseTo(fit.hyper.noise * fit.scale.std ** 2, 12);
    expect(() => fit.predict(5, [0])).toThrow(RangeError);
  });

  it('is deterministic for a seed', () => {
    const { curves } = powerLawCurves(3);
    const options = { restarts: 3, seed: ['determinism', 1] as const, maxIterations: 60 };
    const a = fitLmc(curves, options);
    const b = fitLmc(curves, options);
    expect(b.hyper.alpha).toBe(a.hyper.alpha);
    expect(b.hyper.beta).toBe(a.hyper.beta);
    expect(Array.from(b.hyper.W)).toEqual(Array.from(a.hyper.W));
    expect(Array.from(b.hyper.kappa)).toEqual(Array.from(a.hyper.kappa));
    expect(b.hyper.noise).toBe(a.hyper.noise);
    expect(b.hyper.bias).toBe(a.hyper.bias);
    expect(b.logMarginalLikelihood).toBe(a.logMarginalLikelihood);
    expect(b.evaluations).toBe(a.evaluations);
    expect(Array.from(b.predict(1, [9]).mean)).toEqual(Array.from(a.predict(1, [9]).mean));
  });

  it('handles identical curves and a one-point curve without throwing', () => {
    const t = Float64Array.from({ length: 8 }, (_, k) => 0.5 * k);
    const y = Float64Array.from(t, (tk) => 2 + Math.exp(-0.5 * tk));
    const curves: CurveData[] = [
      { t, y },
      { t: t.slice(), y: y.slice() },
      { t: Float64Array.of(1.2), y: Float64Array.of(2.4) },
    ];
    for (const rank of [1, 2]) {
      const fit = fitLmc(curves, { restarts: 4, rank });
      expect(Number.isFinite(fit.jitter)).toBe(true);
      expect(fit.jitter).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < curves.length; i++) {
        const { mean, variance } = fit.predict(i, [0, 1.2, 3.5, 8]);
        for (let k = 0; k < 4; k++) {
          expect(Number.isFinite(mean[k])).toBe(true);
          expect(Number.isFinite(variance[k])).toBe(true);
          expect(variance[k]).toBeGreaterThanOrEqual(0);
        }
      }
      // The identical curves get the same prediction.
      expect(fit.predict(0, [5]).mean[0]).toBeCloseTo(fit.predict(1, [5]).mean[0], 6);
    }

    const single = fitLmc([{ t: Float64Array.of(0), y: Float64Array.of(3) }], { restarts: 2 });
    const p = single.predict(0, [0, 2]);
    expect(p.mean[0]).toBeCloseTo(3, 6);
    expect(Number.isFinite(p.mean[1]) && Number.isFinite(p.variance[1])).toBe(true);

    // Repeated points in one curve: K's duplicate rows only differ by σ², which may reach 1e-8.
    const repeated = fitLmc([{ t: Float64Array.of(0, 0, 0, 1, 1, 2), y: Float64Array.of(3, 3, 3, 2, 2, 1.5) }], { restarts: 3 });
    const r = repeated.predict(0, [0.5, 3]);
    for (const v of [...r.mean, ...r.variance]) expect(Number.isFinite(v)).toBe(true);
  });

  it('screening runs only the survivors to the end', () => {
    const { curves } = powerLawCurves(4);
    const full = fitLmc(curves, { restarts: 6, seed: ['screen'] });
    const screened = fitLmc(curves, { restarts: 6, seed: ['screen'], screen: { iterations: 10, survivors: 2 } });
    expect(screened.evaluations).toBeLessThan(full.evaluations);
    expect(Number.isFinite(screened.logMarginalLikelihood)).toBe(true);
    expect(screened.logMarginalLikelihood).toBeGreaterThan(full.logMarginalLikelihood - 5);
    expect(() => fitLmc(curves, { restarts: 0 })).toThrow(RangeError);
    expect(() => fitLmc(curves, { screen: { iterations: 5, survivors: 0 } })).toThrow(RangeError);
  });
});
