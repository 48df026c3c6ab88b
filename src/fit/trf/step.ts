/**
 * The trust-region step in hat variables (Moré's iteration on the Levenberg–Marquardt parameter α)
 * and the choice among the step cut back at the first bound, its reflection, and the constrained
 * Cauchy step.
 */
import { applyV } from './svd.js';
import { dot, norm } from './scaling.js';
import type { TrfWorkspace } from './workspace.js';

/** Moré's iteration stops when |‖p‖ − Δ| < MORE_RTOL·Δ or after MORE_MAX_ITERATIONS. */
const MORE_RTOL = 0.01;
const MORE_MAX_ITERATIONS = 10;
/** When α falls outside its bracket [l, u] it restarts at max(ALPHA_RESTART·u, √(l·u)). */
const ALPHA_RESTART = 0.001;

/** pH = −V·(suf / (σ² + α)), or the Gauss–Newton step −V·(uf / σ). */
function regularizedStep(ws: TrfWorkspace, alpha: number, gaussNewton: boolean): void {
  const { n, s, suf, pH, uf } = ws;
  for (let j = 0; j < n; j++) {
    // Gauss–Newton divides uf by σ once rather than σ·uf by σ², so a small σ does not square the error.
    pH[j] = -(gaussNewton ? uf[j] / s[j] : suf[j] / (s[j] * s[j] + alpha));
  }
  applyV(ws, pH);
}

/**
 * The hat-space trust-region step into ws.pH: the Gauss–Newton step when J has full rank and it
 * fits in Δ, otherwise the regularised step with ‖p‖ = Δ (to MORE_RTOL) from Moré's iteration
 * on α started at `alphaStart`. Returns the new α (0 for the Gauss–Newton step).
 */
export function trustRegionStep(ws: TrfWorkspace, delta: number, alphaStart: number): number {
  const { n, s, suf, pH } = ws;
  const sufNorm = norm(suf, n);
  if (sufNorm === 0) {
    // Zero hat gradient: the model is flat in every direction that matters; no step.
    pH.fill(0);
    return alphaStart;
  }
  if (ws.fullRank) {
    regularizedStep(ws, 0, true);
    if (norm(pH, n) <= delta) return 0;
  }
  let alphaUpper = sufNorm / delta;
  let alphaLower = 0;
  if (ws.fullRank) {
    // One Newton step on φ from α = 0 undershoots the root (φ is convex), so it bounds α below.
    let sq = 0;
    let cube = 0;
    for (let j = 0; j < n; j++) {
      const s2 = s[j] * s[j];
      sq += (suf[j] / s2) ** 2;
      cube += (suf[j] * suf[j]) / (s2 * s2 * s2);
    }
    const pn = Math.sqrt(sq);
    alphaLower = -(pn - delta) / (-cube / pn);
  }
  let alpha = alphaStart;
  if (!ws.fullRank && alpha === 0) alpha = Math.max(ALPHA_RESTART * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
  for (let it = 0; it < MORE_MAX_ITERATIONS; it++) {
    if (alpha < alphaLower || alpha > alphaUpper) alpha = Math.max(ALPHA_RESTART * alphaUpper, Math.sqrt(alphaLower * alphaUpper));
    let sq = 0;
    let cube = 0;
    for (let j = 0; j < n; j++) {
      const den = s[j] * s[j] + alpha;
      sq += (suf[j] / den) ** 2;
      cube += (suf[j] * suf[j]) / (den * den * den);
    }
    const pn = Math.sqrt(sq);
    const phi = pn - delta;
    const phiPrime = -cube / pn;
    if (phi < 0) alphaUpper = alpha;
    const ratio = phi / phiPrime;
    alphaLower = Math.max(alphaLower, alpha - ratio);
    // Newton on 1/‖p‖ − 1/Δ rather than on φ: it is nearly linear in α, so this converges fast.
    alpha -= ((phi + delta) * ratio) / delta;
    if (Math.abs(phi) < MORE_RTOL * delta) break;
  }
  regularizedStep(ws, alpha, false);
  // Land exactly on the sphere so that the later reflection starts from inside it.
  const scale = delta / norm(pH, n);
  for (let i = 0; i < n; i++) pH[i] *= scale;
  return alpha;
}

// ---------------------------------------------------------------------------------------------
// Step selection: cut-back trust-region step, reflected step, constrained Cauchy step.

/** out = (J·d)·s, the hat Jacobian times s. */
function hatJacobianTimes(ws: TrfWorkspace, sv: Float64Array, out: Float64Array): void {
  const { n, m, J, d } = ws;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += J[row + j] * (d[j] * sv[j]);
    out[i] = sum;
  }
}

