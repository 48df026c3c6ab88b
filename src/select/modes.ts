/**
 * MSPE's mixture of modes: the multistart fits that explain the data about equally well, grouped
 * by how differently they predict the target region, one weighted Gaussian per group.
 *
 * d(k, l) = log1p(mean_t ¼(v_k/v_l + v_l/v_k − 2 + (μ_k − μ_l)²(1/v_k + 1/v_l))),  v = σ² + j̃ᵀΣj̃;
 * w ∝ exp(−BIC/2T), BIC = n·log(MSE) + P·log(n).
 *
 * Reference behaviour kept on purpose, because the paper's Table 2 was made with it:
 *  - at most two good fits are not clustered: each is a mode, temperature T = max(1, n / 2P),
 *    and no weight is dropped;
 *  - more fits are clustered (complete linkage, cut at the best silhouette ≥ 0.01, else one
 *    cluster); each cluster is represented by its lowest-MSE member, T = 1, weights below 0.001
 *    are dropped and the rest renormalised;
 *  - there is no de-duplication of identical fits and no cap on their number.
 */
import type { BoundLaw, Law } from '../laws/law.js';
import { completeLinkage, condensedIndex, countClusters, cutTree, silhouette } from './cluster.js';
import { linearise, posterior, priorPrecision, type Conditioning, type Posterior } from './fisher.js';

/** A fit is good when its MSE is below this multiple of the best one. */
export const GOOD_FIT_RATIO = 1.5;
/** The intra/inter ablation scripts use this ratio after each refit. */
export const ABLATION_REFIT_RATIO = 2;
/** After the initial fit, fewer good fits than this means: keep them all. */
export const MIN_GOOD_FITS = 2;
/** After a refit the threshold is (best + this) × ratio, so an exact-zero best still passes. */
export const REFIT_MSE_OFFSET = 1e-30;
/** Up to this many fits become modes directly, without clustering. */
export const MAX_UNCLUSTERED = 2;
/** A cut whose mean silhouette is below this does not split the fits. */
export const MIN_SILHOUETTE = 0.01;
/** Two cut heights are told apart by fcluster at t = h + this. */
export const CUT_TOLERANCE = 1e-10;
/** The distance a non-finite (NaN or +∞) divergence is replaced by before linkage. */
export const NONFINITE_DISTANCE = 30;
/** Modes whose weight falls below this are dropped (clustered path only). */
export const MIN_MODE_WEIGHT = 0.001;
/** MSE floor inside the BIC's logarithm. */
export const MSE_FLOOR = 1e-300;

/** 'initial': right after the initial design's fit; 'refit': after each later refit. */
export type GoodFitRule = 'initial' | 'refit';

export interface GoodFitOptions {
  rule?: GoodFitRule;
  /** Default GOOD_FIT_RATIO; the ablation scripts use ABLATION_REFIT_RATIO for 'refit'. */
  ratio?: number;
}

/**
 * Indices of the good fits, in input order. 'initial': MSE < best·ratio, or all fits when that
 * leaves fewer than two (as when the best MSE is exactly 0); 'refit': MSE < (best + 1e-30)·ratio.
 * A NaN MSE is never good and never the best.
 */
export function goodFits(fitMse: readonly number[], options: GoodFitOptions = {}): number[] {
  const { rule = 'initial', ratio = GOOD_FIT_RATIO } = options;
  let best = Infinity;
  for (const m of fitMse) if (m < best) best = m;
  const limit = rule === 'refit' ? (best + REFIT_MSE_OFFSET) * ratio : best * ratio;
  const good: number[] = [];
  fitMse.forEach((m, i) => {
    if (m < limit) good.push(i);
  });
  if (rule === 'initial' && good.length < MIN_GOOD_FITS) return fitMse.map((_, i) => i);
  return good;
}

/** Normalised weights exp(−BIC/2T) of fits with these MSEs on n observations of a P-parameter law. */
export function bicWeights(mse: readonly number[], nObserved: number, P: number, temperature: number): Float64Array {
  const K = mse.length;
  const logw = new Float64Array(K);
  let top = -Infinity;
  for (let k = 0; k < K; k++) {
    const bic = nObserved * Math.log(Math.max(mse[k], MSE_FLOOR)) + P * Math.log(nObserved);
    logw[k] = -bic / (2 * temperature);
    if (logw[k] > top) top = logw[k];
  }
  let sum = 0;
  for (let k = 0; k < K; k++) sum += logw[k] = Math.exp(logw[k] - top);
  for (let k = 0; k < K; k++) logw[k] /= sum;
  return logw;
}

/**
 * Symmetric KL divergence between the fits' predictive distributions N(μ_k, v_k), averaged over
 * the points, as a full K×K matrix (zero diagonal, negatives clipped to 0).
 */
export function symmetricKl(mu: Float64Array[], v: Float64Array[]): Float64Array {
  const K = mu.length;
  const S = new Float64Array(K * K);
  for (let a = 0; a < K; a++) {
    for (let b = a + 1; b < K; b++) {
      const ma = mu[a];
      const mb = mu[b];
      const va = v[a];
      const vb = v[b];
      let s = 0;
      for (let t = 0; t < ma.length; t++) {
        const d = ma[t] - mb[t];
        s += 0.25 * (va[t] / vb[t] + vb[t] / va[t] - 2 + d ** 2 * (1 / va[t] + 1 / vb[t]));
      }
      const mean = s / ma.length;
      // Clip like np.clip(·, 0, None): NaN stays NaN.
      S[a * K + b] = S[b * K + a] = mean < 0 ? 0 : mean;
    }
  }
  return S;
}

