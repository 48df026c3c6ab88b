/**
 * How the learning-curve surrogate is read: which stretch of each curve it is fitted to, and how
 * its posterior becomes a forecast of a model's loss at a later compute. SH-LMC's keep rule,
 * SH-frontier's, `halving suggest` and the extrapolation ablation all forecast through here; SH-DE
 * reads the same window and anchors its ensemble's forecasts the same way.
 *
 * Two choices of ours, both measured on the synthetic and the recorded curves (docs/halving.md, "Learning-curve
 * budget allocation"):
 * - The window. The kernel models each curve as a mixture of decays from its first point; fitted to a
 *   whole curve, its earliest stretch (losses falling by several nats per decade of compute) swamps
 *   the likelihood and the fit misses the recent stretch the decision rests on. So each curve is
 *   read from `WINDOW` times below the least compute any model has had, which keeps at least a
 *   decade of every curve.
 * - The anchor. The forecast at compute c of a curve last observed at c₀ with loss y₀ is
 *   y₀ + μ(c) − μ(c₀): the surrogate supplies the fall still to come, the observation the level.
 *   Without it a surrogate that smooths the last points off their level (a misspecified kernel
 *   does) can misrank models whose last losses are plainly ordered, even when nothing is left to
 *   extrapolate (c = c₀, the last round).
 */
import { revealedPrefixes, type Curve, type Prefix } from './curves.js';
import { fitLmc, type LmcFit } from './gp/lmc.js';

/** Each curve is read from this factor of compute below the least compute any model has had. */
export const WINDOW = 10;
/** Restarts of the surrogate's hyperparameter fit (the paper's 20). */
export const LMC_RESTARTS = 20;
/**
 * Every start runs a few iterations, then only the best few go on to convergence: a third of the
 * time of running all 20 to the end, with the same optimum on our benchmark curves.
 */
export const LMC_SCREEN = { iterations: 15, survivors: 4 } as const;

export interface Forecast {
  /** Forecast loss at the compute asked for (anchored at the curve's last observed loss). */
  mean: number;
  /** Posterior variance of the latent curve there. */
  variance: number;
}

export interface Forecaster {
  fit: LmcFit;
  /** What a reader should know of the fit (the jitter its covariance needed), or null. */
  note: string | null;
  /** Forecast for curve `index` (into the curves given) at `compute`; null for a curve not read. */
  forecast(index: number, compute: number): Forecast | null;
}

/**
 * The prefixes the surrogate reads: each curve's revealed points (`spent[i]` compute each; all of
 * every curve without it) at or above `WINDOW` times below the least compute any revealed curve has.
 */
export function windowedPrefixes(curves: readonly Curve[], spent?: ArrayLike<number>): { t0: number; prefixes: Prefix[] } {
  const reach = curves.map((c, i) => (spent ? spent[i] : c.compute[c.compute.length - 1]));
  let least = Infinity;
  curves.forEach((c, i) => {
    if (reach[i] >= c.compute[0] * (1 - 1e-12)) least = Math.min(least, reach[i]);
  });
  return revealedPrefixes(curves, spent, Number.isFinite(least) ? least / WINDOW : undefined);
}

/**
 * The outcome of fitting the surrogate: a forecaster; nothing to fit (no curve has two points to
 * read); or a fit that failed (every start's likelihood non-finite even with the largest jitter),
 * with the reason, so that a caller falls back and says so instead of crashing.
 */
export type ForecastOutcome = { status: 'fitted'; forecaster: Forecaster } | { status: 'too-short' } | { status: 'failed'; reason: string };

/**
 * Fits the LMC surrogate to the windowed prefixes. `warmStart` is a previous fit of the same
 * curves (e.g. the last round's).
 */
export function lmcForecaster(
  curves: readonly Curve[],
  spent: ArrayLike<number> | undefined,
  options: { seed: readonly (string | number)[]; warmStart?: Pick<LmcFit, 'hyper' | 'scale'> },
): ForecastOutcome {
  const { t0, prefixes } = windowedPrefixes(curves, spent);
  if (!prefixes.some((p) => p.t.length >= 2)) return { status: 'too-short' };
  let fit: LmcFit;
  try {
    fit = fitLmc(prefixes, { restarts: LMC_RESTARTS, screen: LMC_SCREEN, seed: options.seed, warmStart: options.warmStart });
  } catch (e) {
    return { status: 'failed', reason: (e as Error).message };
  }
  const slot = new Map(prefixes.map((p, k) => [p.index, k]));
  const forecast = (index: number, compute: number): Forecast | null => {
    const k = slot.get(index);
    if (k === undefined) return null;
    const { t, y } = prefixes[k];
    const last = t.length - 1;
    const p = fit.predict(k, [Math.log(compute) - t0, t[last]]);
    return { mean: y[last] + (p.mean[0] - p.mean[1]), variance: Math.max(p.variance[0], 0) };
  };
  const note =
    fit.jitter > 0 ? `the surrogate's covariance needed jitter ${fit.jitter.toExponential(1)} on its diagonal (normalised loss units) to factorise` : null;
  return { status: 'fitted', forecaster: { fit, note, forecast } };
}
