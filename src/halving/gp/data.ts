/**
 * What the learning-curve Gaussian process is fitted to: the curves, each thinned to a few points
 * evenly spaced in log-compute, concatenated curve after curve, with the losses normalised.
 */

/** One learning curve: t = log-compute shifted so the smallest compute over all curves is 0, y = loss. */
export interface CurveData {
  t: Float64Array;
  y: Float64Array;
}

/** Curves thinned, concatenated curve after curve, and normalised: what the likelihood sees. */
export interface LmcData {
  /** M, the number of curves. */
  readonly curves: number;
  /** N, the number of points over all curves. */
  readonly n: number;
  /** Points of curve i are start[i] ≤ p < start[i + 1] (length M + 1). */
  readonly start: Int32Array;
  readonly t: Float64Array;
  /** Normalised losses. */
  readonly y: Float64Array;
  readonly yMean: number;
  readonly yStd: number;
}

/** Points kept per curve by default: enough to follow a curve's bend, few enough for a dense N³ solve. */
export const DEFAULT_MAX_POINTS = 20;

/**
 * Indices of at most m of the n sorted positions t[order[·]], the ones nearest to m targets evenly
 * spaced from the first t to the last. Each pick is kept after the previous and leaves room for the
 * picks still to come, so the result is strictly increasing and its last entry is n − 1.
 */
function thin(t: Float64Array, order: Int32Array, m: number): Int32Array {
  const n = order.length;
  if (n <= m) return Int32Array.from({ length: n }, (_, k) => k);
  const picked = new Int32Array(m);
  if (m === 1) {
    picked[0] = n - 1;
    return picked;
  }
  const t0 = t[order[0]];
  const step = (t[order[n - 1]] - t0) / (m - 1);
  let prev = -1;
  for (let k = 0; k < m; k++) {
    const target = t0 + k * step;
    const hi = n - (m - k);
    let best = prev + 1;
    for (let j = best + 1; j <= hi; j++) {
      if (Math.abs(t[order[j]] - target) < Math.abs(t[order[best]] - target)) best = j;
    }
    picked[k] = best;
    prev = best;
  }
  return picked;
}

/**
 * Sorts each curve by t, thins it to at most `maxPointsPerCurve` points (evenly spaced in t, the
 * last point always kept), concatenates the curves and normalises the losses,
 * y ↦ (y − ȳ) / s with ȳ and s the mean and (population) standard deviation of all kept losses
 * (s = 1 when they do not vary). Throws a RangeError for mismatched lengths, a non-finite value or
 * t < 0, or when no curve has a point.
 */
export function prepareLmcData(curves: readonly CurveData[], maxPointsPerCurve: number = DEFAULT_MAX_POINTS): LmcData {
  if (!Number.isInteger(maxPointsPerCurve) || maxPointsPerCurve < 1) {
    throw new RangeError(`LMC: maxPointsPerCurve must be a positive integer, got ${maxPointsPerCurve}`);
  }
  const M = curves.length;
  if (M === 0) throw new RangeError('LMC: no curves');
  const kept: { t: Float64Array; y: Float64Array }[] = [];
  let n = 0;
  for (let i = 0; i < M; i++) {
    const { t, y } = curves[i];
    if (t.length !== y.length) throw new RangeError(`LMC: curve ${i} has ${t.length} t values but ${y.length} losses`);
    for (let k = 0; k < t.length; k++) {
      if (!Number.isFinite(t[k]) || t[k] < 0) throw new RangeError(`LMC: curve ${i} has t = ${t[k]} (must be finite and ≥ 0)`);
      if (!Number.isFinite(y[k])) throw new RangeError(`LMC: curve ${i} has a non-finite loss ${y[k]}`);
    }
    const order = Int32Array.from({ length: t.length }, (_, k) => k).sort((a, b) => t[a] - t[b]);
    const picks = thin(t, order, maxPointsPerCurve);
    const ti = new Float64Array(picks.length);
    const yi = new Float64Array(picks.length);
    for (let k = 0; k < picks.length; k++) {
      ti[k] = t[order[picks[k]]];
      yi[k] = y[order[picks[k]]];
    }
    kept.push({ t: ti, y: yi });
    n += picks.length;
  }
  if (n === 0) throw new RangeError('LMC: the curves have no points');

  const start = new Int32Array(M + 1);
  const t = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < M; i++) {
    start[i + 1] = start[i] + kept[i].t.length;
    t.set(kept[i].t, start[i]);
    y.set(kept[i].y, start[i]);
  }
  let mean = 0;
  for (let p = 0; p < n; p++) mean += y[p];
  mean /= n;
  let ss = 0;
  for (let p = 0; p < n; p++) ss += (y[p] - mean) ** 2;
  let std = Math.sqrt(ss / n);
  // A spread at rounding level would blow rounding noise up to unit variance; treat it as none.
  if (!(std > 1e-12 * Math.max(1, Math.abs(mean)))) std = 1;
  for (let p = 0; p < n; p++) y[p] = (y[p] - mean) / std;
  return { curves: M, n, start, t, y, yMean: mean, yStd: std };
}
