import { describe, it, expect } from 'vitest';
import { levenbergMarquardt, type ResidualsWithJacobian } from './levenberg-marquardt.js';
import { minimizeBox } from './lbfgsb.js';

/** Rosenbrock as least squares: r = [10(x2 − x1²), 1 − x1]. */
const rosenbrock: ResidualsWithJacobian = (x, r, J) => {
  r[0] = 10 * (x[1] - x[0] * x[0]);
  r[1] = 1 - x[0];
  if (J) {
    J[0] = -20 * x[0];
    J[1] = 10;
    J[2] = -1;
    J[3] = 0;
  }
};

const T = Array.from({ length: 25 }, (_, i) => (5 * i) / 24);
const TRUE_ABC = [2.5, 1.3, 0.7];
const Y = T.map((t) => TRUE_ABC[0] * Math.exp(-TRUE_ABC[1] * t) + TRUE_ABC[2]);
/** y = a·exp(−b·t) + c residuals against data ys. */
const expDecay =
  (ys: readonly number[]): ResidualsWithJacobian =>
  (x, r, J) => {
    for (let i = 0; i < T.length; i++) {
      const e = Math.exp(-x[1] * T[i]);
      r[i] = x[0] * e + x[2] - ys[i];
      if (J) {
        J[i * 3] = e;
        J[i * 3 + 1] = -x[0] * T[i] * e;
        J[i * 3 + 2] = 1;
      }
    }
  };
const NOISY = Y.map((y, i) => y + 0.01 * Math.sin(7 * i));

/** Σr² of `fn` minimised by L-BFGS-B in the box [lo, hi] to tight tolerances: the reference minimum. */
function lbfgsbOn(fn: ResidualsWithJacobian, x0: number[], lo: number[], hi: number[]) {
  const r = new Float64Array(T.length);
  const J = new Float64Array(T.length * 3);
  return minimizeBox(
    (x, g) => {
      fn(x, r, J);
      let f = 0;
      g.fill(0);
      for (let i = 0; i < T.length; i++) {
        f += r[i] * r[i];
        for (let j = 0; j < 3; j++) g[j] += 2 * r[i] * J[i * 3 + j];
      }
      return f;
    },
    x0,
    lo,
    hi,
    { ftol: 1e-15, gtol: 1e-10 },
  );
}

