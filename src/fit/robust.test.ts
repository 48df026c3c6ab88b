/** Robust losses: ρ and ρ' by hand, the fitted objective's gradient, and what they buy on outliers. */
import { describe, expect, it } from 'vitest';
import { rngFor } from '../random/seeds.js';
import { compileLaw } from '../laws/law.js';
import { LeastSquares, type FitterName, type Objective } from './multistart.js';
import { RHO, ROBUST_LOSSES, robustCost, sqrtResiduals, type LossSpec, type RobustLoss } from './robust.js';
import { logUniformStarts } from './starts.js';

describe('ρ and ρ′', () => {
  // [loss, z, ρ(z), ρ'(z)], each worked out by hand
  const cases: [RobustLoss, number, number, number][] = [
    ['l2', 3, 3, 1],
    ['soft_l1', 3, 2, 1 / 2], // 2(√4 − 1), 1/√4
    ['soft_l1', 8, 4, 1 / 3], // 2(√9 − 1), 1/√9
    ['huber', 0.25, 0.25, 1],
    ['huber', 1, 1, 1],
    ['huber', 4, 3, 1 / 2], // 2√4 − 1, 1/√4
    ['cauchy', Math.E - 1, 1, 1 / Math.E],
    ['cauchy', 3, Math.log(4), 1 / 4],
  ];
  it.each(cases)('%s at z = %d: ρ = %d, ρ′ = %d', (loss, z, value, slope) => {
    expect(RHO[loss].value(z)).toBeCloseTo(value, 14);
    expect(RHO[loss].slope(z)).toBeCloseTo(slope, 14);
  });

  it.each(ROBUST_LOSSES)('%s: ρ(0) = 0, ρ′(0) = 1, ρ′ is the derivative of ρ, and a tiny z does not cancel to 0', (loss) => {
    const rho = RHO[loss];
    expect(rho.value(0)).toBe(0);
    expect(rho.slope(0)).toBe(1);
    for (const z of [0.3, 0.9, 1.1, 2, 50]) {
      const h = 1e-6 * z;
      expect((rho.value(z + h) - rho.value(z - h)) / (2 * h)).toBeCloseTo(rho.slope(z), 7);
    }
    expect(rho.value(1e-20) / 1e-20).toBeCloseTo(1, 12);
  });

  it('sums C²ρ((r/C)²) and hands out ρ′ per residual', () => {
    const r = Float64Array.from([0.01, -0.1, 0]);
    const slope = new Float64Array(3);
    // huber, C = 0.05: z = 0.04 (quadratic), 4 (linear: ρ = 3), 0
    expect(robustCost({ loss: 'huber', fScale: 0.05 }, r, 3, slope)).toBeCloseTo(0.01 ** 2 + 0.05 ** 2 * 3, 15);
    expect(Array.from(slope)).toEqual([1, 0.5, 1]);
  });

  it.each(ROBUST_LOSSES)('%s: the square-rooted residuals square to the cost and their slope is dr̃/dr', (loss) => {
    const spec: LossSpec = { loss, fScale: 0.3 };
    const r = Float64Array.from([-2, -0.2, 0, 1e-9, 0.25, 1.7]);
    const cost = robustCost(spec, r, r.length);
    const rt = Float64Array.from(r);
    const chain = new Float64Array(r.length);
    sqrtResiduals(spec, rt, r.length, chain);
    expect(rt.reduce((s, v) => s + v * v, 0)).toBeCloseTo(cost, 14);
    r.forEach((v, i) => {
      expect(Math.sign(rt[i])).toBe(Math.sign(v));
      const h = 1e-6;
      const at = (x: number) => {
        const one = Float64Array.of(x);
        sqrtResiduals(spec, one, 1, new Float64Array(1));
        return one[0];
      };
      expect(chain[i]).toBeCloseTo((at(v + h) - at(v - h)) / (2 * h), 6);
    });
  });
});

