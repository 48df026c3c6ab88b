import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { Matrix, solve } from 'ml-matrix';
import { boxLeastSquares, BoxLsqWorkspace, projectOut } from './bvls.js';

function objective(A: Float64Array, m: number, k: number, c: ArrayLike<number>, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m; i++) {
    let r = -c[i];
    for (let j = 0; j < k; j++) r += A[j * m + i] * x[j];
    s += r * r;
  }
  return s;
}

/** The box optimum by enumeration: every variable free, at its lower or at its upper bound. */
function bruteForce(A: Float64Array, m: number, k: number, c: number[], lo: number[], hi: number[]): number {
  let best = Infinity;
  for (let code = 0; code < 3 ** k; code++) {
    const kind = Array.from({ length: k }, (_, j) => Math.floor(code / 3 ** j) % 3);
    const x = kind.map((t, j) => (t === 1 ? lo[j] : t === 2 ? hi[j] : 0));
    if (x.some((v) => !Number.isFinite(v))) continue;
    const freeIdx = kind.flatMap((t, j) => (t === 0 ? [j] : []));
    if (freeIdx.length > 0) {
      const rhs = c.map((ci, i) => ci - kind.reduce((s, t, j) => s + (t === 0 ? 0 : A[j * m + i] * x[j]), 0));
      const Af = new Matrix(m, freeIdx.length);
      freeIdx.forEach((j, f) => {
        for (let i = 0; i < m; i++) Af.set(i, f, A[j * m + i]);
      });
      const z = solve(Af, Matrix.columnVector(rhs), true).to1DArray();
      freeIdx.forEach((j, f) => (x[j] = z[f]));
      if (freeIdx.some((j) => x[j] < lo[j] - 1e-12 || x[j] > hi[j] + 1e-12)) continue;
    }
    best = Math.min(best, objective(A, m, k, c, x));
  }
  return best;
}

function randomProblem(rng: () => number, m: number, k: number) {
  const A = Float64Array.from({ length: m * k }, () => rng() * 2 - 1);
  const c = Array.from({ length: m }, () => 3 * (rng() * 2 - 1));
  const lo = Array.from({ length: k }, () => (rng() < 0.2 ? -Infinity : -rng()));
  const hi = Array.from({ length: k }, (_, j) => (rng() < 0.2 ? Infinity : Math.max(lo[j], 0) + rng()));
  return { A, c, lo, hi };
}

describe('boxLeastSquares', () => {
  it('reaches the enumerated box optimum on random full-rank problems', () => {
    const rng = seedrandom('bvls');
    for (let trial = 0; trial < 200; trial++) {
      const k = 1 + (trial % 4);
      const m = k + 2 + (trial % 5);
      const { A, c, lo, hi } = randomProblem(rng, m, k);
      const x = new Float64Array(k);
      const r = boxLeastSquares(A, c, lo, hi, x, new BoxLsqWorkspace(m, k));
      expect(r.status).toBe('optimal');
      for (let j = 0; j < k; j++) {
        expect(x[j]).toBeGreaterThanOrEqual(lo[j]);
        expect(x[j]).toBeLessThanOrEqual(hi[j]);
      }
      const want = bruteForce(A, m, k, c, lo, hi);
      expect(objective(A, m, k, c, x)).toBeCloseTo(want, 9);
    }
  });

  it('is exact where the unconstrained optimum is inside the box', () => {
    // c = A·[2, −1, 0.5] exactly
    const m = 6;
    const t = [0, 1, 2, 3, 4, 5];
    const A = Float64Array.from([...t.map(() => 1), ...t, ...t.map((v) => v * v)]);
    const c = t.map((v) => 2 - v + 0.5 * v * v);
    const x = new Float64Array(3);
    boxLeastSquares(A, c, [-10, -10, -10], [10, 10, 10], x, new BoxLsqWorkspace(m, 3));
    expect(
      Array.from(x)
        .map((v, j) => v - [2, -1, 0.5][j])
        .every((d) => Math.abs(d) < 1e-12),
    ).toBe(true);
  });

  it('keeps the warm start along directions the data do not determine (fewer rows than columns)', () => {
    // two rows, three columns, the third a copy of the first: the basic solution leaves one column where it was
    const A = Float64Array.from([1, 1, 0, 1, 1, 1]);
    const c = [3, 5];
    const x = Float64Array.from([0.25, 0, 7]);
    const ws = new BoxLsqWorkspace(2, 3);
    const r = boxLeastSquares(A, c, [-100, -100, -100], [100, 100, 100], x, ws);
    expect(r.status).toBe('optimal');
    expect(r.rank).toBe(2);
    expect(objective(A, 2, 3, c, x)).toBeLessThan(1e-20);
    expect(x.filter((v, j) => v === [0.25, 0, 7][j]).length).toBe(1);
  });

  it('holds bounds on a rank-deficient problem and matches the enumerated optimum', () => {
    const rng = seedrandom('bvls-deficient');
    for (let trial = 0; trial < 50; trial++) {
      const m = 8;
      const { A, c, lo, hi } = randomProblem(rng, m, 3);
      for (let i = 0; i < m; i++) A[2 * m + i] = 2 * A[i]; // column 2 = 2 × column 0
      const x = new Float64Array(3);
      boxLeastSquares(A, c, lo, hi, x, new BoxLsqWorkspace(m, 3));
      for (let j = 0; j < 3; j++) expect(x[j] >= lo[j] && x[j] <= hi[j]).toBe(true);
      // with dependent columns the enumeration's solve is least-squares too; compare objectives only
      const want = bruteForceDeficient(A, m, c, lo, hi);
      expect(objective(A, m, 3, c, x)).toBeLessThanOrEqual(want * (1 + 1e-9) + 1e-12);
    }
  });

  it('says non-finite instead of solving with NaN', () => {
    const x = new Float64Array(1);
    expect(boxLeastSquares(Float64Array.from([1, NaN]), [1, 2], [0], [1], x, new BoxLsqWorkspace(2, 1)).status).toBe('non-finite');
  });
});

/** Column 2 = 2·column 0: the optimum over (x0, x1, x2) is the optimum over (u = x0 + 2x2, x1) with u's box. */
function bruteForceDeficient(A: Float64Array, m: number, c: number[], lo: number[], hi: number[]): number {
  const B = Float64Array.from([...A.subarray(0, m), ...A.subarray(m, 2 * m)]);
  return bruteForce(B, m, 2, c, [lo[0] + 2 * lo[2], lo[1]], [hi[0] + 2 * hi[2], hi[1]]);
}

describe('projectOut', () => {
  it('leaves what is orthogonal to the free columns and removes what lies in their span', () => {
    const m = 5;
    const A = Float64Array.from([1, 1, 1, 1, 1, 0, 1, 2, 3, 4]);
    const ws = new BoxLsqWorkspace(m, 2);
    boxLeastSquares(A, [1, 2, 3, 4, 5], [-10, -10], [10, 10], new Float64Array(2), ws);
    // M's columns: 3·a₀ − a₁ (in the span) and a vector orthogonal to both
    const inSpan = [3, 2, 1, 0, -1];
    const orth = [1, -2, 0, 2, -1];
    const M = new Float64Array(m * 2);
    for (let i = 0; i < m; i++) {
      M[i * 2] = inSpan[i];
      M[i * 2 + 1] = orth[i];
    }
    projectOut(ws, M, 2, 0, 2);
    for (let i = 0; i < m; i++) {
      expect(Math.abs(M[i * 2])).toBeLessThan(1e-12);
      expect(M[i * 2 + 1]).toBeCloseTo(orth[i], 12);
    }
  });
});
