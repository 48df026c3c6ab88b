/**
 * The benchmark's score: one R² over the concatenated target-region predictions of all groups,
 * clipped to [−1, 1]. A group without a fit or with a non-finite prediction is left out; with no
 * usable group the score is −1 (the reference's rules).
 */
import type { GroupData } from '../data/dataset.js';
import type { Law } from '../laws/law.js';

/** The smallest sum of squares that counts as spread: below it the target region has none. */
export const TINY = 1e-30;

export function rSquared(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  const n = truth.length;
  if (n === 0) return -1;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (truth[i] - pred[i]) ** 2;
    ssTot += (truth[i] - mean) ** 2;
  }
  const r2 = ssTot < TINY ? (ssRes < TINY ? 1 : -1) : 1 - ssRes / ssTot;
  return Number.isFinite(r2) ? Math.min(1, Math.max(-1, r2)) : -1;
}

/** Target-region predictions of one group's fit, or null when any is not finite. */
export function targetPredictions(law: Law, group: GroupData, theta: ArrayLike<number>): Float64Array | null {
  const out = new Float64Array(group.target.n * law.outputs);
  law.bind(group.target.X).value(theta, out);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) return null;
  return out;
}

export function taskR2(law: Law, groups: readonly GroupData[], thetas: readonly (ArrayLike<number> | null)[]): number {
  const truth: number[] = [];
  const pred: number[] = [];
  groups.forEach((g, k) => {
    const theta = thetas[k];
    if (!theta) return;
    const p = targetPredictions(law, g, theta);
    if (!p) return;
    for (let i = 0; i < p.length; i++) {
      pred.push(p[i]);
      truth.push(g.target.y[i]);
    }
  });
  return pred.length ? rSquared(truth, pred) : -1;
}
