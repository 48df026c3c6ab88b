/** Starting points for multistart fits, drawn inside the parameter box. */
import type { Rng } from '../random/seeds.js';
import type { Bounds, Law } from '../laws/law.js';

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

/**
 * Why starts cannot be drawn for this law under this fitter, or null: every parameter the fitter
 * starts from needs a finite box (trf solves the linear parameters, so only its nonlinear ones do).
 */
export function startProblem(law: Pick<Law, 'id' | 'params' | 'bounds' | 'linear'>, fitter: string): string | null {
  const solved = new Set(fitter === 'trf' ? law.linear : []);
  const open = law.params.filter((_, j) => !solved.has(j) && !(Number.isFinite(law.bounds[j][0]) && Number.isFinite(law.bounds[j][1])));
  if (open.length === 0) return null;
  const which = open.map((p) => `'${p}'`).join(', ');
  return fitter === 'trf'
    ? `law ${law.id}: parameter${open.length > 1 ? 's' : ''} ${which} ${open.length > 1 ? 'are' : 'is'} nonlinear and ${open.length > 1 ? 'have' : 'has'} an infinite bound, so no start can be drawn; give ${open.length > 1 ? 'them' : 'it'} a finite [lo, hi]`
    : `law ${law.id}: parameter${open.length > 1 ? 's' : ''} ${which} ${open.length > 1 ? 'have' : 'has'} an infinite bound, so no start can be drawn; give ${open.length > 1 ? 'them' : 'it'} a finite [lo, hi]${law.linear.length ? ' (or use --fitter trf, which needs finite bounds on nonlinear parameters only)' : ''}`;
}
