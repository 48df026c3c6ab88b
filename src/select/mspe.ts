/**
 * MSPE acquisition over a mixture of modes: the expected drop of the mean squared prediction
 * error in the target region, split into within-mode variance and between-mode disagreement.
 *
 * ΔMSPE(x) = Σₖ wₖ ΔVₖ(x) + (V_inter − E_y[V_inter | y at x]),  V_inter = Σ_{k<l} wₖwₗ‖f̂ₖ − f̂ₗ‖²,
 * scored as ΔMSPE / (cost/total)^0.4; E_y by the trapezoid rule on 500 points of y.
 *
 * After observing y at x, mode k's target predictions move linearly, f̂ₖ + gₖ(y − mₖ) with gain
 * gₖ = J̃ₜΣₖj̃ₓ / sₖ², and its weight becomes ∝ wₖ φ(y; mₖ, sₖ²), sₖ² = σ² + j̃ₓᵀΣₖj̃ₓ. So each
 * pair's disagreement is a quadratic A + By + Cy² and E_y[·] = Σ_{k<l} wₖwₗ ∫ φₖφₗ/p · (A + By + Cy²) dy,
 * p = Σₖ wₖφₖ: a one-dimensional integral per candidate.
 *
 * Quadrature: 'reference' is the reference's arithmetic bit for bit, faults included (one exp per
 * point and mode; a clip that leaves no range reverses the grid); 'recurrence' fills each density
 * along the same uniform grid outward from its mean by a two-term product (see `gaussianOnGrid`),
 * about 1 exp in 16 points instead of 2 per point, and agrees with it to 1e-13·(1 + z²/2v) relative.
 *
 * Multi-output laws, as in the reference scripts: the full method ('both') uses the within-mode
 * term only (its inter-mode term would need a D-dimensional integral); the inter-only ablation
 * sums the one-dimensional term over the outputs taken one at a time.
 */
import { rowDot, rowsDot } from '../linalg/dense.js';
import { unionBad, type LinearisedFit } from './linearised.js';
import { varianceReduction } from './vopt.js';

export const MSPE_COST_EXPONENT = 0.4;
/** Points of the y grid for the inter-mode integral. */
export const QUADRATURE_POINTS = 500;
/** The grid spans every mode's predictive mean ± this many standard deviations, over all candidates. */
export const QUADRATURE_HALF_WIDTH_SD = 4;
/** The mixture density is floored here so that φₖφₗ/p stays finite where every φ underflows. */
export const DENSITY_FLOOR = 1e-300;
/** The grid is clipped to [min y_pool − 1, max y_pool + 1] (see `quadratureRange`). */
export const Y_RANGE_MARGIN = 1;

/** Which terms to score: the full method or one of the two ablations (mspe-intra, mspe-inter). */
export type MspeTerms = 'both' | 'intra' | 'inter';

/** How the mode densities are evaluated on the y grid (see the header). */
export type MspeQuadrature = 'reference' | 'recurrence';

/** Below this a density is taken as 0: the recurrence stops instead of crawling through subnormals. */
const NEGLIGIBLE_DENSITY = 1e-300;
/** The recurrence restarts from exp this often: its rounding grows with the square of the run length. */
const RECURRENCE_RUN = 32;

/**
 * φ(y₀ + qh; m, v) for q < n into out[at + q]: φ(q±1) = φ(q)·r, r ← r·exp(−h²/v), outward from the grid
 * point nearest m and restarted from exp every RECURRENCE_RUN points, so every factor is ≤ 1, a density
 * that underflows stays 0, and the values agree with exp to 1e-13·(1 + z²/2v) relative.
 */
export function gaussianOnGrid(out: Float64Array, at: number, n: number, y0: number, h: number, m: number, v: number): void {
  const norm = 1 / Math.sqrt(2 * Math.PI * v);
  const shrink = Math.exp((-h * h) / v);
  const density = (z: number) => norm * Math.exp((-0.5 * z * z) / v);
  // φ(q+1)/φ(q) and φ(q−1)/φ(q) at offset z = y_q − m
  const right = (z: number) => Math.exp(-(2 * z * h + h * h) / (2 * v));
  const left = (z: number) => Math.exp((2 * z * h - h * h) / (2 * v));
  const nearest = h === 0 ? 0 : Math.round((m - y0) / h);
  const q0 = nearest < 0 ? 0 : nearest >= n ? n - 1 : nearest;
  const z0 = y0 + q0 * h - m;
  out[at + q0] = density(z0);
  // outward from q0, one side then the other: the same recurrence with the matching ratio
  for (const [step, ratio] of [
    [1, right],
    [-1, left],
  ] as const) {
    let phi = out[at + q0];
    let r = ratio(z0);
    let q = q0 + step;
    for (; q >= 0 && q < n && phi >= NEGLIGIBLE_DENSITY; q += step) {
      if ((q - q0) % RECURRENCE_RUN === 0) {
        const z = y0 + q * h - m;
        phi = density(z);
        r = ratio(z);
      } else {
        phi *= r;
        r *= shrink;
      }
      out[at + q] = phi;
    }
    for (; q >= 0 && q < n; q += step) out[at + q] = 0;
  }
}

