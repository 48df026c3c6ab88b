import type { Selector } from './selector.js';
import { affordable } from './selector.js';

/** Random: a uniformly drawn affordable candidate. */
export const randomSelector: Selector = {
  name: 'random',
  propose(state) {
    const options = affordable(state);
    return options.length ? options[Math.floor(state.rng() * options.length)] : null;
  },
};