/** The model ½·sᵀ(J_hᵀJ_h + C)s + g_hᵀs of the hat step s. */
function modelValue(ws: TrfWorkspace, sv: Float64Array): number {
  const { n, m, Js, diagH, gH } = ws;
  hatJacobianTimes(ws, sv, Js);
  let q = dot(Js, Js, m);
  for (let j = 0; j < n; j++) q += sv[j] * diagH[j] * sv[j];
  return 0.5 * q + dot(sv, gH, n);
}

/** The model along s0 + t·dir as qa·t² + qb·t + qc (qc only with s0). */
function modelAlong(ws: TrfWorkspace, dir: Float64Array, s0: Float64Array | null): void {
  const { n, m, Js, Js0, diagH, gH } = ws;
  hatJacobianTimes(ws, dir, Js);
  let a = dot(Js, Js, m);
  for (let j = 0; j < n; j++) a += dir[j] * diagH[j] * dir[j];
  ws.qa = 0.5 * a;
  ws.qb = dot(gH, dir, n);
  ws.qc = 0;
  if (s0) {
    hatJacobianTimes(ws, s0, Js0);
    ws.qb += dot(Js0, Js, m);
    ws.qc = 0.5 * dot(Js0, Js0, m) + dot(gH, s0, n);
    let b = 0;
    let c = 0;
    for (let j = 0; j < n; j++) {
      b += s0[j] * diagH[j] * dir[j];
      c += s0[j] * diagH[j] * s0[j];
    }
    ws.qb += b;
    ws.qc += 0.5 * c;
  }
}

/** Minimiser over [lo, hi] (finite) of the quadratic in ws.qa/qb/qc; its value goes to ws.qMin. Ties go to lo, then hi. */
function minimizeAlong(ws: TrfWorkspace, lo: number, hi: number): number {
  const { qa, qb, qc } = ws;
  let best = lo;
  let bestValue = lo * (qa * lo + qb) + qc;
  const hiValue = hi * (qa * hi + qb) + qc;
  if (hiValue < bestValue) {
    best = hi;
    bestValue = hiValue;
  }
  if (qa !== 0) {
    const t = (-0.5 * qb) / qa;
    if (lo < t && t < hi) {
      const value = t * (qa * t + qb) + qc;
      if (value < bestValue) {
        best = t;
        bestValue = value;
      }
    }
  }
  ws.qMin = bestValue;
  return best;
}

/**
 * Largest t ≥ 0 with x + t·dir in the box (Infinity when dir is zero or the box is open along
 * it). With `hits`, marks the variables that reach their bound at that t (sign of dir there).
 */
function stepToBound(ws: TrfWorkspace, x: Float64Array, dir: Float64Array, hits: Int8Array | null): number {
  const { n, lo, hi } = ws;
  let tMin = Infinity;
  for (let i = 0; i < n; i++) {
    if (dir[i] === 0) continue;
    const t = Math.max((lo[i] - x[i]) / dir[i], (hi[i] - x[i]) / dir[i]);
    if (t < tMin) tMin = t;
  }
  if (hits) {
    for (let i = 0; i < n; i++) {
      hits[i] = 0;
      if (dir[i] === 0) continue;
      const t = Math.max((lo[i] - x[i]) / dir[i], (hi[i] - x[i]) / dir[i]);
      if (t === tMin) hits[i] = dir[i] > 0 ? 1 : -1;
    }
  }
  return tMin;
}

