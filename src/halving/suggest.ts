/**
 * A live campaign's next step: from the curves trained so far and the compute left, which models
 * continue and how much each gets next, each model's predicted loss at the compute it would end
 * with (a 90% interval from the learning-curve surrogate), and the frontier law so far with a band.
 */
import { Z90 } from '../select/predictive.js';
import type { CurveSet } from './curves.js';
import { lmcForecaster } from './forecast.js';
import { fitFrontier, lowerEnvelope, type FrontierLaw } from './frontier.js';
import { roundCount } from './schedule.js';

export const SUGGEST_STRATEGIES = ['sh', 'sh-lmc'] as const;
export type HalvingSuggestStrategy = (typeof SUGGEST_STRATEGIES)[number];

export interface ModelAdvice {
  model: string;
  params: number;
  /** Compute trained so far (its last logged point). */
  compute: number;
  lastLoss: number;
  action: 'continue' | 'stop';
  /** Compute to give it in the next round (0 when it stops). */
  next: number;
  /** Predicted loss at the compute it would end with if it kept surviving. */
  predicted: { compute: number; mean: number; lo90: number; hi90: number };
}

export interface HalvingAdvice {
  models: ModelAdvice[];
  /** Rounds left after this one, the next included. */
  rounds: number;
  frontier: { law: FrontierLaw; lower: FrontierLaw | null; upper: FrontierLaw | null } | null;
  /** What the reader should know of the surrogate (a failed fit, jitter), empty when nothing. */
  notes: string[];
}

export function adviseHalving(set: CurveSet, budget: number, eta: number, strategy: HalvingSuggestStrategy, seed: readonly (string | number)[]): HalvingAdvice {
  const curves = set.curves;
  const M = curves.length;
  const keep = M === 1 ? 1 : Math.ceil(M / eta);
  const rounds = keep === 1 ? 1 : roundCount(keep, eta);
  // what the rounds to come pay each survivor: the schedule's increments as survivors shrink
  let future = 0;
  let next = 0;
  for (let n = keep, r = 0; r < rounds && n >= 1; r++, n = Math.ceil(n / eta)) {
    const inc = Math.floor(budget / (n * rounds));
    if (r === 0) next = inc;
    future += inc;
    if (n === 1) break;
  }
  const current = curves.map((c) => c.compute[c.compute.length - 1]);
  const lastLoss = curves.map((c) => c.loss[c.loss.length - 1]);
  const outcome = lmcForecaster(curves, undefined, { seed: [...seed, 'halving-suggest'] });
  const forecaster = outcome.status === 'fitted' ? outcome.forecaster : null;
  const notes: string[] = [];
  if (outcome.status === 'failed') notes.push(`the surrogate fit failed (${outcome.reason}): predictions are the last losses, with no interval`);
  if (forecaster?.note) notes.push(forecaster.note);
  const predicted = curves.map((_, i) => {
    const compute = current[i] + future;
    // a model the surrogate does not read (a failed fit) keeps its last loss, with no interval
    const f = forecaster?.forecast(i, compute) ?? { mean: lastLoss[i], variance: 0 };
    const half = Z90 * Math.sqrt(f.variance);
    return { compute, mean: f.mean, lo90: f.mean - half, hi90: f.mean + half };
  });
  const score = (i: number) => (strategy === 'sh-lmc' ? predicted[i].mean : lastLoss[i]);
  const order = curves.map((_, i) => i).sort((a, b) => score(a) - score(b) || a - b);
  const continuing = new Set(order.slice(0, keep));
  const models: ModelAdvice[] = curves.map((c, i) => ({
    model: c.model,
    params: c.params,
    compute: current[i],
    lastLoss: lastLoss[i],
    action: continuing.has(i) ? 'continue' : 'stop',
    next: continuing.has(i) ? next : 0,
    predicted: predicted[i],
  }));

  // the band: the envelope extended by the continuing models' predicted ends, low and high
  const extended = (pick: (p: ModelAdvice['predicted']) => number) => {
    const ends = [...continuing];
    const pseudo = {
      model: 'predicted',
      params: 1,
      compute: Float64Array.from(ends, (i) => predicted[i].compute),
      loss: Float64Array.from(ends, (i) => pick(predicted[i])),
    };
    return fitFrontier(lowerEnvelope([...curves, pseudo]));
  };
  const envelope = lowerEnvelope(curves);
  const law = fitFrontier(envelope);
  return {
    models,
    rounds,
    frontier: law ? { law, lower: extended((p) => Math.max(p.lo90, Number.MIN_VALUE)), upper: extended((p) => p.hi90) } : null,
    notes,
  };
}
