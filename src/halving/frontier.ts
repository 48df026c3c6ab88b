/**
 * The compute–loss frontier L(C) = (C/α)^(−γ), fitted by least squares in log–log space to the
 * lower envelope of the observed curves (the best loss seen at or below each compute), and the
 * area between two such laws over a compute interval, on log-compute.
 */
import { revealed, type Curve } from './curves.js';

export interface FrontierLaw {
  alpha: number;
  gamma: number;
  /** Envelope points it was fitted on. */
  points: number;
}

export const frontierLoss = (law: FrontierLaw, c: number) => (c / law.alpha) ** -law.gamma;

/** Points (C, L) of the curves, each revealed up to `upTo[i]` (all of it when absent), that lie below everything at smaller compute. */
export function lowerEnvelope(curves: readonly Curve[], upTo?: ArrayLike<number>, values?: (c: Curve) => Float64Array): { c: number[]; l: number[] } {
  const pts: [number, number][] = [];
  curves.forEach((curve, i) => {
    const n = upTo ? revealed(curve, upTo[i]) : curve.compute.length;
    const v = values ? values(curve) : curve.loss;
    for (let k = 0; k < n; k++) pts.push([curve.compute[k], v[k]]);
  });
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const c: number[] = [];
  const l: number[] = [];
  let best = Infinity;
  for (const [x, y] of pts) {
    if (y < best) {
      best = y;
      c.push(x);
      l.push(y);
    }
  }
  return { c, l };
}

/** log L = −γ log C + γ log α, by ordinary least squares on the envelope; null with fewer than two points. */
export function fitFrontier(envelope: { c: number[]; l: number[] }): FrontierLaw | null {
  const n = envelope.c.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let k = 0; k < n; k++) {
    sx += Math.log(envelope.c[k]);
    sy += Math.log(envelope.l[k]);
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    const dx = Math.log(envelope.c[k]) - mx;
    sxy += dx * (Math.log(envelope.l[k]) - my);
    sxx += dx * dx;
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  const gamma = -slope;
  // intercept = γ log α  ⇒  log α = (my − slope·mx) / γ
  if (gamma === 0) return null;
  const alpha = Math.exp((my - slope * mx) / gamma);
  return { alpha, gamma, points: n };
}

/** ∫ |L_a(C) − L_b(C)| d log C over [lo, hi], trapezoid on `steps` log-spaced intervals. */
export function areaBetween(a: FrontierLaw, b: FrontierLaw, lo: number, hi: number, steps = 400): number {
  const x0 = Math.log(lo);
  const h = (Math.log(hi) - x0) / steps;
  let area = 0;
  for (let k = 0; k <= steps; k++) {
    const c = Math.exp(x0 + k * h);
    const w = k === 0 || k === steps ? 0.5 : 1;
    area += w * Math.abs(frontierLoss(a, c) - frontierLoss(b, c));
  }
  return area * h;
}
