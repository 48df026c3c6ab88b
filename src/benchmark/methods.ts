/** The benchmark's methods by name, with their aliases: what the CLI's options need, without loading the methods. */

export const MODEL_METHODS = ['d-opt', 'v-opt', 'mspe', 'mspe-intra', 'mspe-inter'] as const;
export type ModelMethod = (typeof MODEL_METHODS)[number];

export const METHODS = ['random', 'cheapest', 'cost-rand', 'd-opt', 'v-opt', 'mspe', 'mspe-intra', 'mspe-inter', 'all-data'] as const;
export type Method = (typeof METHODS)[number];
export const METHOD_ALIASES: Readonly<Record<string, Method>> = {
  ...Object.fromEntries(METHODS.map((m) => [m, m])),
  greedy_cheapest: 'cheapest',
  inverse_cost: 'cost-rand',
};

/** Why `explore` cannot be used with this method, or null: ε must lie in [0, 1], and baselines have no acquisition to mix with. */
export function exploreProblem(method: Method, explore: number): string | null {
  if (!(explore >= 0 && explore <= 1)) return `explore ${explore}: must be a number in [0, 1]`;
  if (explore > 0 && !(MODEL_METHODS as readonly string[]).includes(method)) {
    return `explore: only the model-based methods (${MODEL_METHODS.join(', ')}) mix in exploration, not ${method}`;
  }
  return null;
}
