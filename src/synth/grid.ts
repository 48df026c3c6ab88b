/** Grids of experiments: evenly spaced axes and their Cartesian product, as feature columns. */
import type { GridAxis } from './spec.js';

/** The axis values; the ends are exactly `from` and `to` (no exp(log(x)) round-off at the ends). */
export function axisValues(axis: GridAxis): Float64Array {
  const { from, to, points, scale } = axis;
  const out = new Float64Array(points);
  if (points === 1) {
    out[0] = from;
    return out;
  }
  const [a, b] = scale === 'log' ? [Math.log(from), Math.log(to)] : [from, to];
  for (let k = 0; k < points; k++) {
    const t = a + ((b - a) * k) / (points - 1);
    out[k] = scale === 'log' ? Math.exp(t) : t;
  }
  out[0] = from;
  out[points - 1] = to;
  return out;
}

/**
 * The Cartesian product of the axes as one column per feature; the first feature varies slowest,
 * so the rows read like nested loops in feature order.
 */
export function gridColumns(features: readonly string[], axes: Readonly<Record<string, GridAxis>>): Float64Array[] {
  const values = features.map((f) => axisValues(axes[f]));
  const n = values.reduce((p, v) => p * v.length, 1);
  const columns = values.map(() => new Float64Array(n));
  let stride = n;
  values.forEach((v, f) => {
    stride /= v.length;
    for (let i = 0; i < n; i++) columns[f][i] = v[Math.floor(i / stride) % v.length];
  });
  return columns;
}
