import { describe, it, expect } from 'vitest';
import { BoxWorkspace, minimizeBox, type ObjectiveWithGradient } from './lbfgsb.js';

const TIGHT = { ftol: 1e-15, gtol: 1e-10 };
const free = (n: number): [number[], number[]] => [Array(n).fill(-Infinity), Array(n).fill(Infinity)];

/** Extended Rosenbrock: Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². */
const rosenbrock: ObjectiveWithGradient = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
};

/**
 * ½xᵀAx − bᵀx with A = D·K·D, K_ij = ρ^|i−j| (ρ a power of 2, so every product is exact),
 * D = diag(d₀, 2, 3, …) and b_i = 3·((7i mod 5) − 2)·(i + 1): iterates that depend on no libm
 * rounding, so scipy's iteration counts can be matched exactly.
 */
function exactQuadratic(n: number, rho: number, d0 = 1): ObjectiveWithGradient {
  const D = Array.from({ length: n }, (_, i) => (i === 0 ? d0 : i + 1));
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => D[i] * rho ** Math.abs(i - j) * D[j]));
  const b = Array.from({ length: n }, (_, i) => 3 * (((i * 7) % 5) - 2) * (i + 1));
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A[i][j] * x[j];
      g[i] = ax - b[i];
      f += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return f;
  };
}

const rosenbrockStart = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1.2));

function gradientAt(fg: ObjectiveWithGradient, x: ArrayLike<number>): Float64Array {
  const g = new Float64Array(x.length);
  fg(Float64Array.from(x), g);
  return g;
}

/**
 * First-order optimality in a box: zero gradient on free coordinates, and on a coordinate at a
 * bound a gradient that pushes outwards (g ≥ 0 at a lower bound, g ≤ 0 at an upper one).
 */
function expectKkt(g: ArrayLike<number>, x: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>, tol: number): void {
  for (let i = 0; i < x.length; i++) {
    if (x[i] === lower[i]) expect(g[i], `g[${i}] at its lower bound`).toBeGreaterThanOrEqual(-tol);
    else if (x[i] === upper[i]) expect(g[i], `g[${i}] at its upper bound`).toBeLessThanOrEqual(tol);
    else expect(Math.abs(g[i]), `|g[${i}]| on a free coordinate`).toBeLessThanOrEqual(tol);
  }
}

// y = a·exp(−b·t) + c on a noiseless grid; least squares as Σ r².
const T = Array.from({ length: 25 }, (_, i) => (5 * i) / 24);
const TRUE_ABC = [2.5, 1.3, 0.7];
const Y = T.map((t) => TRUE_ABC[0] * Math.exp(-TRUE_ABC[1] * t) + TRUE_ABC[2]);
const expDecaySse: ObjectiveWithGradient = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < T.length; i++) {
    const e = Math.exp(-x[1] * T[i]);
    const r = x[0] * e + x[2] - Y[i];
    f += r * r;
    g[0] += 2 * r * e;
    g[1] += -2 * r * x[0] * T[i] * e;
    g[2] += 2 * r;
  }
  return f;
};

