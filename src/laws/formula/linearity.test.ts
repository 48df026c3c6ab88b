import { describe, expect, it } from 'vitest';
import { builtinTaskNames, lawOf, loadTask } from '../../data/task.js';
import { compileLaw, type Law } from '../law.js';
import { compileFormula } from './index.js';

/** Names of the linear parameters that `compileFormula` detects. */
function linearNames(formula: string | Record<string, string>, params: string[], features: string[] = ['x']): string[] {
  const compiled = compileFormula({ formula, params, features });
  return compiled.linear.map((j) => params[j]);
}

describe('linearParams on the DAG', () => {
  it('finds the linear coefficients of Chinchilla', () => {
    expect(linearNames('E + A * N^(-alpha) + B * D^(-beta)', ['E', 'A', 'alpha', 'B', 'beta'], ['N', 'D'])).toEqual(['E', 'A', 'B']);
  });

  it('takes the first of two multiplied parameters (greedy in θ order)', () => {
    expect(linearNames('A * B * x', ['A', 'B'])).toEqual(['A']);
    expect(linearNames('A * B * x', ['B', 'A'])).toEqual(['B']);
  });

  it('treats a parameter under a nonlinear function as nonlinear', () => {
    expect(linearNames('exp(a) * x', ['a'])).toEqual([]);
    expect(linearNames('log(A * x)', ['A'])).toEqual([]);
    expect(linearNames('clip(A * x, 0, 1)', ['A'])).toEqual([]);
    expect(linearNames('A^1 * x', ['A'])).toEqual([]);
    expect(linearNames('x^A', ['A'])).toEqual([]);
  });

  it('allows division by a denominator free of L only', () => {
    expect(linearNames('(A + B * x) / (1 + c * x)', ['A', 'B', 'c'])).toEqual(['A', 'B']);
    expect(linearNames('A / x', ['A'])).toEqual(['A']);
    expect(linearNames('x / A', ['A'])).toEqual([]);
  });

  it('rejects a parameter that is also squared somewhere', () => {
    expect(linearNames('A * x + A * A', ['A'])).toEqual([]);
    expect(linearNames('A * x + A * A', ['A', 'B'])).toEqual(['B']);
  });

  it('passes negation and subtraction through', () => {
    expect(linearNames('-(A) - 3 * B', ['A', 'B'])).toEqual(['A', 'B']);
    expect(linearNames('-(A * x) - (B - 2 * A) / 4', ['A', 'B'])).toEqual(['A', 'B']);
  });

  it('follows locals (shared nodes)', () => {
    expect(linearNames('t = A * x; t + t * x', ['A'])).toEqual(['A']);
    expect(linearNames('t = A * x; t * t', ['A'])).toEqual([]);
  });

  it('counts a declared but unused parameter as linear (its coefficient is 0)', () => {
    expect(linearNames('exp(a) * x', ['a', 'unused'])).toEqual(['unused']);
  });

  it('requires every output of a multi-output law to be affine in L', () => {
    const params = ['E', 'A', 'k', 'B'];
    expect(linearNames({ y1: 'E + A * x^(-k)', y2: 'A * x + B' }, params)).toEqual(['E', 'A', 'B']);
    // A is linear in y1 but multiplies B in y2: A is taken first, so B is not
    expect(linearNames({ y1: 'E + A * x^(-k)', y2: 'A * B * x' }, params)).toEqual(['E', 'A']);
    // A is linear in y2 but not in y1 (k is unused, hence linear)
    expect(linearNames({ y1: 'E + exp(A) * x', y2: 'A * x + B' }, params)).toEqual(['E', 'k', 'B']);
  });

  it('is exposed on the compiled law', () => {
    const law = compileLaw({ formula: 'E + A * N^(-alpha)', params: { E: [0, 5], A: [0, 50], alpha: [0, 2] }, features: ['N'] });
    expect(law.linear).toEqual([0, 1]);
  });
});

/** mulberry32: a small seeded generator, so the check is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Checks f(θ_N, θ_L) = f(θ_N, 0) + Σ θ_j (f(θ_N, e_j) − f(θ_N, 0)) on random rows and θ; returns
 * how many (row, output) values were finite and compared.
 */
function checkAffine(law: Law, seed: number): number {
  const rand = rng(seed);
  const rows = 40;
  // log-uniform in [1e-3, 1e4]: positive like the tasks' features, over many magnitudes
  const X = Array.from({ length: rows }, () => law.features.map(() => 10 ** (-3 + 7 * rand())));
  const b = law.bind(X);
  const size = b.n * law.outputs;
  const evalAt = (theta: number[]) => Float64Array.from(b.value(theta, new Float64Array(size)));
  let compared = 0;
  for (let draw = 0; draw < 5; draw++) {
    const theta = law.bounds.map(([lo, hi]) => {
      const l = Math.max(lo, -10);
      const h = Math.min(hi, 10);
      return l + (h - l) * rand();
    });
    const f = evalAt(theta);
    const base = [...theta];
    for (const j of law.linear) base[j] = 0;
    const f0 = evalAt(base);
    const unit = law.linear.map((j) => {
      const t = [...base];
      t[j] = 1;
      return evalAt(t);
    });
    for (let i = 0; i < size; i++) {
      let rebuilt = f0[i];
      let scale = Math.abs(f[i]) + Math.abs(f0[i]);
      law.linear.forEach((j, k) => {
        rebuilt += theta[j] * (unit[k][i] - f0[i]);
        scale += Math.abs(theta[j]) * (Math.abs(unit[k][i]) + Math.abs(f0[i]));
      });
      if (!Number.isFinite(f[i]) || !Number.isFinite(rebuilt) || !Number.isFinite(scale)) continue;
      compared++;
      if (Math.abs(f[i] - rebuilt) > 1e-9 * scale) {
        throw new Error(`${law.id}: row ${i}: f = ${f[i]}, affine reconstruction = ${rebuilt} (θ = ${theta.join(', ')})`);
      }
    }
  }
  return compared;
}

describe('linearity of the built-in laws', () => {
  for (const name of builtinTaskNames()) {
    it(`${name}: every law is affine in its linear parameters`, () => {
      const task = loadTask(name);
      for (const id of Object.keys(task.laws)) {
        const law = lawOf(task, id);
        expect(checkAffine(law, 1234), `${name}/${id}: no finite values compared`).toBeGreaterThan(0);
      }
    });
  }

  it('finds the polynomial laws of lr_bsz_scaling_law linear in every parameter', () => {
    const task = loadTask('lr_bsz_scaling_law');
    for (const id of ['sl_9', 'sl_10']) {
      const law = lawOf(task, id);
      expect(law.linear, id).toEqual(law.params.map((_, j) => j));
    }
  });
});
