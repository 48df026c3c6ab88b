/** The synthetic generator: its truth, its noise statistics, and its seeding. */
import { describe, expect, it } from 'vitest';
import { rngFor } from '../random/seeds.js';
import { noisePath, parseSyntheticSpec, syntheticCurves, DEFAULT_SPEC } from './synthetic.js';

const mean = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => s + v, 0) / x.length;
const sd = (x: ArrayLike<number>) => {
  const m = mean(x);
  return Math.sqrt(mean(Array.from(x, (v) => (v - m) ** 2)));
};

describe('noisePath', () => {
  const logC = Float64Array.from({ length: 20000 }, (_, k) => k * 0.01);

  it('white noise has mean 0, sd = scale and no correlation between neighbours', () => {
    const x = noisePath('white', 0.02, logC, rngFor(['t', 1]));
    expect(Math.abs(mean(x))).toBeLessThan(0.001);
    expect(sd(x) / 0.02).toBeCloseTo(1, 1);
    let c = 0;
    for (let k = 1; k < x.length; k++) c += x[k] * x[k - 1];
    expect(Math.abs(c / (x.length - 1) / 0.02 ** 2)).toBeLessThan(0.05);
  });

  it('Ornstein–Uhlenbeck noise keeps sd = scale and correlates neighbours by exp(−Δ)', () => {
    const x = noisePath('ou', 0.02, logC, rngFor(['t', 2]));
    expect(sd(x) / 0.02).toBeCloseTo(1, 1);
    let c = 0;
    for (let k = 1; k < x.length; k++) c += x[k] * x[k - 1];
    expect(c / (x.length - 1) / sd(x) ** 2).toBeCloseTo(Math.exp(-0.01), 1);
  });

  it('Brownian noise grows: increments over a unit of log-compute have sd = scale', () => {
    const x = noisePath('brownian', 0.02, logC, rngFor(['t', 3]));
    const inc = Array.from({ length: 199 }, (_, k) => x[(k + 1) * 100] - x[k * 100]);
    expect(sd(inc) / 0.02).toBeCloseTo(1, 0);
    expect(x[0]).toBe(0);
  });
});

describe('syntheticCurves', () => {
  it('small models lead early and large ones win late, in the noise-free truth', () => {
    const { curves } = syntheticCurves(DEFAULT_SPEC, 5, [1]);
    const first = curves.map((c) => c.truth![40]);
    const last = curves.map((c) => c.truth![c.truth!.length - 1]);
    expect(first.indexOf(Math.min(...first))).toBeLessThan(2);
    expect(last.indexOf(Math.min(...last))).toBe(4);
  });

  it('is the same for the same seed and differs for another', () => {
    const a = syntheticCurves(DEFAULT_SPEC, 3, [1]).curves[2].loss;
    expect(Array.from(syntheticCurves(DEFAULT_SPEC, 3, [1]).curves[2].loss)).toEqual(Array.from(a));
    expect(Array.from(syntheticCurves(DEFAULT_SPEC, 3, [2]).curves[2].loss)).not.toEqual(Array.from(a));
  });

  it('parses a spec and names a bad key', () => {
    expect(parseSyntheticSpec('noise=ou,scale=0.05,points=50')).toMatchObject({ noise: 'ou', scale: 0.05, points: 50 });
    expect(() => parseSyntheticSpec('noise=pink')).toThrow(/noise=pink/);
    expect(() => parseSyntheticSpec('colour=red')).toThrow(/colour=red/);
  });
});