describe('minimizeBox on Rosenbrock', () => {
  it('reaches (1, 1) from (−1.2, 1) unbounded in about as many iterations as scipy (36)', () => {
    const [lo, hi] = free(2);
    const r = minimizeBox(rosenbrock, [-1.2, 1], lo, hi);
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.f).toBeLessThan(1e-10);
    expect(r.iterations).toBeGreaterThanOrEqual(25);
    expect(r.iterations).toBeLessThanOrEqual(50);
    expect(r.evaluations).toBeGreaterThan(r.iterations);
  });

  it('reaches (1, 1) to 1e-8 with tight tolerances', () => {
    const [lo, hi] = free(2);
    const r = minimizeBox(rosenbrock, [-1.2, 1], lo, hi, TIGHT);
    expect(r.status).toMatch(/^converged-/);
    for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-8);
  });

  it('reaches the 10-D minimum at all ones', () => {
    const [lo, hi] = free(10);
    const r = minimizeBox(rosenbrock, rosenbrockStart(10), lo, hi, TIGHT);
    expect(r.status).toMatch(/^converged-/);
    for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-6);
  });

  it('stops at the constrained minimum (0.5, 0.25) when x1 ≤ 0.5 cuts off (1, 1)', () => {
    // On x1 = 0.5 the best x2 is x1² = 0.25 (f = (1 − 0.5)² = 0.25), and ∂f/∂x1 = −2(1 − x1) = −1
    // there: the gradient pushes x1 up against its bound, so this is the KKT point.
    const lo = [-2, -2];
    const hi = [0.5, 2];
    const r = minimizeBox(rosenbrock, [-1.2, 1], lo, hi, TIGHT);
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[0]).toBe(0.5);
    expect(r.x[1]).toBeCloseTo(0.25, 9);
    expect(r.f).toBeCloseTo(0.25, 12);
    const g = gradientAt(rosenbrock, r.x);
    expect(g[0]).toBeCloseTo(-1, 6);
    expectKkt(g, r.x, lo, hi, 1e-8);
  });

  it('satisfies KKT in 10-D with two coordinates capped at 0.5, matching scipy’s value', () => {
    const lo = Array(10).fill(-5);
    const hi = Array(10).fill(Infinity);
    hi[2] = 0.5;
    hi[5] = 0.5;
    const r = minimizeBox(rosenbrock, rosenbrockStart(10), lo, hi, TIGHT);
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[2]).toBe(0.5);
    expectKkt(gradientAt(rosenbrock, r.x), r.x, lo, hi, 1e-5);
    // scipy 1.17 L-BFGS-B, same start, bounds and tolerances: fun = 5.725288501143616.
    expect(r.f).toBeCloseTo(5.725288501143616, 9);
  });

  it('takes exactly scipy’s iterations and evaluations at default tolerances', () => {
    // scipy 1.17.1, minimize(rosen, x0, jac=rosen_der, method='L-BFGS-B', bounds=…): nit, nfev.
    const lo10 = Array(10).fill(-5);
    const hi10 = Array(10).fill(Infinity);
    hi10[2] = 0.5;
    hi10[5] = 0.5;
    const cases: Array<[number[], number[], number[], number, number]> = [
      [[-1.2, 1], [-Infinity, -Infinity], [Infinity, Infinity], 36, 44],
      [[-1.2, 1], [-2, -2], [2, 2], 33, 46],
      [[-1.2, 1], [-2, -2], [0.5, 2], 20, 30],
      [[-1.2, 1], [-2, -Infinity], [0.5, Infinity], 20, 29],
      [rosenbrockStart(10), ...free(10), 71, 88],
      [rosenbrockStart(10), lo10, hi10, 41, 48],
      [[-12, 10, -12, 10], ...free(4), 54, 66],
    ];
    for (const [x0, lo, hi, nit, nfev] of cases) {
      const r = minimizeBox(rosenbrock, x0, lo, hi);
      expect([r.iterations, r.evaluations], `bounds ${lo} … ${hi}`).toEqual([nit, nfev]);
    }
  });

  it('takes exactly scipy’s iterations and evaluations on boxes with many active bounds', () => {
    // Same scipy call as above, on exact quadratics and on boxes where many bounds are active.
    const fill = (n: number, v: number): number[] => Array(n).fill(v);
    const cases: Array<[ObjectiveWithGradient, number[], number[], number[], number, number]> = [
      [exactQuadratic(12, 0.5), fill(12, 0), fill(12, -1), fill(12, 1), 12, 14],
      [exactQuadratic(12, 0.25), fill(12, 0.5), fill(12, -1), fill(12, 1), 17, 19],
      [exactQuadratic(20, 0.5), fill(20, 0), fill(20, -0.5), fill(20, 2), 22, 24],
      [rosenbrock, rosenbrockStart(10), fill(10, -0.5), fill(10, 0.8), 41, 57],
      [rosenbrock, rosenbrockStart(6), fill(6, -2), [0.3, 2, 0.3, 2, 0.3, 2], 31, 40],
      [rosenbrock, fill(8, 2), [...fill(4, 1.2), ...fill(4, -Infinity)], fill(8, Infinity), 31, 34],
    ];
    for (const [k, [fg, x0, lo, hi, nit, nfev]] of cases.entries()) {
      const r = minimizeBox(fg, x0, lo, hi);
      expect(r.status, `case ${k}`).toMatch(/^converged-/);
      expect([r.iterations, r.evaluations], `case ${k}`).toEqual([nit, nfev]);
    }
  });

  it('keeps a curvature pair by scipy’s rule s·y > ε·(−g·s), however large y is', () => {
    // One coordinate scaled by 2^30 or 2^40 makes the first y huge: a rule relative to ‖y‖²
    // dropped that pair and, with it, the scale that keeps later steps short. exactQuadratic with
    // D = diag(big, 2, 3, …); scipy 1.17.1 at default tolerances: nit 2, nfev 4.
    const shapes: Array<[number, number, number, number, number]> = [
      [6, 0.5, -1, 1, 0.5],
      [8, 0.25, -0.5, 2, 0.25],
      [12, 0.5, -1, 1, 0.75],
    ];
    for (const big of [2 ** 30, 2 ** 40]) {
      for (const [n, rho, lo, hi, x0] of shapes) {
        const r = minimizeBox(exactQuadratic(n, rho, big), Array(n).fill(x0), Array(n).fill(lo), Array(n).fill(hi));
        expect([r.iterations, r.evaluations], `big ${big}, n ${n}`).toEqual([2, 4]);
      }
    }
    // At the reference's tolerances scipy converges in 73–169 iterations; dropping the pair left
    // steepest descent on a condition number of 1e18, which ran out all 2000.
    for (const [n, rho, lo, hi, x0] of shapes) {
      const r = minimizeBox(exactQuadratic(n, rho, 2 ** 30), Array(n).fill(x0), Array(n).fill(lo), Array(n).fill(hi), TIGHT);
      expect(r.status, `n ${n}`).toBe('converged-ftol');
      expect(r.iterations, `n ${n}`).toBeLessThan(300);
    }
  });

  it('works with a smaller memory', () => {
    const [lo, hi] = free(10);
    const r = minimizeBox(rosenbrock, rosenbrockStart(10), lo, hi, { ...TIGHT, memory: 3 });
    expect(r.status).toMatch(/^converged-/);
    for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-5);
  });
});