export interface MspeMode {
  weight: number;
  fit: LinearisedFit;
}

export interface MspeGains {
  dvIntra: Float64Array;
  dvInter: Float64Array;
}

/**
 * Clipping range of the y grid: [min y − 1, max y + 1] over the pool's targets, so that a constant
 * shift of the targets shifts the grid with them. The reference also floors it at 0
 * (`floorAtZero`), which cuts the integral short wherever targets go below 1 (negated metrics,
 * centred log-losses, vocab's pool); only the reference protocol keeps that floor.
 */
export function quadratureRange(poolY: ArrayLike<number>, floorAtZero = false): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < poolY.length; i++) {
    if (poolY[i] < lo) lo = poolY[i];
    if (poolY[i] > hi) hi = poolY[i];
  }
  return [floorAtZero ? Math.max(0, lo - Y_RANGE_MARGIN) : lo - Y_RANGE_MARGIN, hi + Y_RANGE_MARGIN];
}

/** Σₖ wₖ ΔVₖ: V-opt's reduction under each mode's own posterior, weighted. */
export function intraModeGain(modes: readonly MspeMode[], sigma2: number, skipTarget: Uint8Array): Float64Array {
  const out = new Float64Array(modes[0].fit.cand.rows);
  for (const { weight, fit } of modes) {
    const dv = varianceReduction(fit, sigma2, skipTarget);
    for (let c = 0; c < out.length; c++) out[c] += weight * dv[c];
  }
  return out;
}

/**
 * V_inter − E_y[V_inter after y], clipped at 0, for output `d` alone, added into `out`.
 * With a single mode there is no disagreement and nothing is added.
 */
