/**
 * One seed of a halving experiment: pick (or generate) M0 curves, run the strategy's schedule,
 * and score it: the loss of the model it would train on, the regret against the best model trained
 * fully, the compute saved against training every model fully, and the area between the frontier
 * law fitted on what was observed and the one fitted on the complete curves.
 */
import { hashSeed, rngFor } from '../random/seeds.js';
import { Z90 } from '../select/predictive.js';
import { lossAt, type Curve, type CurveSet } from './curves.js';
import { lmcForecaster } from './forecast.js';
import { areaBetween, fitFrontier, lowerEnvelope, type FrontierLaw } from './frontier.js';
import { runSchedule, type Strategy } from './schedule.js';
import { syntheticCurves, type SyntheticSpec } from './synthetic.js';

export type CurveSource = { kind: 'recorded'; set: CurveSet } | { kind: 'synthetic'; spec: SyntheticSpec; name: string };

export interface HalvingConfig {
  m0: number;
  budget: number;
  eta: number;
  seed: number;
}

export interface HalvingRecord {
  repeat: number;
  seed: number;
  models: string[];
  spent: number[];
  stoppedAt: number[];
  winner: string;
  /** True (synthetic) or recorded loss of the winner at the compute it got. */
  finalLoss: number;
  /** The best model's loss when every model is trained to its last logged compute. */
  bestFullLoss: number;
  regret: number;
  computeSaved: number;
  /** Area between the frontier fitted on the observed points and the one on the complete curves. */
  abc: number | null;
  /** The compute interval [lo, hi] AbC integrates over: the curves' first to last logged compute. */
  interval: [number, number];
  frontier: FrontierLaw | null;
  truthFrontier: FrontierLaw | null;
  /**
   * The paper's extrapolation ablation (sh-lmc only): AbC of the frontier refitted with every
   * model's surrogate prediction at the end of its curve added to the observed points, at the
   * predictive mean and at the 90% band's lower and upper edges.
   */
  abcExtended?: { mean: number | null; lower: number | null; upper: number | null };
  /** What the strategy reported (a surrogate fit that failed or needed jitter), when anything. */
  notes?: string[];
}

export const sourceName = (s: CurveSource) => (s.kind === 'recorded' ? s.set.name : s.name);

function pickCurves(source: CurveSource, m0: number, seedPath: readonly (string | number)[]): Curve[] {
  if (source.kind === 'synthetic') return syntheticCurves(source.spec, m0, seedPath).curves;
  const all = source.set.curves;
  if (m0 > all.length) throw new RangeError(`--m0 ${m0}: the curves file has only ${all.length} models`);
  // a seeded partial Fisher–Yates, then size order so that results read small to large
  const rng = rngFor([...seedPath, 'models']);
  const idx = all.map((_, i) => i);
  for (let i = 0; i < m0; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, m0)
    .sort((a, b) => all[a].params - all[b].params || a - b)
    .map((i) => all[i]);
}

const truthOf = (c: Curve) => c.truth ?? c.loss;

export const unitSeedOf = (source: CurveSource, config: HalvingConfig, repeat: number) => hashSeed([config.seed, sourceName(source), config.m0, repeat]);

/** The M0 curves a seed runs on. */
export const unitCurves = (source: CurveSource, config: HalvingConfig, repeat: number) => pickCurves(source, config.m0, [unitSeedOf(source, config, repeat)]);

export function runHalvingUnit(source: CurveSource, strategy: Strategy, config: HalvingConfig, repeat: number): HalvingRecord {
  const seed = unitSeedOf(source, config, repeat);
  const curves = pickCurves(source, config.m0, [seed]);
  const result = runSchedule(curves, strategy, config.budget, config.eta, [seed, strategy.name]);
  const winner = result.survivors[0];
  const finalLoss = lossAt(curves[winner], result.spent[winner], truthOf(curves[winner]));
  const bestFullLoss = Math.min(...curves.map((c) => truthOf(c)[c.compute.length - 1]));
  const full = curves.map((c) => c.compute[c.compute.length - 1]);
  const fullCompute = full.reduce((s, v) => s + v, 0);
  // compute past a curve's last logged point buys nothing: a budget that large trains it fully
  const usedCompute = full.reduce((s, v, i) => s + Math.min(v, result.spent[i]), 0);
  const frontier = fitFrontier(lowerEnvelope(curves, result.spent));
  const truthFrontier = fitFrontier(lowerEnvelope(curves, undefined, truthOf));
  const lo = Math.min(...curves.map((c) => c.compute[0]));
  const hi = Math.max(...curves.map((c) => c.compute[c.compute.length - 1]));
  const extended = strategy.name === 'sh-lmc' && truthFrontier ? extendedAbc(curves, result.spent, truthFrontier, lo, hi, [seed, 'extend']) : undefined;
  return {
    ...(extended ? { abcExtended: extended } : {}),
    repeat,
    seed,
    models: curves.map((c) => c.model),
    spent: Array.from(result.spent),
    stoppedAt: Array.from(result.stoppedAt),
    winner: curves[winner].model,
    finalLoss,
    bestFullLoss,
    regret: finalLoss - bestFullLoss,
    computeSaved: 1 - usedCompute / fullCompute,
    abc: frontier && truthFrontier ? areaBetween(frontier, truthFrontier, lo, hi) : null,
    interval: [lo, hi],
    frontier,
    truthFrontier,
    ...(result.notes.length ? { notes: result.notes } : {}),
  };
}

/** Refits the frontier with each model's surrogate prediction at its curve's end added, at the mean and the 90% edges. */
function extendedAbc(
  curves: readonly Curve[],
  spent: Float64Array,
  truth: FrontierLaw,
  lo: number,
  hi: number,
  seedPath: readonly (string | number)[],
): NonNullable<HalvingRecord['abcExtended']> {
  const outcome = lmcForecaster(curves, spent, { seed: seedPath });
  if (outcome.status !== 'fitted') return { mean: null, lower: null, upper: null };
  const { forecaster } = outcome;
  const ends = curves.flatMap((c, index) => {
    const end = c.compute[c.compute.length - 1];
    const f = forecaster.forecast(index, end);
    return f ? [{ end, mean: f.mean, half: Z90 * Math.sqrt(f.variance) }] : [];
  });
  const abcWith = (shift: number) => {
    const pseudo: Curve = {
      model: 'predicted',
      params: 1,
      compute: Float64Array.from(ends, (e) => e.end),
      loss: Float64Array.from(ends, (e) => Math.max(e.mean + shift * e.half, Number.MIN_VALUE)),
    };
    const law = fitFrontier(lowerEnvelope([...curves, pseudo], [...spent, Infinity]));
    return law ? areaBetween(law, truth, lo, hi) : null;
  };
  return { mean: abcWith(0), lower: abcWith(-1), upper: abcWith(1) };
}
