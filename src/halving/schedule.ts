/**
 * Successive Halving's round schedule (arXiv 2605.17234): M0 models, budget B, pruning factor η.
 * In round r every surviving model gets C_r = ⌊B / (|M_r| · ⌈log_η M0⌉)⌋ more compute, then the
 * ⌈|M_r| / η⌉ the strategy ranks best survive; rounds stop when one model is left or B is spent.
 * Uniform allocation (no pruning) gives each model ⌊B / M0⌋ at once.
 */
import type { Curve } from './curves.js';
import { figure } from '../text/figure.js';

/** ⌈log_η M0⌉, the number of rounds that take M0 models down to one. */
export function roundCount(m0: number, eta: number): number {
  // the tolerance keeps exact powers (M0 = η^k) at k rounds despite rounding in the logs
  return Math.max(1, Math.ceil(Math.log(m0) / Math.log(eta) - 1e-9));
}

export interface KeepContext {
  curves: readonly Curve[];
  /** Compute given to each model so far (all M0, pruned ones included). */
  spent: Float64Array;
  survivors: readonly number[];
  /** How many survive this round. */
  keep: number;
  /** Compute each survivor will have when the schedule ends if it keeps surviving. */
  finalCompute: number;
  round: number;
  seedPath: readonly (string | number)[];
  /**
   * What a strategy carries from one round of this schedule to the next (e.g. the surrogate's
   * last hyperparameters, to warm-start the next fit); fresh for every schedule.
   */
  memory: Map<string, unknown>;
  /** What a strategy has to report about this schedule (e.g. a surrogate fit that failed); lands in the record. */
  notes: string[];
}

export interface Strategy {
  name: string;
  /** False for uniform allocation: every model gets an equal share and nothing is pruned. */
  prunes: boolean;
  /** The indices (into curves) that survive, best first. */
  keep(ctx: KeepContext): number[];
}

export interface Round {
  survivors: number[];
  /** Compute each survivor got this round. */
  increment: number;
}

export interface ScheduleResult {
  spent: Float64Array;
  used: number;
  rounds: Round[];
  /** Round in which each model stopped (the last round for those still running). */
  stoppedAt: Int32Array;
  /** The survivors at the end, best first. */
  survivors: number[];
  /** The strategy's notes (`KeepContext.notes`), in round order. */
  notes: string[];
}

/** The budget does not give any model a first step. */
export class BudgetError extends Error {
  override name = 'BudgetError';
}

export function runSchedule(curves: readonly Curve[], strategy: Strategy, budget: number, eta: number, seedPath: readonly (string | number)[]): ScheduleResult {
  const m0 = curves.length;
  const spent = new Float64Array(m0);
  const stoppedAt = new Int32Array(m0);
  const firstStep = Math.min(...curves.map((c) => c.compute[0]));
  const memory = new Map<string, unknown>();
  const notes: string[] = [];
  if (!strategy.prunes) {
    const share = Math.floor(budget / m0);
    if (share < firstStep)
      throw new BudgetError(`budget ${figure(budget)} gives each of ${m0} models ${figure(share)}, less than the first logged compute ${figure(firstStep)}`);
    spent.fill(share);
    const all = curves.map((_, i) => i);
    const ranked = strategy.keep({ curves, spent, survivors: all, keep: m0, finalCompute: share, round: 0, seedPath, memory, notes });
    return { spent, used: share * m0, rounds: [{ survivors: all, increment: share }], stoppedAt, survivors: ranked, notes };
  }
  const R = roundCount(m0, eta);
  let survivors = curves.map((_, i) => i);
  const rounds: Round[] = [];
  let used = 0;
  // what the rounds still to come pay each of `alive` survivors
  const futureCompute = (alive: number) => {
    let total = 0;
    for (let n = alive; n > 1; n = Math.ceil(n / eta)) total += Math.floor(budget / (n * R));
    return total;
  };
  for (let r = 0; survivors.length > 1 && used < budget; r++) {
    const increment = Math.floor(budget / (survivors.length * R));
    if (increment < 1 || (r === 0 && increment < firstStep)) {
      if (r === 0)
        throw new BudgetError(
          `budget ${figure(budget)} gives each of ${m0} models ${figure(increment)} in the first round, less than the first logged compute ${figure(firstStep)}`,
        );
      break;
    }
    for (const s of survivors) spent[s] += increment;
    used += increment * survivors.length;
    rounds.push({ survivors: [...survivors], increment });
    const keep = Math.ceil(survivors.length / eta);
    const next = strategy.keep({ curves, spent, survivors, keep, finalCompute: spent[survivors[0]] + futureCompute(keep), round: r, seedPath, memory, notes });
    for (const s of survivors) stoppedAt[s] = r;
    survivors = next.slice(0, keep);
    for (const s of survivors) stoppedAt[s] = r + 1;
  }
  return { spent, used, rounds, stoppedAt, survivors, notes };
}
