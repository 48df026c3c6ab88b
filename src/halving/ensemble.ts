/**
 * The deep-ensemble learning-curve surrogate: small MLPs that map a model's size to the three
 * coefficients of a curve family, trained together on every observed point of every curve, so
 * that models share what they reveal about how curves bend. The ensemble's spread is the
 * uncertainty. Families, with t = log-compute shifted to start at 0 and u = e^t:
 *   pl   L = a + b·e^(−c·t)           (a power law in compute)
 *   exp  L = a + b·e^(−c·u/u_max)     (exponential decay in compute)
 *   mmf  L = a + b / (1 + (c·u)^0.5)  (a Morgan–Mercer–Flodin curve with its shape fixed)
 * a, b, c come out of the network through softplus, so b, c > 0 and curves fall.
 */
import { rngFor, type Rng } from '../random/seeds.js';

export const FAMILIES = ['pl', 'exp', 'mmf'] as const;
export type Family = (typeof FAMILIES)[number];

export interface EnsembleOptions {
  family: Family;
  members: number;
  hidden: number;
  iterations: number;
  learningRate: number;
  seed: readonly (string | number)[];
}

export const DEFAULT_ENSEMBLE: Omit<EnsembleOptions, 'seed'> = { family: 'pl', members: 5, hidden: 16, iterations: 1000, learningRate: 0.05 };

export interface EnsembleData {
  /** Per curve: its feature (log model size, standardised inside) and observed (t, y). */
  curves: { size: number; t: Float64Array; y: Float64Array }[];
}

export interface Ensemble {
  /** Mean and variance over members of curve i's predicted loss at t. */
  predict(size: number, t: number): { mean: number; variance: number };
}

const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** L and ∂L/∂(a, b, c) of a family at t (coefficients already positive). */
function family(kind: Family, a: number, b: number, c: number, t: number, uMax: number, grad: Float64Array): number {
  if (kind === 'pl') {
    const e = Math.exp(-c * t);
    grad[0] = 1;
    grad[1] = e;
    grad[2] = -b * t * e;
    return a + b * e;
  }
  if (kind === 'exp') {
    const x = Math.exp(t) / uMax;
    const e = Math.exp(-c * x);
    grad[0] = 1;
    grad[1] = e;
    grad[2] = -b * x * e;
    return a + b * e;
  }
  const s = Math.sqrt(c * Math.exp(t));
  const d = 1 + s;
  grad[0] = 1;
  grad[1] = 1 / d;
  // ∂/∂c of b/(1 + √(c u)) = −b · (√u / (2√c)) / d²
  grad[2] = c > 0 ? (-b * (s / (2 * c))) / (d * d) : 0;
  return a + b / d;
}

interface Net {
  W1: Float64Array; // hidden
  b1: Float64Array; // hidden
  W2: Float64Array; // 3 × hidden
  b2: Float64Array; // 3
}

function initNet(hidden: number, rng: Rng, yMin: number, yMax: number): Net {
  const n = () => (rng() * 2 - 1) * Math.sqrt(3);
  const net: Net = {
    W1: Float64Array.from({ length: hidden }, n),
    b1: Float64Array.from({ length: hidden }, n),
    // small output weights: every member starts near the same sensible curve and learns how size bends it
    W2: Float64Array.from({ length: 3 * hidden }, () => (0.1 * n()) / Math.sqrt(hidden)),
    b2: new Float64Array(3),
  };
  // a floor a little below the losses seen, a drop to the highest, a rate of one e-fold per 2 units of t
  const inv = (v: number) => Math.log(Math.expm1(Math.max(v, 1e-6)));
  const floor = Math.max(yMin - 0.25 * (yMax - yMin), 1e-3);
  net.b2[0] = inv(floor);
  net.b2[1] = inv(Math.max(yMax - floor, 1e-3));
  net.b2[2] = inv(0.5);
  return net;
}

