import { weightedIndex } from '../random/seeds.js';
import type { Selector } from './selector.js';
import { affordable } from './selector.js';

/** Cost Rand: an affordable candidate drawn with probability ∝ 1/cost. */
export const costRandSelector: Selector = {
  name: 'cost-rand',
  propose(state) {
    const options = affordable(state);
    if (!options.length) return null;
    const w = options.map((i) => 1 / Math.max(state.cost[i], 1e-30));
    return options[weightedIndex(state.rng, w)];
  },
};