const law = compileLaw({ formula: 'E + A * N^(-alpha)', params: { E: [0.5, 5], A: [1, 1e4], alpha: [0.05, 2] }, features: ['N'] });
const TRUE = [1.5, 10, 0.45];
const N = Float64Array.from({ length: 24 }, (_, i) => 10 ** (1 + (3 * i) / 23));
const OUTLIERS = [8, 16, 22];
const NOISE = 0.004;
/** The law at TRUE, a deterministic ±NOISE wiggle, and +0.5 on three rows. */
function data(): Float64Array {
  const y = new Float64Array(N.length);
  law.bind([N]).value(TRUE, y);
  for (let i = 0; i < y.length; i++) y[i] += NOISE * Math.sin(2.7 * i) + (OUTLIERS.includes(i) ? 0.5 : 0);
  return y;
}

describe('the robust objective of LeastSquares', () => {
  const y = data();
  const losses: LossSpec[] = [
    { loss: 'soft_l1', fScale: 0.02 },
    { loss: 'huber', fScale: 0.02 },
    { loss: 'cauchy', fScale: 0.02 },
  ];
  const objectives: Objective[] = ['sse', 'mse'];
  it.each(losses.flatMap((l) => objectives.map((o) => [l.loss, o, l] as const)))(
    '%s (%s): its gradient matches central differences, and loss() is the same objective',
    (_name, objective, loss) => {
      const problem = new LeastSquares(law, [N], y, { loss, objective, gradient: 'exact' });
      const theta = [1.4, 55, 0.5];
      const g = new Float64Array(3);
      const f = problem.lossGrad(theta, g);
      expect(problem.loss(theta)).toBe(f);
      const r = new Float64Array(N.length);
      law.bind([N]).value(theta, r);
      for (let i = 0; i < r.length; i++) r[i] -= y[i];
      expect(f).toBeCloseTo(robustCost(loss, r, r.length) / (objective === 'mse' ? N.length : 1), 15);
      for (let j = 0; j < 3; j++) {
        const h = 1e-6 * theta[j];
        const up = [...theta];
        const down = [...theta];
        up[j] += h;
        down[j] -= h;
        const fd = (problem.loss(up) - problem.loss(down)) / (2 * h);
        expect(Math.abs(g[j] - fd)).toBeLessThan(1e-6 * Math.max(Math.abs(fd), 1e-3));
      }
      // no clip() in this law: the reference gradient is the exact one
      const gRef = new Float64Array(3);
      new LeastSquares(law, [N], y, { loss, objective, gradient: 'reference' }).lossGrad(theta, gRef);
      expect(Array.from(gRef)).toEqual(Array.from(g));
    },
  );

  it('leaves l2 as it was: f-scale is ignored and the objective is Σ r²', () => {
    const theta = [1.4, 55, 0.5];
    const plain = new LeastSquares(law, [N], y);
    const l2 = new LeastSquares(law, [N], y, { loss: { loss: 'l2', fScale: 0.01 } });
    expect(l2.loss(theta)).toBe(plain.loss(theta));
    expect(plain.loss(theta)).toBe(law.bind([N]).sse(theta, y));
  });

  /** Largest relative error of the best fit's parameters. */
  function paramError(loss: LossSpec | undefined, fitter: FitterName): number {
    const starts = logUniformStarts(law.bounds, 16, rngFor(['robust-test']));
    const result = new LeastSquares(law, [N], y, { loss, fitter, objective: 'mse' }).fit(starts);
    const theta = result.fits[result.best].theta;
    return Math.max(...TRUE.map((t, j) => Math.abs(theta[j] - t) / t));
  }

  it.each(['lbfgsb', 'lm'] as const)('%s: with 3 gross outliers, soft_l1, huber and cauchy recover the law; l2 does not', (fitter) => {
    const l2 = paramError(undefined, fitter);
    expect(l2).toBeGreaterThan(0.05);
    for (const loss of losses) {
      const err = paramError(loss, fitter);
      expect(err, loss.loss).toBeLessThan(0.01);
      expect(err, loss.loss).toBeLessThan(l2 / 10);
    }
  });

  it('lm and L-BFGS-B reach the same robust minimum', () => {
    const starts = logUniformStarts(law.bounds, 16, rngFor(['robust-test']));
    for (const loss of losses) {
      const box = new LeastSquares(law, [N], y, { loss, objective: 'mse' }).fit(starts);
      const lm = new LeastSquares(law, [N], y, { loss, objective: 'mse', fitter: 'lm' }).fit(starts);
      expect(lm.fits[lm.best].loss / box.fits[box.best].loss).toBeCloseTo(1, 6);
    }
  });
});