describe('minimizeBox on a convex quadratic with active bounds', () => {
  // f = ½xᵀAx − bᵀx on [0, 1]⁶ with A tridiagonal SPD. The solution is chosen first and b built
  // from the KKT conditions, so it is known exactly: free coordinates have zero gradient, those
  // at a bound a gradient of magnitude 0.5 pointing out of the box.
  const n = 6;
  const A = (i: number, j: number): number => (i === j ? 4 : Math.abs(i - j) === 1 ? -1 : 0);
  const xStar = [0, 0.3, 1, 0.7, 0, 1];
  const gStar = [0.5, 0, -0.5, 0, 0.5, -0.5];
  const b = xStar.map((_, i) => xStar.reduce((s, xj, j) => s + A(i, j) * xj, 0) - gStar[i]);
  const quadratic: ObjectiveWithGradient = (x, g) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += A(i, j) * x[j];
      g[i] = ax - b[i];
      f += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return f;
  };
  const lo = Array(n).fill(0);
  const hi = Array(n).fill(1);

  it('finds the exact solution within 1e-8 with four bounds active', () => {
    const r = minimizeBox(quadratic, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], lo, hi, { ftol: 0, gtol: 1e-12 });
    expect(r.status).toMatch(/^converged-/);
    for (let i = 0; i < n; i++) expect(Math.abs(r.x[i] - xStar[i]), `x[${i}]`).toBeLessThan(1e-8);
    expect(r.x[0]).toBe(0);
    expect(r.x[2]).toBe(1);
  });

  it('gets there from a start outside the box (projected first)', () => {
    const seen: number[][] = [];
    const r = minimizeBox((x, g) => (seen.push(Array.from(x)), quadratic(x, g)), [-3, 9, 0.2, 2, -1, 0.5], lo, hi, { ftol: 0, gtol: 1e-12 });
    expect(seen[0]).toEqual([0, 1, 0.2, 1, 0, 0.5]);
    expect(r.status).toMatch(/^converged-/);
    for (let i = 0; i < n; i++) expect(Math.abs(r.x[i] - xStar[i])).toBeLessThan(1e-8);
  });

  it('keeps a variable with lower = upper fixed', () => {
    const fixedLo = [...lo];
    const fixedHi = [...hi];
    fixedLo[1] = fixedHi[1] = 0.8;
    const r = minimizeBox(quadratic, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], fixedLo, fixedHi, { ftol: 0, gtol: 1e-12 });
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[1]).toBe(0.8);
    expectKkt(gradientAt(quadratic, r.x), r.x, fixedLo, fixedHi, 1e-10);
  });
});

