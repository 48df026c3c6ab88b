/**
 * Starts that converged to the same optimum, recognised as one: a converging fitter's 64 starts
 * typically land on a handful of local optima, and MSPE's modes should be those optima, each once,
 * not 64 copies weighted by how many starts happened to fall in each basin.
 *
 * Two fits are the same optimum when every parameter agrees to THETA_RTOL of its size or THETA_ATOL
 * of its box width (1 where the box is infinite), and their losses agree to LOSS_RTOL or the
 * parameters agree to THETA_TIGHT (two exact fits' losses are rounding noise, without relative
 * precision).
 */
import type { Bounds } from '../laws/law.js';
import type { StartFit } from './types.js';

/** A converged loss is known to about the fitter's ftol; two optima closer than this are one. */
export const LOSS_RTOL = 1e-6;
export const THETA_RTOL = 1e-3;
export const THETA_ATOL = 1e-6;
/** Parameters this close are one point whatever their losses say. */
export const THETA_TIGHT = 1e-6;

export function sameOptimum(a: StartFit, b: StartFit, bounds: Bounds): boolean {
  // a loss at rounding level (an exact fit) has no relative precision: there the point decides
  const lossesAgree = Math.abs(a.loss - b.loss) <= LOSS_RTOL * Math.max(Math.abs(a.loss), Math.abs(b.loss));
  let tight = true;
  for (let j = 0; j < a.theta.length; j++) {
    const width = bounds[j][1] - bounds[j][0];
    const size = Math.max(Math.abs(a.theta[j]), Math.abs(b.theta[j]));
    const floor = THETA_ATOL * (Number.isFinite(width) ? width : 1);
    const gap = Math.abs(a.theta[j] - b.theta[j]);
    if (!(gap <= THETA_RTOL * size + floor)) return false;
    if (!(gap <= THETA_TIGHT * size + floor)) tight = false;
  }
  return lossesAgree || tight;
}

/**
 * The fits with every repeat of an optimum removed: of each group of the same optimum the one with
 * the lowest loss stays, at its place in start order. Failed fits (NaN loss) are kept as they are.
 */
export function distinctOptima(fits: readonly StartFit[], bounds: Bounds): StartFit[] {
  const order = fits
    .map((_, i) => i)
    .filter((i) => Number.isFinite(fits[i].loss))
    .sort((a, b) => fits[a].loss - fits[b].loss || a - b);
  const kept: number[] = [];
  for (const i of order) if (!kept.some((k) => sameOptimum(fits[k], fits[i], bounds))) kept.push(i);
  const keep = new Set(kept);
  return fits.filter((f, i) => keep.has(i) || !Number.isFinite(f.loss));
}
