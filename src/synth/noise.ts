/** The scenario noise model: seeded Gaussian draws, cost-dependent spread, and diverged runs. */
import type { Rng } from '../random/seeds.js';
import type { NoiseSpec } from './spec.js';

/**
 * One N(0, 1) draw by Marsaglia's polar method: it needs only sqrt (exactly rounded everywhere) and
 * log, not cos/sin, so fewer library functions stand between a seed and the written bytes.
 */
export function standardNormal(rng: Rng): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** The geometric mean of the costs: the cost at which a run's sd is exactly `noise.sd`. */
export function referenceCost(costs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < costs.length; i++) sum += Math.log(costs[i]);
  return Math.exp(sum / costs.length);
}

/** sd_i = sd · (cost_i / reference)^(−costPower). */
export function noiseSds(costs: ArrayLike<number>, noise: NoiseSpec, reference: number): Float64Array {
  return Float64Array.from({ length: costs.length }, (_, i) => noise.sd * Math.pow(costs[i] / reference, -noise.costPower));
}

/** `truth_i + sd_i · z_i`, one draw per row in row order. */
export function addNoise(truth: Float64Array, sds: Float64Array, rng: Rng): Float64Array {
  return truth.map((t, i) => t + sds[i] * standardNormal(rng));
}

/** `k` distinct indices of 0..n−1 (a partial Fisher–Yates shuffle), in increasing order. */
export function sampleIndices(n: number, k: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, k).sort((a, b) => a - b);
}
