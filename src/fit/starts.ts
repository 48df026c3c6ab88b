/** Starting points for multistart fits, drawn inside the parameter box. */
import type { Rng } from '../bench/seeds.js';
import type { Bounds } from '../laws/law.js';

/** θ uniform in [lo, hi] per parameter (the reference's baselines). */
export function uniformStarts(bounds: Bounds, count: number, rng: Rng): Float64Array[] {
  return Array.from({ length: count }, () => Float64Array.from(bounds, ([lo, hi]) => lo + (hi - lo) * rng()));
}

/**
 * θ log-uniform where the lower bound is positive, uniform otherwise (the reference's model-based
 * methods and all-data fit): scale parameters spanning decades get starts in every decade.
 */
export function logUniformStarts(bounds: Bounds, count: number, rng: Rng): Float64Array[] {
  return Array.from({ length: count }, () =>
    Float64Array.from(bounds, ([lo, hi]) => (lo > 0 ? Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng()) : lo + (hi - lo) * rng())),
  );
}
