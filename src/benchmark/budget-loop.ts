/**
 * The budget loop of one unit (one law × one repeat), as the reference runs it. Per budget level b
 * and per group (independently): points proposed earlier that would have overshot the previous
 * level are paid for first; then the policy proposes one affordable row at a time until the spend
 * reaches b × the group's total cost — a row that would overshoot waits for the next level; then
 * the policy reports its fit. The level's score is one R² over all groups' target regions.
 */
import type { GroupData, TaskData } from '../data/dataset.js';
import type { Law } from '../laws/law.js';
import { COST_SLACK, type SelectionState } from '../select/selector.js';
import { taskR2 } from './r2.js';
import { rngFor, type Rng } from '../random/seeds.js';

/** What a method does inside one group. */
export interface GroupPolicy {
  /** The next pool row to run, or null when it has nothing to propose. */
  propose(state: SelectionState): number | null;
  /** The fit to report at the end of a level, or null when there is none. */
  fitAtLevel(state: SelectionState): Float64Array | null;
}

export interface PolicyContext {
  law: Law;
  group: GroupData;
  /** The group's random stream: the design's draws (and, under the reference protocol, the fits' starts). */
  rng: Rng;
  /** The group's seed path, for streams of its own (e.g. starts that must not move the design). */
  seedPath: readonly (string | number)[];
}

export type PolicyFactory = (ctx: PolicyContext) => GroupPolicy;

export interface GroupTrace {
  /** Pool rows run, in order (indices within the group's pool, file order). */
  chosen: number[];
  /** Cost spent at the end of each level. */
  spent: number[];
  /** Whether a usable fit was reported at each level. */
  fitted: boolean[];
}

export interface UnitOutcome {
  r2: number[];
  groups: Record<string, GroupTrace>;
}

export interface UnitSpec {
  data: TaskData;
  law: Law;
  /** Seed path of this unit, e.g. [seed, task, law, repeat]; each group appends its name. */
  seedPath: readonly (string | number)[];
}

export function runBudgetLoop(spec: UnitSpec, makePolicy: PolicyFactory): UnitOutcome {
  const { data, law } = spec;
  const groups = data.groups.map((group) => {
    const rng = rngFor([...spec.seedPath, group.name]);
    const state = {
      candidates: Array.from({ length: group.pool.n }, (_, i) => i),
      observed: [] as number[],
      cost: group.pool.cost,
      spent: 0,
      total: group.totalCost,
      rng,
    };
    const policy = makePolicy({ law, group, rng, seedPath: [...spec.seedPath, group.name] });
    return { group, state, policy, pending: [] as number[], trace: { chosen: [], spent: [], fitted: [] } as GroupTrace };
  });

  const r2: number[] = [];
  for (const level of data.task.budgets) {
    const thetas: (Float64Array | null)[] = [];
    for (const g of groups) {
      const { state } = g;
      const target = level * state.total;
      for (const row of g.pending) {
        state.spent += state.cost[row];
        state.observed.push(row);
      }
      g.pending = [];
      while (state.spent < target - COST_SLACK && state.candidates.length > 0) {
        const pick = g.policy.propose(state);
        if (pick === null) break;
        state.candidates = state.candidates.filter((i) => i !== pick);
        if (state.spent + state.cost[pick] > target + COST_SLACK) {
          g.pending = [pick];
          break;
        }
        state.spent += state.cost[pick];
        state.observed.push(pick);
      }
      const theta = state.observed.length > 0 ? g.policy.fitAtLevel(state) : null;
      thetas.push(theta);
      g.trace.spent.push(state.spent);
      g.trace.fitted.push(theta !== null);
    }
    r2.push(taskR2(law, data.groups, thetas));
  }
  const traces: Record<string, GroupTrace> = {};
  for (const g of groups) traces[g.group.name] = { ...g.trace, chosen: [...g.state.observed] };
  return { r2, groups: traces };
}
