/** MSPE's inter-mode integral: the two ways of evaluating the mode densities on the y grid. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLaw } from '../laws/law.js';
import { gaussianOnGrid, quadratureRange } from './mspe.js';
import { mspeScores, prepareState, stateModes, type AcquisitionState } from './score.js';

function direct(y: number, m: number, v: number): number {
  return Math.exp((-0.5 * (y - m) ** 2) / v) / Math.sqrt(2 * Math.PI * v);
}

describe('gaussianOnGrid', () => {
  it('matches exp at every point to 1e-13 relative per unit of the exponent z²/2v, wherever the mean sits', () => {
    const n = 500;
    const y0 = -3;
    const h = 0.02;
    for (const [m, v] of [
      [1.234, 0.5],
      [-2.99, 0.01],
      [7.5, 0.3],
      [-10, 4],
      [2, 1e-4],
      [0.5, 1e6],
    ]) {
      const out = new Float64Array(n + 1).fill(NaN);
      gaussianOnGrid(out, 1, n, y0, h, m, v);
      for (let q = 0; q < n; q++) {
        const y = y0 + q * h;
        const want = direct(y, m, v);
        const got = out[1 + q];
        // exp's own result carries the rounding of its argument, so the error scales with it
        const exponent = (0.5 * (y - m) ** 2) / v;
        if (want < 1e-290) expect(got).toBeLessThan(1e-280);
        else expect(Math.abs(got - want) / want).toBeLessThan(1e-13 * (1 + exponent));
      }
    }
  });

  it('fills a grid of zero width with the density at its one point', () => {
    const out = new Float64Array(4);
    gaussianOnGrid(out, 0, 4, 1, 0, 1.5, 0.25);
    for (const v of out) expect(v).toBeCloseTo(direct(1, 1.5, 0.25), 14);
  });
});

describe('MSPE quadrature', () => {
  const law = compileLaw({ formula: 'a + b * x^c', params: { a: [-10, 10], b: [0.01, 10], c: [0.1, 3] }, features: ['x'] });
  const xs = Array.from({ length: 40 }, (_, i) => 1 + i / 4);
  const state: AcquisitionState = {
    law,
    pool: {
      X: [Float64Array.from(xs)],
      y: Float64Array.from(xs, (x) => 1 + 2 * Math.sqrt(x) + 0.05 * Math.sin(7 * x)),
      cost: Float64Array.from(xs, (x) => x),
      n: xs.length,
    },
    target: { X: [Float64Array.from([20, 25, 30])], n: 3 },
    selected: [0, 3, 6],
    candidates: xs.map((_, i) => i).slice(7),
    // two families that agree on the observed rows and disagree far out: two modes
    fits: [
      [1, 2, 0.5],
      [1.01, 1.98, 0.502],
      [-1.6, 4.4, 0.3],
      [-1.62, 4.41, 0.301],
    ],
    fitMse: [0.002, 0.0021, 0.0022, 0.0023],
    sigma2: 0.003,
    totalCost: xs.reduce((s, x) => s + x, 0),
  };

  it('scores every candidate alike by exp and by the recurrence (1e-9 relative) and picks the same one', () => {
    const prepared = prepareState(state);
    const modes = stateModes(prepared);
    expect(modes.modes.length).toBe(2);
    const ref = mspeScores(prepared, { modes, quadrature: 'reference' });
    const rec = mspeScores(prepared, { modes, quadrature: 'recurrence' });
    let inter = 0;
    for (let c = 0; c < ref.score.length; c++) {
      inter += ref.dvInter[c];
      expect(Math.abs(rec.dvInter[c] - ref.dvInter[c])).toBeLessThanOrEqual(1e-9 * Math.abs(ref.dvInter[c]) + 1e-300);
      expect(rec.dvIntra[c]).toBe(ref.dvIntra[c]);
    }
    expect(inter).toBeGreaterThan(0);
    expect(rec.pick).toBe(ref.pick);
  });

  /** The same state with every target and the law's offset moved by `shift`. */
  function shifted(shift: number): AcquisitionState {
    const moved = compileLaw({ formula: 'a + b * x^c', params: { a: [-100, 100], b: [0.01, 10], c: [0.1, 3] }, features: ['x'] });
    return {
      ...state,
      law: moved,
      pool: { ...state.pool, y: state.pool.y.map((v) => v + shift) },
      fits: state.fits.map(([a, b, c]) => [a + shift, b, c]),
    };
  }

  it('scores targets moved by a constant as before the move (1e-8 relative), below zero too', () => {
    const at = (shift: number) => mspeScores(prepareState(shifted(shift)), { quadrature: 'recurrence' });
    const base = at(0);
    for (const shift of [-10, -1e3 / 7, 25]) {
      const r = at(shift);
      expect(r.pick).toBe(base.pick);
      for (let c = 0; c < base.score.length; c++) {
        expect(Math.abs(r.dvInter[c] - base.dvInter[c])).toBeLessThanOrEqual(1e-8 * Math.abs(base.dvInter[c]));
        expect(r.dvInter[c]).toBeGreaterThanOrEqual(0);
      }
    }
    // the reference's floor at 0 is what broke this: its grid for targets near −10 is empty
    const floored = mspeScores(prepareState({ ...shifted(-10), yRange: quadratureRange(shifted(-10).pool.y, true) }), { quadrature: 'reference' });
    expect(floored.dvInter.some((v, c) => Math.abs(v - base.dvInter[c]) > 1e-3 * Math.abs(base.dvInter[c]))).toBe(true);
  });

  it('is invariant to any constant shift of the targets (property: 1e-8 relative, the same pick)', () => {
    const base = mspeScores(prepareState(shifted(0)), { quadrature: 'recurrence' });
    fc.assert(
      fc.property(fc.double({ min: -90, max: 90, noNaN: true }), (shift) => {
        const r = mspeScores(prepareState(shifted(shift)), { quadrature: 'recurrence' });
        if (r.pick !== base.pick) return false;
        return base.dvInter.every((v, c) => Math.abs(r.dvInter[c] - v) <= 1e-8 * Math.abs(v));
      }),
      { numRuns: 40, seed: 20261203 },
    );
  });
});