describe('minimizeBox on an exponential-decay fit', () => {
  it('recovers a, b, c from noiseless data', () => {
    const r = minimizeBox(expDecaySse, [1, 0.5, 0], [0, 0, -5], [10, 5, 5], TIGHT);
    expect(r.status).toMatch(/^converged-/);
    for (let j = 0; j < 3; j++) expect(Math.abs(r.x[j] - TRUE_ABC[j]), `param ${j}`).toBeLessThan(1e-6);
    expect(r.f).toBeLessThan(1e-12);
  });

  it('puts b at its bound when the bound cuts off the true b', () => {
    const lo = [0, 0, -5];
    const hi = [10, 1, 5];
    const r = minimizeBox(expDecaySse, [1, 0.5, 0], lo, hi, TIGHT);
    expect(r.status).toMatch(/^converged-/);
    expect(r.x[1]).toBe(1);
    const g = gradientAt(expDecaySse, r.x);
    expect(g[1]).toBeLessThan(0); // the fit would like a larger b
    expectKkt(g, r.x, lo, hi, 1e-7);
    expect(r.f).toBeGreaterThan(1e-4); // b = 1 cannot fit data generated with b = 1.3
  });
});

describe('minimizeBox with non-finite values', () => {
  it('reports non-finite when f(x0) is NaN, returning the projected start', () => {
    const r = minimizeBox((_x, g) => (g.fill(0), NaN), [7, 1], [-5, -5], [5, 5]);
    expect(r.status).toBe('non-finite');
    expect(Number.isNaN(r.f)).toBe(true);
    expect(Array.from(r.x)).toEqual([5, 1]);
    expect(r.evaluations).toBe(1);
    expect(r.iterations).toBe(0);
  });

  it('reports non-finite when the gradient at x0 is not finite', () => {
    const r = minimizeBox((_x, g) => (g.fill(Infinity), 1), [0, 0], [-1, -1], [1, 1]);
    expect(r.status).toBe('non-finite');
  });

  it('converges through a barrier that is Infinity on part of the box', () => {
    // f = Σ (x − 1)² + 1/x for x > 0, +∞ for x ≤ 0; the box [−1, 3] includes the infinite part and
    // the first (steepest-descent) trial from 2.5 lands in it.
    let infiniteTrials = 0;
    const barrier: ObjectiveWithGradient = (x, g) => {
      let f = 0;
      for (let i = 0; i < x.length; i++) {
        if (x[i] <= 0) {
          infiniteTrials++;
          g[i] = NaN;
          f = Infinity;
          continue;
        }
        f += (x[i] - 1) ** 2 + 1 / x[i];
        g[i] = 2 * (x[i] - 1) - 1 / (x[i] * x[i]);
      }
      return f;
    };
    // Root of 2(x − 1) − 1/x² = 0, i.e. 2x³ − 2x² − 1 = 0, by bisection.
    let a = 1;
    let b = 2;
    for (let k = 0; k < 200; k++) {
      const mid = 0.5 * (a + b);
      if (2 * mid ** 3 - 2 * mid ** 2 - 1 > 0) b = mid;
      else a = mid;
    }
    const seen: number[][] = [];
    const values: number[] = [];
    const recorded: ObjectiveWithGradient = (x, g) => {
      seen.push(Array.from(x));
      const f = barrier(x, g);
      values.push(f);
      return f;
    };
    const r = minimizeBox(recorded, [2.5, 2.5, 2], [-1, -1, -1], [3, 3, 3], TIGHT);
    expect(infiniteTrials).toBeGreaterThan(0);
    // The infinite trial is treated as a step too long: the next trial is halfway back to the start.
    const bad = values.findIndex((f) => !Number.isFinite(f));
    expect(bad).toBe(1);
    for (let i = 0; i < 3; i++) expect(seen[2][i]).toBeCloseTo(0.5 * (seen[0][i] + seen[1][i]), 12);
    expect(r.status).toMatch(/^converged-/);
    for (const v of r.x) expect(Math.abs(v - a)).toBeLessThan(1e-7);
  });

  it('converges through a log barrier that is NaN below 0', () => {
    // f = (x − 0.1)² − 0.01·log x; minimum where 2x² − 0.2x − 0.01 = 0.
    const xMin = (0.2 + Math.sqrt(0.04 + 0.08)) / 4;
    const logBarrier: ObjectiveWithGradient = (x, g) => {
      let f = 0;
      for (let i = 0; i < x.length; i++) {
        f += (x[i] - 0.1) ** 2 - 0.01 * Math.log(x[i]);
        g[i] = 2 * (x[i] - 0.1) - 0.01 / x[i];
      }
      return f;
    };
    const r = minimizeBox(logBarrier, [0.9, 0.5], [-1, -1], [1, 1], TIGHT);
    expect(r.status).toMatch(/^converged-/);
    for (const v of r.x) expect(Math.abs(v - xMin)).toBeLessThan(1e-7);
  });

  it('keeps the start, with line-search-failed, when every other point is non-finite', () => {
    const onlyStart: ObjectiveWithGradient = (x, g) => {
      if (x[0] === 1 && x[1] === 1) {
        g[0] = 1;
        g[1] = 1;
        return 3;
      }
      g.fill(NaN);
      return NaN;
    };
    const r = minimizeBox(onlyStart, [1, 1], [-5, -5], [5, 5]);
    expect(r.status).toBe('line-search-failed');
    expect(Array.from(r.x)).toEqual([1, 1]);
    expect(r.f).toBe(3);
    expect(r.evaluations).toBeLessThanOrEqual(21);
  });
});

