/** Uniform allocation: every model gets ⌊B / M0⌋ of compute; nothing is pruned. */
import type { Strategy } from '../schedule.js';
import { byObservedLoss } from './sh.js';

export const uniformAllocation: Strategy = { name: 'ua', prunes: false, keep: byObservedLoss };
