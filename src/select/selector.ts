/**
 * What every selector sees and returns. A selector proposes one affordable pool row at a time; the
 * budget loop decides whether it fits within the current budget level.
 */
import type { Rng } from '../random/seeds.js';

export interface SelectionState {
  /** Pool rows not chosen yet, ascending. */
  candidates: readonly number[];
  /** Pool rows chosen so far, in order. */
  observed: readonly number[];
  cost: Float64Array;
  spent: number;
  /** The group's total pool cost. */
  total: number;
  rng: Rng;
}

/** Budget-feasibility slack, as the reference's comparisons use. */
export const COST_SLACK = 1e-12;

/** Candidates whose cost fits in what is left of the whole budget. */
export function affordable(state: SelectionState): number[] {
  const left = state.total - state.spent + COST_SLACK;
  return state.candidates.filter((i) => state.cost[i] <= left);
}

export interface Selector {
  readonly name: string;
  /** One pool row to run next, or null when nothing is affordable. */
  propose(state: SelectionState): number | null;
}