export function interModeGain(
  modes: readonly MspeMode[],
  sigma2: number,
  d: number,
  yRange: readonly [number, number],
  skipTarget: Uint8Array,
  out: Float64Array,
  quadrature: MspeQuadrature = 'reference',
): Float64Array {
  const K = modes.length;
  if (K < 2) return out;
  const { P, O } = modes[0].fit;
  const Mc = modes[0].fit.cand.rows;
  const Mt = modes[0].fit.target.rows;
  const candBad = new Uint8Array(Mc);
  for (const m of modes) for (let c = 0; c < Mc; c++) candBad[c] |= m.fit.candBad[c];

  // Per mode and candidate: predictive mean mₖ and variance sₖ² of the observation.
  const mu = new Float64Array(K * Mc);
  const s2 = new Float64Array(K * Mc);
  let yLo = Infinity;
  let yHi = -Infinity;
  for (let k = 0; k < K; k++) {
    const f = modes[k].fit;
    for (let c = 0; c < Mc; c++) {
      if (candBad[c]) continue;
      const r = c * O + d;
      const m = f.cand.pred[r];
      const v = sigma2 + rowDot(f.candSigma, r, f.cand.J, r, P);
      mu[k * Mc + c] = m;
      s2[k * Mc + c] = v;
      const sd = Math.sqrt(v);
      yLo = Math.min(yLo, m - QUADRATURE_HALF_WIDTH_SD * sd);
      yHi = Math.max(yHi, m + QUADRATURE_HALF_WIDTH_SD * sd);
    }
  }
  if (quadrature === 'reference' || Math.max(yLo, yRange[0]) < Math.min(yHi, yRange[1])) {
    yLo = Math.max(yLo, yRange[0]);
    yHi = Math.min(yHi, yRange[1]);
  }
  // (otherwise every mode predicts outside the clip: an empty or reversed grid would flip the integral)
  const N = QUADRATURE_POINTS;
  const grid = new Float64Array(N);
  const step = (yHi - yLo) / (N - 1);
  for (let q = 0; q < N; q++) grid[q] = q * step + yLo;
  grid[N - 1] = yHi;

  const pairCount = (K * (K - 1)) / 2;
  const first = new Int32Array(pairCount);
  const second = new Int32Array(pairCount);
  for (let k = 0, p = 0; k < K; k++) {
    for (let l = k + 1; l < K; l++, p++) {
      first[p] = k;
      second[p] = l;
    }
  }
  const w = Float64Array.from(modes, (m) => m.weight);

  let before = 0;
  for (let p = 0; p < pairCount; p++) {
    const k = first[p];
    const l = second[p];
    const pk = modes[k].fit.target.pred;
    const pl = modes[l].fit.target.pred;
    let dd = 0;
    for (let t = 0; t < Mt; t++) {
      if (skipTarget[t]) continue;
      const delta = pk[t * O + d] - pl[t * O + d];
      dd += delta * delta;
    }
    before += w[k] * w[l] * dd;
  }

  const inv = 1 / Math.sqrt(2 * Math.PI);
  const gain = new Float64Array(K * Mt);
  const A = new Float64Array(pairCount);
  const B = new Float64Array(pairCount);
  const C = new Float64Array(pairCount);
  const phi = new Float64Array(K);
  // per mode at this candidate: its mean, variance and density's normalising constant
  const mean = new Float64Array(K);
  const variance = new Float64Array(K);
  const norm = new Float64Array(K);
  const prev = new Float64Array(pairCount);
  const integral = new Float64Array(pairCount);
  const table = new Float64Array(quadrature === 'recurrence' ? K * N : 0);
  for (let c = 0; c < Mc; c++) {
    if (candBad[c]) continue;
    // gₖ = J̃ₜΣₖj̃ₓ / sₖ² on the target rows, for output d.
    for (let k = 0; k < K; k++) {
      const f = modes[k].fit;
      const v = s2[k * Mc + c];
      rowsDot(f.target.J, d, O, Mt, f.candSigma, c * O + d, P, gain, k * Mt);
      for (let t = 0; t < Mt; t++) gain[k * Mt + t] = skipTarget[t] ? 0 : gain[k * Mt + t] / v;
    }
    for (let p = 0; p < pairCount; p++) {
      const k = first[p];
      const l = second[p];
      const pk = modes[k].fit.target.pred;
      const pl = modes[l].fit.target.pred;
      const mk = mu[k * Mc + c];
      const ml = mu[l * Mc + c];
      let a2 = 0;
      let ab = 0;
      let b2 = 0;
      for (let t = 0; t < Mt; t++) {
        if (skipTarget[t]) continue;
        const gk = gain[k * Mt + t];
        const gl = gain[l * Mt + t];
        const a = pk[t * O + d] - pl[t * O + d] - gk * mk + gl * ml;
        const b = gk - gl;
        a2 += a * a;
        ab += a * b;
        b2 += b * b;
      }
      A[p] = a2;
      B[p] = 2 * ab;
      C[p] = b2;
    }
    for (let k = 0; k < K; k++) {
      mean[k] = mu[k * Mc + c];
      variance[k] = s2[k * Mc + c];
      norm[k] = inv / Math.sqrt(variance[k]);
    }
    integral.fill(0);
    if (quadrature === 'recurrence') {
      for (let k = 0; k < K; k++) gaussianOnGrid(table, k * N, N, yLo, step, mean[k], variance[k]);
      // the trapezoid rule on a uniform grid: h·(Σ f − (f₀ + f_{N−1})/2)
      for (let q = 0; q < N; q++) {
        const y = yLo + q * step;
        let mix = 0;
        for (let k = 0; k < K; k++) mix += w[k] * table[k * N + q];
        if (mix === 0) continue;
        if (!(mix >= DENSITY_FLOOR)) mix = DENSITY_FLOOR;
        const end = q === 0 || q === N - 1 ? 0.5 * step : step;
        for (let p = 0; p < pairCount; p++) {
          const ratio = (table[first[p] * N + q] * table[second[p] * N + q]) / mix;
          integral[p] += end * ratio * (A[p] + B[p] * y + C[p] * (y * y));
        }
      }
    } else {
      for (let q = 0; q < N; q++) {
        const y = grid[q];
        let mix = 0;
        for (let k = 0; k < K; k++) {
          const diff = y - mean[k];
          phi[k] = norm[k] * Math.exp((-0.5 * diff ** 2) / variance[k]);
          mix += w[k] * phi[k];
        }
        if (!(mix >= DENSITY_FLOOR)) mix = DENSITY_FLOOR;
        const dy = q > 0 ? grid[q] - grid[q - 1] : 0;
        for (let p = 0; p < pairCount; p++) {
          const f = ((phi[first[p]] * phi[second[p]]) / mix) * (A[p] + B[p] * y + C[p] * (y * y));
          if (q > 0) integral[p] += (dy * (f + prev[p])) / 2;
          prev[p] = f;
        }
      }
    }
    let after = 0;
    for (let p = 0; p < pairCount; p++) after += w[first[p]] * w[second[p]] * integral[p];
    const dv = before - after;
    out[c] += dv > 0 ? dv : 0;
  }
  return out;
}

/** ΔV_intra and ΔV_inter per candidate for the chosen terms (the other is all zeros). */
export function mspeGains(
  modes: readonly MspeMode[],
  sigma2: number,
  yRange: readonly [number, number],
  terms: MspeTerms = 'both',
  quadrature: MspeQuadrature = 'reference',
): MspeGains {
  if (modes.length === 0) throw new Error('MSPE needs at least one mode');
  const fits = modes.map((m) => m.fit);
  const Mc = fits[0].cand.rows;
  const O = fits[0].O;
  const skip = unionBad(fits);
  const dvIntra = terms === 'inter' ? new Float64Array(Mc) : intraModeGain(modes, sigma2, skip);
  const dvInter = new Float64Array(Mc);
  if (terms === 'inter' || (terms === 'both' && O === 1)) {
    for (let d = 0; d < O; d++) interModeGain(modes, sigma2, d, yRange, skip, dvInter, quadrature);
  }
  return { dvIntra, dvInter };
}
