import type { Selector } from './selector.js';
import { affordable, COST_SLACK } from './selector.js';

/** Cheapest: argmin cost over affordable candidates, ties broken at random. */
export const cheapestSelector: Selector = {
  name: 'cheapest',
  propose(state) {
    const options = affordable(state);
    if (!options.length) return null;
    let min = Infinity;
    for (const i of options) min = Math.min(min, state.cost[i]);
    const ties = options.filter((i) => Math.abs(state.cost[i] - min) < COST_SLACK);
    return ties[Math.floor(state.rng() * ties.length)];
  },
};