/** Trains the members with Adam on the mean squared error over every observed point. */
export function fitEnsemble(data: EnsembleData, options: EnsembleOptions): Ensemble {
  const { hidden } = options;
  const sizes = data.curves.map((c) => c.size);
  const sMean = sizes.reduce((s, v) => s + v, 0) / sizes.length;
  const sSd = Math.sqrt(sizes.reduce((s, v) => s + (v - sMean) ** 2, 0) / sizes.length) || 1;
  const feature = (size: number) => (size - sMean) / sSd;
  const ys = data.curves.flatMap((c) => Array.from(c.y));
  const yMin = Math.min(...ys);
  const yMax = Math.max(...ys);
  const uMax = Math.exp(Math.max(...data.curves.map((c) => (c.t.length ? c.t[c.t.length - 1] : 0)), 0));
  const total = ys.length;

  const nets: Net[] = [];
  const g = new Float64Array(3);
  const h = new Float64Array(hidden);
  const out = new Float64Array(3);
  const coef = new Float64Array(3);
  const forward = (net: Net, x: number) => {
    for (let j = 0; j < hidden; j++) h[j] = Math.tanh(net.W1[j] * x + net.b1[j]);
    for (let k = 0; k < 3; k++) {
      let s = net.b2[k];
      for (let j = 0; j < hidden; j++) s += net.W2[k * hidden + j] * h[j];
      out[k] = s;
      coef[k] = softplus(s);
    }
  };
  for (let m = 0; m < options.members; m++) {
    const rng = rngFor([...options.seed, 'member', m]);
    const net = initNet(hidden, rng, yMin, yMax);
    const params = [net.W1, net.b1, net.W2, net.b2];
    const grads = params.map((p) => new Float64Array(p.length));
    const m1 = params.map((p) => new Float64Array(p.length));
    const m2 = params.map((p) => new Float64Array(p.length));
    const dOut = new Float64Array(3);
    for (let it = 1; it <= options.iterations; it++) {
      for (const gr of grads) gr.fill(0);
      for (const curve of data.curves) {
        const x = feature(curve.size);
        forward(net, x);
        dOut.fill(0);
        for (let p = 0; p < curve.t.length; p++) {
          const r = family(options.family, coef[0], coef[1], coef[2], curve.t[p], uMax, g) - curve.y[p];
          for (let k = 0; k < 3; k++) dOut[k] += ((2 * r) / total) * g[k];
        }
        // back through softplus, the output layer and tanh
        for (let k = 0; k < 3; k++) dOut[k] *= sigmoid(out[k]);
        for (let k = 0; k < 3; k++) {
          grads[3][k] += dOut[k];
          for (let j = 0; j < hidden; j++) grads[2][k * hidden + j] += dOut[k] * h[j];
        }
        for (let j = 0; j < hidden; j++) {
          let dh = 0;
          for (let k = 0; k < 3; k++) dh += dOut[k] * net.W2[k * hidden + j];
          const dz = dh * (1 - h[j] * h[j]);
          grads[0][j] += dz * x;
          grads[1][j] += dz;
        }
      }
      const b1c = 1 - 0.9 ** it;
      const b2c = 1 - 0.999 ** it;
      params.forEach((p, q) => {
        for (let i = 0; i < p.length; i++) {
          const gi = grads[q][i];
          m1[q][i] = 0.9 * m1[q][i] + 0.1 * gi;
          m2[q][i] = 0.999 * m2[q][i] + 0.001 * gi * gi;
          p[i] -= (options.learningRate * (m1[q][i] / b1c)) / (Math.sqrt(m2[q][i] / b2c) + 1e-8);
        }
      });
    }
    nets.push(net);
  }
  return {
    predict(size, t) {
      const x = feature(size);
      let s = 0;
      let s2 = 0;
      for (const net of nets) {
        forward(net, x);
        const v = family(options.family, coef[0], coef[1], coef[2], t, uMax, g);
        s += v;
        s2 += v * v;
      }
      const mean = s / nets.length;
      return { mean, variance: Math.max(s2 / nets.length - mean * mean, 0) };
    },
  };
}