describe('minimizeBox limits', () => {
  it('stops at maxIterations with a point no worse than the start', () => {
    const [lo, hi] = free(2);
    const f0 = rosenbrock(Float64Array.from([-1.2, 1]), new Float64Array(2));
    const r = minimizeBox(rosenbrock, [-1.2, 1], lo, hi, { maxIterations: 5 });
    expect(r.status).toBe('max-iterations');
    expect(r.iterations).toBe(5);
    expect(r.f).toBeLessThan(f0);
  });

  it('never evaluates more than maxEvaluations times', () => {
    const [lo, hi] = free(10);
    let calls = 0;
    const r = minimizeBox((x, g) => (calls++, rosenbrock(x, g)), rosenbrockStart(10), lo, hi, { maxEvaluations: 17 });
    expect(r.status).toBe('max-evaluations');
    expect(calls).toBeLessThanOrEqual(17);
    expect(r.evaluations).toBe(calls);
  });

  it('returns at once, converged, when the start is already stationary', () => {
    const [lo, hi] = free(2);
    const r = minimizeBox(rosenbrock, [1, 1], lo, hi);
    expect(r.status).toBe('converged-gtol');
    expect(r.iterations).toBe(0);
    expect(r.evaluations).toBe(1);
  });

  it('rejects inconsistent arguments with a RangeError', () => {
    expect(() => minimizeBox(rosenbrock, [0, 0], [0], [1, 1])).toThrow(RangeError);
    expect(() => minimizeBox(rosenbrock, [0, 0], [1, 0], [0, 1])).toThrow(RangeError);
    expect(() => minimizeBox(rosenbrock, [0, 0], [0, 0], [1, 1], {}, new BoxWorkspace(3))).toThrow(RangeError);
  });
});

