/** The halving strategies by name. */
import type { Strategy } from '../schedule.js';
import { ensembleHalving } from './sh-de.js';
import { frontierHalving } from './sh-frontier.js';
import { surrogateHalving } from './sh-lmc.js';
import { successiveHalving } from './sh.js';
import { uniformAllocation } from './ua.js';

export const STRATEGIES: Readonly<Record<string, Strategy>> = {
  ua: uniformAllocation,
  sh: successiveHalving,
  'sh-lmc': surrogateHalving,
  'sh-de': ensembleHalving('pl'),
  'sh-de-exp': ensembleHalving('exp'),
  'sh-de-mmf': ensembleHalving('mmf'),
  'sh-frontier': frontierHalving,
};
