/**
 * Learning curves as an oracle: "training model m to compute C" reveals its logged points up to C.
 * Curves come from a recorded CSV (`model, params, compute, loss`, extra columns ignored) or from
 * the synthetic generator; either way they are complete in memory and revealed by prefix.
 */
import { DataError, numericColumn, readTable, textColumn } from '../data/table.js';

export interface Curve {
  model: string;
  /** Model size (parameters). */
  params: number;
  /** Logged compute, strictly increasing. */
  compute: Float64Array;
  /** Observed loss at each logged compute (with noise, for synthetic curves). */
  loss: Float64Array;
  /** Noise-free loss (synthetic curves only), for the metrics. */
  truth?: Float64Array;
}

export interface CurveSet {
  /** Names the source in result folders: the file's base name, or `synthetic-<spec>`. */
  name: string;
  curves: Curve[];
}

/** How many of the curve's points lie at or below compute c. */
export function revealed(curve: Curve, c: number): number {
  let lo = 0;
  let hi = curve.compute.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (curve.compute[mid] <= c * (1 + 1e-12)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The loss a curve would show when trained to compute c: its last point at or below c (NaN before the first). */
export function lossAt(curve: Curve, c: number, values: Float64Array = curve.loss): number {
  const k = revealed(curve, c);
  return k === 0 ? NaN : values[k - 1];
}

/** A curve's revealed points in log-compute, shifted so that the earliest revealed point of any curve is at t = 0. */
export interface Prefix {
  /** Index of the curve. */
  index: number;
  t: Float64Array;
  y: Float64Array;
}

/**
 * The revealed prefixes of the curves trained so far (`spent[i]` compute each; all of every curve
 * without it), as the learning-curve surrogates read them, from compute `from` on when it is given;
 * curves with nothing to read are left out. t0 is the shift: log of the smallest compute read.
 */
export function revealedPrefixes(curves: readonly Curve[], spent?: ArrayLike<number>, from = 0): { t0: number; prefixes: Prefix[] } {
  const end = curves.map((c, i) => (spent ? revealed(c, spent[i]) : c.compute.length));
  const begin = curves.map((c, i) => {
    let k = 0;
    while (k < end[i] && c.compute[k] < from * (1 - 1e-12)) k++;
    return k;
  });
  let t0 = Infinity;
  curves.forEach((c, i) => {
    if (end[i] > begin[i]) t0 = Math.min(t0, Math.log(c.compute[begin[i]]));
  });
  const prefixes: Prefix[] = [];
  curves.forEach((c, index) => {
    if (end[index] > begin[index]) {
      const compute = c.compute.subarray(begin[index], end[index]);
      prefixes.push({ index, t: Float64Array.from(compute, (x) => Math.log(x) - t0), y: c.loss.slice(begin[index], end[index]) });
    }
  });
  return { t0, prefixes };
}

export async function readCurves(file: string): Promise<CurveSet> {
  const data = await readTable(file);
  if (data.numRows === 0) throw new DataError(file, 'no rows');
  const model = textColumn(data, 'model');
  const params = numericColumn(data, 'params');
  const compute = numericColumn(data, 'compute');
  const loss = numericColumn(data, 'loss');
  const rowsOf = new Map<string, number[]>();
  for (let r = 0; r < data.numRows; r++) {
    if (model[r].trim() === '') throw new DataError(file, 'empty model name', r + 1, 'model');
    if (!(compute[r] > 0)) throw new DataError(file, `compute must be > 0, got ${compute[r]}`, r + 1, 'compute');
    if (!(loss[r] >= 0)) throw new DataError(file, `loss must be ≥ 0, got ${loss[r]}`, r + 1, 'loss');
    if (!(params[r] > 0)) throw new DataError(file, `params must be > 0, got ${params[r]}`, r + 1, 'params');
    let rows = rowsOf.get(model[r]);
    if (!rows) rowsOf.set(model[r], (rows = []));
    rows.push(r);
  }
  const curves: Curve[] = [];
  for (const [name, rows] of rowsOf) {
    if (rows.length < 2) throw new DataError(file, `model '${name}' has one point; a curve needs at least two`, rows[0] + 1, 'model');
    for (let k = 1; k < rows.length; k++) {
      if (!(compute[rows[k]] > compute[rows[k - 1]])) {
        throw new DataError(file, `compute of model '${name}' does not increase (${compute[rows[k]]} after ${compute[rows[k - 1]]})`, rows[k] + 1, 'compute');
      }
      if (params[rows[k]] !== params[rows[0]]) throw new DataError(file, `model '${name}' changes its params`, rows[k] + 1, 'params');
    }
    curves.push({ model: name, params: params[rows[0]], compute: Float64Array.from(rows, (r) => compute[r]), loss: Float64Array.from(rows, (r) => loss[r]) });
  }
  const base = file
    .split(/[\\/]/)
    .pop()!
    .replace(/\.(csv|parquet)$/i, '');
  return { name: base, curves };
}
