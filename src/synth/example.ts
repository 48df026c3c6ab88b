/**
 * The scenario `active-sl synth --help` shows, as data: tests check that the help's text is this
 * spec and that it generates, so the example a user copies always works.
 */
import type { ScenarioSpecInput } from './spec.js';

/** A fresh copy each call (callers may change it). */
export function exampleScenarioSpec(): ScenarioSpecInput {
  return {
    name: 'broken-power-law',
    truth: {
      formula: 'E + A * N^(-alpha) * (1 + N / Nb)^(alpha - alpha2) + B * D^(-beta)',
      values: { E: 1.69, A: 406.4, alpha: 0.34, alpha2: 0.15, Nb: 2e9, B: 410.7, beta: 0.28 },
    },
    laws: {
      chinchilla: {
        formula: 'E + A * N^(-alpha) + B * D^(-beta)',
        params: { E: [0.5, 4], A: [1, 1e5], alpha: [0.05, 1.5], B: [1, 1e6], beta: [0.05, 1.5] },
      },
    },
    features: ['N', 'D'],
    target: 'loss',
    pool: { N: { from: 1e7, to: 1e9, points: 8, scale: 'log' }, D: { from: 2e8, to: 2e10, points: 8 } },
    region: { N: { from: 3e9, to: 1e10, points: 3 }, D: { from: 6e10, to: 2e11, points: 3 } },
    cost: '6 * N * D',
    budgets: [0.01, 0.05, 0.1],
    noise: { sd: 0.02, costPower: 0, outliers: { fraction: 0, offset: 0.5 } },
    seed: 0,
  };
}
