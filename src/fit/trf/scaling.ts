/** Vector helpers of the trust-region solver, and Coleman–Li's scaling of the variables towards the bounds. */
import type { TrfWorkspace } from './workspace.js';

/** A start closer than this (relative to max(1, |bound|)) to a bound is moved that far inside. */
const START_OFFSET = 1e-10;

/** Euclidean norm of a[offset..offset + len), rescaled when the plain sum of squares overflows. */
export function norm(a: Float64Array, len: number, offset = 0): number {
  const end = offset + len;
  let s = 0;
  for (let i = offset; i < end; i++) s += a[i] * a[i];
  if (s < Infinity) return Math.sqrt(s);
  if (Number.isNaN(s)) return NaN;
  let big = 0;
  for (let i = offset; i < end; i++) big = Math.max(big, Math.abs(a[i]));
  if (big === Infinity) return Infinity;
  let t = 0;
  for (let i = offset; i < end; i++) t += (a[i] / big) ** 2;
  return big * Math.sqrt(t);
}

export function dot(a: Float64Array, b: Float64Array, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[i] * b[i];
  return s;
}

export function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** The double next to `from` in the direction of `toward` (C's nextafter); from ≠ toward, neither NaN. */
function nextToward(ws: TrfWorkspace, from: number, toward: number): number {
  if (from === 0) return toward > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const { ulpF, ulpW, ulpLow } = ws;
  const ulpHigh = 1 - ulpLow;
  ulpF[0] = from;
  // The magnitude's bit pattern is monotone in the magnitude, so ±1 on it moves by one ulp.
  if (toward > from === from > 0) {
    ulpW[ulpLow] = ulpW[ulpLow] + 1;
    if (ulpW[ulpLow] === 0) ulpW[ulpHigh] = ulpW[ulpHigh] + 1;
  } else {
    if (ulpW[ulpLow] === 0) ulpW[ulpHigh] = ulpW[ulpHigh] - 1;
    ulpW[ulpLow] = ulpW[ulpLow] - 1;
  }
  return ulpF[0];
}

/**
 * Moves a start that lies within START_OFFSET·max(1, |bound|) of a finite bound that far inside,
 * or to the middle of a box too narrow for that (scipy's make_strictly_feasible with rstep 1e-10).
 */
export function moveInsideStart(x: Float64Array, lo: Float64Array, hi: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const l = lo[i];
    const u = hi[i];
    const toLower = x[i] - l;
    const toUpper = u - x[i];
    const lowerTol = START_OFFSET * Math.max(1, Math.abs(l));
    const upperTol = START_OFFSET * Math.max(1, Math.abs(u));
    // The nearer bound wins; on a tie the upper one, as in scipy.
    if (Number.isFinite(u) && toUpper <= Math.min(toLower, upperTol)) x[i] = u - upperTol;
    else if (Number.isFinite(l) && toLower <= Math.min(toUpper, lowerTol)) x[i] = l + lowerTol;
    if (x[i] < l || x[i] > u) x[i] = 0.5 * (l + u);
  }
}

/** A trial point on or beyond a bound goes one ulp inside it (make_strictly_feasible with rstep 0). */
export function moveInsideTrial(ws: TrfWorkspace, x: Float64Array): void {
  const { lo, hi } = ws;
  for (let i = 0; i < ws.n; i++) {
    const l = lo[i];
    const u = hi[i];
    if (x[i] >= u) x[i] = nextToward(ws, u, l);
    else if (x[i] <= l) x[i] = nextToward(ws, l, u);
    if (x[i] < l || x[i] > u) x[i] = 0.5 * (l + u);
  }
}

/** v and dv of Coleman–Li at the current point, from the sign of the gradient. */
export function scalingVector(ws: TrfWorkspace): void {
  const { x, g, lo, hi, v, dv } = ws;
  for (let i = 0; i < ws.n; i++) {
    v[i] = 1;
    dv[i] = 0;
    if (g[i] < 0 && hi[i] < Infinity) {
      v[i] = hi[i] - x[i];
      dv[i] = -1;
    }
    if (g[i] > 0 && lo[i] > -Infinity) {
      v[i] = x[i] - lo[i];
      dv[i] = 1;
    }
  }
}

/** g = Jᵀr and the running column-norm scale at the current point. */
export function gradientAndScale(ws: TrfWorkspace, first: boolean): void {
  const { n, m, J, r, g, scaleInv } = ws;
  g.fill(0);
  for (let j = 0; j < n; j++) ws.s[j] = 0;
  for (let i = 0; i < m; i++) {
    const ri = r[i];
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const a = J[row + j];
      g[j] += a * ri;
      ws.s[j] += a * a;
    }
  }
  for (let j = 0; j < n; j++) {
    const c = Math.sqrt(ws.s[j]);
    // A column that starts at zero gets unit scale; later ones only ever grow the scale, so the
    // trust region never widens along a variable because its sensitivity dropped.
    scaleInv[j] = first ? (c === 0 ? 1 : c) : Math.max(c, scaleInv[j]);
  }
}