/** Cluster label (1-based) per fit at the cut with the best silhouette; all 1 when none is good enough. */
export function bestSilhouetteCut(dist: Float64Array, K: number): { labels: Int32Array; silhouette: number } {
  const condensed = new Float64Array((K * (K - 1)) / 2);
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      const d = dist[i * K + j];
      condensed[condensedIndex(K, i, j)] = Number.isNaN(d) || d === Infinity ? NONFINITE_DISTANCE : d === -Infinity ? 0 : d;
    }
  }
  const tree = completeLinkage(condensed, K);
  const heights = [...new Set(tree.height)].sort((a, b) => a - b);
  let best = -1;
  let labels: Int32Array = new Int32Array(K).fill(1);
  for (const h of heights) {
    const cut = cutTree(tree, h + CUT_TOLERANCE);
    const nc = countClusters(cut);
    if (nc < 2 || nc >= K) continue;
    // The silhouette reads the uncleaned distances, as the reference does.
    const s = silhouette(dist, K, cut);
    if (s > best) {
      best = s;
      labels = cut;
    }
  }
  if (best < MIN_SILHOUETTE) labels = new Int32Array(K).fill(1);
  return { labels, silhouette: best };
}

export interface Mode {
  theta: Float64Array;
  weight: number;
  posterior: Posterior;
  /** Index of this mode's fit in the fits given to `buildModes`. */
  fit: number;
}

export interface ModeSet {
  modes: Mode[];
  /** Clusters found before small weights were dropped (the number of fits when not clustered). */
  clusters: number;
  /** Best silhouette over the cuts tried; null when the fits were not clustered. */
  silhouette: number | null;
}

export interface ModeInput {
  law: Law;
  /** The law bound to the observed (selected) rows. */
  observed: BoundLaw;
  /** The law bound to the rows whose predictions the modes are compared on (the target region). */
  region: BoundLaw;
  /** The good fits (see `goodFits`) and their MSEs. */
  fits: readonly ArrayLike<number>[];
  fitMse: readonly number[];
  sigma2: number;
  /** Defaults to `priorPrecision(law.bounds)`. */
  prior?: Float64Array;
  /** How each posterior's precision is inverted; default 'reference'. */
  conditioning?: Conditioning;
}

/** The posterior at θ, or null where its Fisher information is not finite (a wild fit overflowed it). */
function finitePosterior(
  observed: BoundLaw,
  O: number,
  theta: ArrayLike<number>,
  law: Law,
  prior: Float64Array,
  sigma2: number,
  conditioning: Conditioning | undefined,
): Posterior | null {
  try {
    return posterior(observed, O, theta, law.bounds, prior, sigma2, conditioning);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

export function buildModes(input: ModeInput): ModeSet {
  const { law, observed, region, sigma2 } = input;
  if (input.fits.length === 0) throw new Error('buildModes needs at least one fit');
  if (input.fitMse.length !== input.fits.length) throw new Error(`${input.fits.length} fits but ${input.fitMse.length} MSE values`);
  const P = law.params.length;
  const O = law.outputs;
  const n = observed.n;
  const prior = input.prior ?? priorPrecision(law.bounds);
  // a fit whose information overflows carries no usable posterior: it is dropped, never fatal
  const index: number[] = [];
  const posts: Posterior[] = [];
  input.fits.forEach((t, k) => {
    const p = finitePosterior(observed, O, t, law, prior, sigma2, input.conditioning);
    if (p) {
      index.push(k);
      posts.push(p);
    }
  });
  if (posts.length === 0) throw new RangeError(`no fit of law ${law.id} has a finite Fisher information on the observed rows`);
  const fitMse = index.map((k) => input.fitMse[k]);
  const K = posts.length;

  if (K <= MAX_UNCLUSTERED) {
    const w = bicWeights(fitMse, n, P, Math.max(1, n / (2 * P)));
    return {
      modes: posts.map((p, k) => ({ theta: p.theta, weight: w[k], posterior: p, fit: index[k] })),
      clusters: K,
      silhouette: null,
    };
  }

  const mu: Float64Array[] = [];
  const v: Float64Array[] = [];
  const sj = new Float64Array(P);
  for (const p of posts) {
    const lin = linearise(region, O, p.theta, p.scale);
    const m = lin.rows * O;
    const var_ = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < P; i++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += lin.J[r * P + j] * p.cov[j * P + i];
        sj[i] = s;
      }
      let q = 0;
      for (let i = 0; i < P; i++) q += sj[i] * lin.J[r * P + i];
      var_[r] = (q > 0 ? q : 0) + sigma2;
    }
    mu.push(lin.pred);
    v.push(var_);
  }
  const dist = symmetricKl(mu, v);
  for (let i = 0; i < K * K; i++) dist[i] = Math.log1p(dist[i]);
  const { labels, silhouette: sil } = bestSilhouetteCut(dist, K);

  const ids = [...new Set(labels)].sort((a, b) => a - b);
  const reps = ids.map((c) => {
    let best = -1;
    for (let k = 0; k < K; k++) if (labels[k] === c && (best < 0 || fitMse[k] < fitMse[best])) best = k;
    return best;
  });
  const w = bicWeights(
    reps.map((r) => fitMse[r]),
    n,
    P,
    1,
  );
  let keep = reps.map((_, i) => i).filter((i) => w[i] > MIN_MODE_WEIGHT);
  if (keep.length === 0) {
    let top = 0;
    for (let i = 1; i < w.length; i++) if (w[i] > w[top]) top = i;
    keep = [top];
  }
  let total = 0;
  for (const i of keep) total += w[i];
  return {
    modes: keep.map((i) => ({ theta: posts[reps[i]].theta, weight: w[i] / total, posterior: posts[reps[i]], fit: index[reps[i]] })),
    clusters: ids.length,
    silhouette: sil,
  };
}