describe('levenbergMarquardt', () => {
  it('solves Rosenbrock as least squares from (−1.2, 1)', () => {
    const r = levenbergMarquardt(rosenbrock, [-1.2, 1], 2);
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[0]).toBeCloseTo(1, 10);
    expect(r.x[1]).toBeCloseTo(1, 10);
    expect(r.cost).toBeLessThan(1e-20);
    expect(r.f).toBe(2 * r.cost);
  });

  it('takes exactly the steps of scipy’s least_squares(method="lm") on MINPACK test problems', () => {
    // scipy 1.17.1: status, nfev, njev. Our first call gives residuals and Jacobian together, so
    // evaluations = nfev + njev − 1; iterations = accepted steps.
    const s5 = Math.sqrt(5);
    const s10 = Math.sqrt(10);
    const powell: ResidualsWithJacobian = (x, r, J) => {
      r[0] = x[0] + 10 * x[1];
      r[1] = s5 * (x[2] - x[3]);
      r[2] = (x[1] - 2 * x[2]) ** 2;
      r[3] = s10 * (x[0] - x[3]) ** 2;
      if (J) J.set([1, 10, 0, 0, 0, 0, s5, -s5, 0, 2 * (x[1] - 2 * x[2]), -4 * (x[1] - 2 * x[2]), 0, 2 * s10 * (x[0] - x[3]), 0, 0, -2 * s10 * (x[0] - x[3])]);
    };
    const freudensteinRoth: ResidualsWithJacobian = (x, r, J) => {
      r[0] = -13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1];
      r[1] = -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1];
      if (J) J.set([1, 10 * x[1] - 3 * x[1] ** 2 - 2, 1, 3 * x[1] ** 2 + 2 * x[1] - 14]);
    };
    const beale: ResidualsWithJacobian = (x, r, J) => {
      r[0] = 1.5 - x[0] * (1 - x[1]);
      r[1] = 2.25 - x[0] * (1 - x[1] ** 2);
      r[2] = 2.625 - x[0] * (1 - x[1] ** 3);
      if (J) J.set([-(1 - x[1]), x[0], -(1 - x[1] ** 2), 2 * x[0] * x[1], -(1 - x[1] ** 3), 3 * x[0] * x[1] ** 2]);
    };
    const cases: Array<[ResidualsWithJacobian, number[], number, string, number, number, number]> = [
      [rosenbrock, [-1.2, 1], 2, 'converged-gtol', 21, 16, 15],
      [powell, [3, -1, 0, 1], 4, 'converged-gtol', 37, 37, 36],
      [freudensteinRoth, [0.5, -2], 2, 'converged-ftol', 14, 8, 8],
      [beale, [1, 1], 3, 'converged-xtol', 9, 7, 7],
    ];
    for (const [k, [fn, x0, m, status, nfev, njev, accepted]] of cases.entries()) {
      const r = levenbergMarquardt(fn, x0, m);
      expect([r.status, r.evaluations, r.iterations], `case ${k}`).toEqual([status, nfev + njev - 1, accepted]);
    }
  });

  it('recovers a, b, c of a noiseless exponential decay, from near and from far', () => {
    for (const x0 of [
      [1, 0.5, 0],
      [1, 5, 0],
      [10, 0.01, -3],
    ]) {
      const r = levenbergMarquardt(expDecay(Y), x0, T.length);
      expect(r.status, `from ${x0}`).toMatch(/^converged-/);
      for (let j = 0; j < 3; j++) expect(Math.abs(r.x[j] - TRUE_ABC[j]), `param ${j} from ${x0}`).toBeLessThan(1e-8);
    }
  });

  it('satisfies the normal equations Jᵀr ≈ 0 on noisy data', () => {
    const fn = expDecay(NOISY);
    const res = levenbergMarquardt(fn, [1, 0.5, 0], T.length);
    expect(res.status).toMatch(/^converged-/);
    const r = new Float64Array(T.length);
    const J = new Float64Array(T.length * 3);
    fn(res.x, r, J);
    let rr = 0;
    for (const v of r) rr += v * v;
    expect(res.f).toBeCloseTo(rr, 15);
    for (let j = 0; j < 3; j++) {
      let g = 0;
      let cn = 0;
      for (let i = 0; i < T.length; i++) {
        g += J[i * 3 + j] * r[i];
        cn += J[i * 3 + j] ** 2;
      }
      // cosine between r and column j of J
      expect(Math.abs(g) / Math.sqrt(cn * rr)).toBeLessThan(1e-6);
    }
  });

  it('finds the same minimum as L-BFGS-B on the same noisy fit', () => {
    const fn = expDecay(NOISY);
    const lm = levenbergMarquardt(fn, [1, 0.5, 0], T.length);
    const box = lbfgsbOn(fn, [1, 0.5, 0], [-Infinity, -Infinity, -Infinity], [Infinity, Infinity, Infinity]);
    expect(Math.abs(lm.f - box.f) / box.f).toBeLessThan(1e-9);
    for (let j = 0; j < 3; j++) expect(lm.x[j]).toBeCloseTo(box.x[j], 6);
  });

  it('reports non-finite when the residuals at x0 are NaN', () => {
    const r = levenbergMarquardt((_x, r) => r.fill(NaN), [1, 2], 3);
    expect(r.status).toBe('non-finite');
    expect(Number.isNaN(r.f)).toBe(true);
    expect(Number.isNaN(r.cost)).toBe(true);
    expect(Array.from(r.x)).toEqual([1, 2]);
  });

  it('reports non-finite when the Jacobian at x0 is not finite', () => {
    const r = levenbergMarquardt(
      (x, r, J) => {
        r[0] = x[0];
        if (J) J[0] = Infinity;
      },
      [1],
      1,
    );
    expect(r.status).toBe('non-finite');
  });

  it('shrinks the step after a trial with non-finite residuals and still converges', () => {
    // r = log x − 1: the first Gauss–Newton step from 50 goes to x < 0, where log is NaN.
    let nonFinite = 0;
    const r = levenbergMarquardt(
      (x, res, J) => {
        res[0] = Math.log(x[0]) - 1;
        if (!Number.isFinite(res[0])) nonFinite++;
        if (J) J[0] = 1 / x[0];
      },
      [50],
      1,
    );
    expect(nonFinite).toBeGreaterThan(0);
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[0]).toBeCloseTo(Math.E, 10);
  });

  it('takes back an accepted point whose Jacobian is not finite', () => {
    // r = (x − 0.5)² is finite everywhere but its Jacobian is reported NaN below 1: the fit must
    // end on a point where the Jacobian was finite, lower than the start.
    const r = levenbergMarquardt(
      (x, res, J) => {
        res[0] = (x[0] - 0.5) ** 2;
        if (J) J[0] = x[0] < 1 ? NaN : 2 * (x[0] - 0.5);
      },
      [3],
      1,
    );
    expect(r.status).not.toBe('non-finite');
    expect(r.x[0]).toBeGreaterThanOrEqual(1);
    expect(r.f).toBeLessThan(2.5 ** 4);
  });

  it('never calls fn more than maxEvaluations times', () => {
    let calls = 0;
    const r = levenbergMarquardt((x, res, J) => (calls++, rosenbrock(x, res, J)), [-1.2, 1], 2, { maxEvaluations: 10 });
    expect(r.status).toBe('max-evaluations');
    expect(calls).toBeLessThanOrEqual(10);
    expect(r.evaluations).toBe(calls);
    expect(r.f).toBeLessThan(24.2 * 2); // below ‖r(x0)‖² = 2·24.2
  });

  it('handles fewer residuals than parameters (zero-padded) without throwing', () => {
    const r = levenbergMarquardt(
      (x, res, J) => {
        res[0] = x[0] + 2 * x[1] - 3;
        if (J) {
          J[0] = 1;
          J[1] = 2;
        }
      },
      [0, 0],
      1,
    );
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[0] + 2 * r.x[1]).toBeCloseTo(3, 12);
  });

  it('with bounds, stays in the box and reaches the bounded minimum L-BFGS-B finds', () => {
    const fn = expDecay(NOISY);
    // the unbounded optimum has b ≈ 1.3 and c ≈ 0.7: capping c at 0.5 binds, and b moves inside its box
    const lo = [0, 0, -1];
    const hi = [10, 1, 0.5];
    const lm = levenbergMarquardt(fn, [1, 0.5, 0], T.length, { bounds: lo.map((l, j) => [l, hi[j]] as const) });
    const box = lbfgsbOn(fn, [1, 0.5, 0], lo, hi);
    expect(lm.status).toMatch(/^converged-/);
    for (let j = 0; j < 3; j++) {
      expect(lm.x[j]).toBeGreaterThanOrEqual(lo[j]);
      expect(lm.x[j]).toBeLessThanOrEqual(hi[j]);
    }
    expect(lm.x[2]).toBe(0.5);
    expect(box.x[1]).toBeLessThan(1);
    expect(Math.abs(lm.f - box.f) / box.f).toBeLessThan(1e-9);
    // f agrees to 1e-9, so θ near a minimum agrees to about its square root
    expect(lm.x[0]).toBeCloseTo(box.x[0], 4);
    expect(lm.x[1]).toBeCloseTo(box.x[1], 4);
  });

  it('with bounds that do not bind, takes the same steps as without', () => {
    const fn = expDecay(NOISY);
    const free = levenbergMarquardt(fn, [1, 0.5, 0], T.length);
    const wide = levenbergMarquardt(fn, [1, 0.5, 0], T.length, {
      bounds: [
        [-100, 100],
        [-100, 100],
        [-100, 100],
      ],
    });
    expect(Array.from(wide.x)).toEqual(Array.from(free.x));
    expect(wide.evaluations).toBe(free.evaluations);
  });
});
