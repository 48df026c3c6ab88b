/**
 * Synthetic learning curves with known truth. Model m has N_m parameters (log-spaced); at compute
 * c (in units of 1e15 FLOPs) it has seen D = c·1e15 / (6 N_m) tokens and its loss is
 *
 *   L(N, D) = E + A / N^α + B / D^β + τ · exp(−D / (κ N))
 *
 * (Chinchilla's fitted surface plus an early-training transient that a model leaves after about κ
 * tokens per parameter), so small models lead early and large ones win late. Noise is added to
 * the logged points: white (independent), Brownian (a random walk in log-compute) or
 * Ornstein–Uhlenbeck (a mean-reverting walk), each with standard deviation `scale` at stationarity
 * (Brownian: after one unit of log-compute).
 */
import { rngFor, type Rng } from '../random/seeds.js';
import type { Curve, CurveSet } from './curves.js';

export const NOISE_KINDS = ['white', 'brownian', 'ou'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export interface SyntheticSpec {
  noise: NoiseKind;
  /** Noise standard deviation (loss units). */
  scale: number;
  /** Smallest and largest model (parameters). */
  nMin: number;
  nMax: number;
  /** Logged points per curve, log-spaced from 1 compute unit to `cMax`. */
  points: number;
  /** Compute (units) of a complete curve: no allocation can exceed it. */
  cMax: number;
}

export const SURFACE = { E: 1.69, A: 406.4, alpha: 0.34, B: 410.7, beta: 0.28, tau: 1, kappa: 1 } as const;
/** FLOPs in one compute unit. */
export const UNIT_FLOPS = 1e15;
/** OU mean reversion per unit of log-compute. */
const OU_RATE = 1;

export const DEFAULT_SPEC: SyntheticSpec = { noise: 'white', scale: 0.01, nMin: 1e7, nMax: 1e9, points: 200, cMax: 1e5 };

export function trueLoss(N: number, c: number): number {
  const D = (c * UNIT_FLOPS) / (6 * N);
  const s = SURFACE;
  return s.E + s.A / N ** s.alpha + s.B / D ** s.beta + s.tau * Math.exp(-D / (s.kappa * N));
}

/** `noise=ou,scale=0.02,points=100` → a spec (unknown keys and bad values are errors naming them). */
export function parseSyntheticSpec(text: string): SyntheticSpec {
  const spec: SyntheticSpec = { ...DEFAULT_SPEC };
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (key === 'noise') {
      if (!(NOISE_KINDS as readonly string[]).includes(value)) throw new RangeError(`noise=${value}: choose ${NOISE_KINDS.join(', ')}`);
      spec.noise = value as NoiseKind;
      continue;
    }
    const v = Number(value);
    const positive = Number.isFinite(v) && v > 0;
    if (key === 'scale' && Number.isFinite(v) && v >= 0) spec.scale = v;
    else if (key === 'nmin' && positive) spec.nMin = v;
    else if (key === 'nmax' && positive) spec.nMax = v;
    else if (key === 'points' && Number.isInteger(v) && v >= 2) spec.points = v;
    else if (key === 'cmax' && positive) spec.cMax = v;
    else throw new RangeError(`'${part}': keys are noise, scale (≥ 0), nmin, nmax, cmax (> 0) and points (whole, ≥ 2)`);
  }
  if (!(spec.nMax > spec.nMin)) throw new RangeError(`nmax ${spec.nMax} must exceed nmin ${spec.nMin}`);
  return spec;
}

function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Noise at log-spaced points: white, a random walk, or a stationary OU walk, all seeded. */
export function noisePath(kind: NoiseKind, scale: number, logC: Float64Array, rng: Rng): Float64Array {
  const n = logC.length;
  const out = new Float64Array(n);
  if (kind === 'white') {
    for (let k = 0; k < n; k++) out[k] = scale * normal(rng);
    return out;
  }
  let x = kind === 'ou' ? scale * normal(rng) : 0;
  for (let k = 0; k < n; k++) {
    const dt = k === 0 ? 0 : logC[k] - logC[k - 1];
    if (kind === 'brownian') x += scale * Math.sqrt(dt) * normal(rng);
    else {
      // exact OU transition: stationary sd stays `scale` whatever the spacing
      const decay = Math.exp(-OU_RATE * dt);
      x = x * decay + scale * Math.sqrt(1 - decay * decay) * normal(rng);
    }
    out[k] = x;
  }
  return out;
}

/** M models log-spaced in size, noisy curves and their noise-free truth; same (spec, seed path) ⇒ same curves. */
export function syntheticCurves(spec: SyntheticSpec, models: number, seedPath: readonly (string | number)[]): CurveSet {
  const rng = rngFor([...seedPath, 'synthetic']);
  const logC = Float64Array.from({ length: spec.points }, (_, k) => (Math.log(spec.cMax) * k) / (spec.points - 1));
  const compute = logC.map(Math.exp);
  const curves: Curve[] = [];
  for (let m = 0; m < models; m++) {
    const N = models === 1 ? spec.nMin : spec.nMin * (spec.nMax / spec.nMin) ** (m / (models - 1));
    const truth = compute.map((c) => trueLoss(N, c));
    const noise = noisePath(spec.noise, spec.scale, logC, rng);
    curves.push({ model: `N=${N.toPrecision(3)}`, params: N, compute: Float64Array.from(compute), loss: truth.map((v, k) => v + noise[k]), truth });
  }
  const tag = `${spec.noise}-${spec.scale}`;
  return { name: `synthetic-${tag}`, curves };
}