/** The positive t with ‖s0 + t·dir‖ = Δ, for s0 inside the sphere. */
function toSphere(s0: Float64Array, dir: Float64Array, n: number, delta: number): number {
  const a = dot(dir, dir, n);
  const b = dot(s0, dir, n);
  const c = dot(s0, s0, n) - delta * delta;
  const disc = Math.sqrt(b * b - a * c);
  // Of the two roots, compute the one that does not cancel first, the other from the product c/a.
  const q = -(b + (b < 0 || Object.is(b, -0) ? -disc : disc));
  return Math.max(q / a, c / q);
}

/**
 * Chooses among the trust-region step p (cut back to stay strictly feasible), its reflection
 * off the first bound it crosses, and the constrained Cauchy step; writes the winner to
 * ws.step / ws.stepH and returns its predicted reduction (minus its model value).
 */
export function selectStep(ws: TrfWorkspace, delta: number, theta: number): number {
  const { n, x, lo, hi, d, gH, p, pH, rH, rDir, agH, ag, xOnBound, hits, step, stepH } = ws;
  let inside = true;
  for (let i = 0; i < n; i++) {
    const xi = x[i] + p[i];
    if (!(xi >= lo[i] && xi <= hi[i])) inside = false;
  }
  if (inside) {
    step.set(p);
    stepH.set(pH);
    return -modelValue(ws, pH);
  }

  const pStride = stepToBound(ws, x, p, hits);
  for (let i = 0; i < n; i++) {
    rH[i] = hits[i] !== 0 ? -pH[i] : pH[i];
    rDir[i] = d[i] * rH[i];
    p[i] *= pStride;
    pH[i] *= pStride;
    xOnBound[i] = x[i] + p[i];
  }

  // The reflected ray leaves either the box or the trust region first; stay strictly inside the
  // box, and start far enough out that the reflection is not just the cut-back step again.
  const toTr = toSphere(pH, rH, n, delta);
  const toBoundR = stepToBound(ws, xOnBound, rDir, null);
  const rStride = Math.min(toBoundR, toTr);
  let rLower = 0;
  let rUpper = -1;
  if (rStride > 0) {
    rLower = ((1 - theta) * pStride) / rStride;
    rUpper = rStride === toBoundR ? theta * toBoundR : toTr;
  }
  let rValue = Infinity;
  if (rLower <= rUpper) {
    modelAlong(ws, rH, pH);
    const t = minimizeAlong(ws, rLower, rUpper);
    rValue = ws.qMin;
    for (let i = 0; i < n; i++) {
      rH[i] = rH[i] * t + pH[i];
      rDir[i] = rH[i] * d[i];
    }
  }

  for (let i = 0; i < n; i++) {
    p[i] *= theta;
    pH[i] *= theta;
  }
  const pValue = modelValue(ws, pH);

  for (let i = 0; i < n; i++) {
    agH[i] = -gH[i];
    ag[i] = d[i] * agH[i];
  }
  const toTrG = delta / norm(agH, n);
  const toBoundG = stepToBound(ws, x, ag, null);
  const agLimit = toBoundG < toTrG ? theta * toBoundG : toTrG;
  modelAlong(ws, agH, null);
  const agStride = minimizeAlong(ws, 0, agLimit);
  const agValue = ws.qMin;
  for (let i = 0; i < n; i++) {
    agH[i] *= agStride;
    ag[i] *= agStride;
  }

  if (pValue < rValue && pValue < agValue) {
    step.set(p);
    stepH.set(pH);
    return -pValue;
  }
  if (rValue < pValue && rValue < agValue) {
    step.set(rDir);
    stepH.set(rH);
    return -rValue;
  }
  step.set(ag);
  stepH.set(agH);
  return -agValue;
}
