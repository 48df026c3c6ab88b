/** What the surrogate reads of each curve, and how its posterior becomes a forecast. */
import { describe, expect, it } from 'vitest';
import { revealedPrefixes, type Curve } from './curves.js';
import { lmcForecaster, WINDOW, windowedPrefixes, type ForecastOutcome, type Forecaster } from './forecast.js';
import type { KeepContext, Strategy } from './schedule.js';
import { surrogateHalving } from './strategies/sh-lmc.js';
import { byObservedLoss } from './strategies/sh.js';
import { runHalvingUnit } from './unit.js';

/** Index of the last logged compute at or below c. */
const lastAt = (curve: Curve, c: number): number => {
  let k = 0;
  while (k + 1 < curve.compute.length && curve.compute[k + 1] <= c * (1 + 1e-12)) k++;
  return k;
};

function fitted(outcome: ForecastOutcome): Forecaster {
  if (outcome.status !== 'fitted') throw new Error(`expected a fitted surrogate, got ${outcome.status}`);
  return outcome.forecaster;
}

/** Curves logged at 40 log-spaced computes from 1 to 1e4: L = E_i + A (c)^(−0.3), model i's floor E_i. */
function powerCurves(floors: readonly number[], noise: (i: number, k: number) => number = () => 0): Curve[] {
  const compute = Float64Array.from({ length: 40 }, (_, k) => 10 ** ((4 * k) / 39));
  return floors.map((E, i) => ({
    model: `m${i}`,
    params: 1e7 * (i + 1),
    compute,
    loss: compute.map((c, k) => E + 3 * c ** -0.3 + noise(i, k)),
  }));
}

describe('revealedPrefixes', () => {
  it('reads from `from` on, shifting t to the smallest compute read', () => {
    const curves = powerCurves([1, 1.1]);
    const { t0, prefixes } = revealedPrefixes(curves, [100, 1000], 10);
    expect(t0).toBeCloseTo(Math.log(curves[0].compute.find((c) => c >= 10 * (1 - 1e-12))!), 12);
    expect(prefixes[0].t[0]).toBe(0);
    const last = (i: number) => Math.log(Math.max(...curves[i].compute.filter((c) => c <= [100, 1000][i] * (1 + 1e-12)))) - t0;
    expect(prefixes[0].t.at(-1)).toBeCloseTo(last(0), 12);
    expect(prefixes[1].t.at(-1)).toBeCloseTo(last(1), 12);
    expect(prefixes[0].y.length).toBe(curves[0].compute.filter((c) => c >= 10 * (1 - 1e-12) && c <= 100 * (1 + 1e-12)).length);
  });
});

describe('windowedPrefixes', () => {
  it(`starts every curve ${WINDOW}× below the least compute any model has had`, () => {
    const curves = powerCurves([1, 1.1, 1.2]);
    const spent = [300, 3000, 3000];
    const { t0, prefixes } = windowedPrefixes(curves, spent);
    const first = curves[0].compute.find((c) => c >= 300 / WINDOW)!;
    expect(Math.exp(t0)).toBeCloseTo(first, 9);
    expect(prefixes.map((p) => p.index)).toEqual([0, 1, 2]);
    for (const p of prefixes) expect(p.t[0]).toBeCloseTo(0, 12);
  });
});

describe('lmcForecaster', () => {
  it('forecasts a curve at its last observed compute as its last observed loss', () => {
    const curves = powerCurves([1, 1.05, 1.3], (i, k) => 0.01 * Math.sin(7 * i + 3 * k));
    const spent = [500, 500, 500];
    const forecaster = fitted(lmcForecaster(curves, spent, { seed: ['test'] }));
    curves.forEach((c, i) => {
      const k = lastAt(c, 500);
      expect(forecaster.forecast(i, c.compute[k])!.mean).toBeCloseTo(c.loss[k], 12);
    });
  });

  it('extrapolates noise-free power laws to a tenth of their remaining fall', () => {
    const curves = powerCurves([1, 1.05, 1.3]);
    const forecaster = fitted(lmcForecaster(curves, [300, 300, 300], { seed: ['test'] }));
    curves.forEach((c, i) => {
      const end = c.compute[c.compute.length - 1];
      const k = lastAt(c, 300);
      const fall = c.loss[k] - c.loss[c.loss.length - 1];
      expect(Math.abs(forecaster.forecast(i, end)!.mean - c.loss[c.loss.length - 1])).toBeLessThan(0.1 * fall);
    });
  });
});

describe('lmcForecaster outcomes', () => {
  it('is too-short, not an error, when no curve has two points to read', () => {
    const curves = powerCurves([1, 1.1]);
    expect(lmcForecaster(curves, [1, 1], { seed: ['test'] }).status).toBe('too-short');
  });
});

describe("a strategy's notes", () => {
  it('land in the seed record, in round order, and only when there are some', () => {
    const source = { kind: 'recorded' as const, set: { name: 'power', curves: powerCurves([1, 1.1, 1.2, 1.3]) } };
    const noting: Strategy = {
      name: 'noting',
      prunes: true,
      keep: (ctx) => {
        ctx.notes.push(`round ${ctx.round}: looked at ${ctx.survivors.length}`);
        return byObservedLoss(ctx);
      },
    };
    const config = { m0: 4, budget: 400, eta: 2, seed: 0 };
    expect(runHalvingUnit(source, noting, config, 0).notes).toEqual(['round 0: looked at 4', 'round 1: looked at 2']);
    expect(runHalvingUnit(source, { ...noting, keep: byObservedLoss }, config, 0)).not.toHaveProperty('notes');
  });
});

describe('SH-LMC in the last round', () => {
  it('keeps the model with the lowest last loss when nothing is left to extrapolate', () => {
    // two curves whose last losses are 0.02 apart but whose earlier stretches differ in shape
    const curves = powerCurves([1.02, 1], (i, k) => (i === 1 ? 0.3 * Math.exp(-k / 4) : 0));
    const spent = Float64Array.from([1e4, 1e4]);
    const ctx: KeepContext = { curves, spent, survivors: [0, 1], keep: 1, finalCompute: 1e4, round: 2, seedPath: ['test'], memory: new Map(), notes: [] };
    expect(surrogateHalving.keep(ctx)[0]).toBe(1);
  });
});