describe('BoxWorkspace reuse', () => {
  it('gives results identical to a fresh workspace, whatever ran before', () => {
    const lo10 = Array(10).fill(-5);
    const hi10 = Array(10).fill(Infinity);
    hi10[2] = 0.5;
    hi10[5] = 0.5;
    const [flo, fhi] = free(10);
    const runs: Array<[number[], number[], number[]]> = [
      [rosenbrockStart(10), lo10, hi10],
      [rosenbrockStart(10), flo, fhi],
      [Array(10).fill(3), lo10, hi10],
      [rosenbrockStart(10), lo10, hi10],
    ];
    const shared = new BoxWorkspace(10);
    for (const [x0, lo, hi] of runs) {
      const reused = minimizeBox(rosenbrock, x0, lo, hi, TIGHT, shared);
      const fresh = minimizeBox(rosenbrock, x0, lo, hi, TIGHT, new BoxWorkspace(10));
      const alone = minimizeBox(rosenbrock, x0, lo, hi, TIGHT);
      expect(reused).toEqual(fresh);
      expect(alone).toEqual(fresh);
      expect(Array.from(reused.x)).toEqual(Array.from(fresh.x));
    }
  });

  it('returns an x that later calls do not overwrite', () => {
    const ws = new BoxWorkspace(2);
    const [lo, hi] = free(2);
    const first = minimizeBox(rosenbrock, [-1.2, 1], lo, hi, {}, ws);
    const copy = Array.from(first.x);
    minimizeBox(rosenbrock, [3, -3], lo, hi, { maxIterations: 2 }, ws);
    expect(Array.from(first.x)).toEqual(copy);
  });
});

describe('the subspace step', () => {
  // 12-D Rosenbrock with every third coordinate capped at 0.5: bounds become active one at a
  // time, so the step is taken with none, few and several variables active.
  const n = 12;
  const lo = Array(n).fill(-2);
  const hi = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.5 : 2));
  const start = rosenbrockStart(n);

  it('follows the direct method iterate for iterate when solved by the reduced inverse', () => {
    let differs = false;
    for (const k of [5, 10, 20, 30]) {
      const auto = minimizeBox(rosenbrock, start, lo, hi, { ...TIGHT, maxIterations: k });
      const direct = minimizeBox(rosenbrock, start, lo, hi, { ...TIGHT, maxIterations: k, subspace: 'direct' });
      expect(auto.iterations).toBe(direct.iterations);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(auto.x[i] - direct.x[i]), `x[${i}] after ${k} iterations`).toBeLessThan(1e-9 * (1 + Math.abs(direct.x[i])));
        if (auto.x[i] !== direct.x[i]) differs = true;
      }
    }
    // equal to the last bit would mean the reduced form was never taken
    expect(differs).toBe(true);
  });

  it('reaches the same constrained minimum either way', () => {
    const auto = minimizeBox(rosenbrock, start, lo, hi, TIGHT);
    const direct = minimizeBox(rosenbrock, start, lo, hi, { ...TIGHT, subspace: 'direct' });
    expect(auto.status).toMatch(/^converged-/);
    expect(auto.f).toBeCloseTo(direct.f, 12);
    for (let i = 0; i < n; i++) expect(auto.x[i]).toBeCloseTo(direct.x[i], 8);
  });
});

describe('a line search that finds nothing lower', () => {
  it('reports no-progress, not convergence, and leaves x where it was', () => {
    // every point but the start lies 100 higher: each trial of the search goes uphill
    let calls = 0;
    const jump: ObjectiveWithGradient = (x, g) => {
      g[0] = 2 * x[0];
      g[1] = 2 * x[1];
      return x[0] ** 2 + x[1] ** 2 + (calls++ > 0 ? 100 : 0);
    };
    const [lo, hi] = free(2);
    const r = minimizeBox(jump, [1, -2], lo, hi, TIGHT);
    expect(r.status).toBe('no-progress');
    expect(Array.from(r.x)).toEqual([1, -2]);
    expect(r.f).toBe(5);
  });
});
