/**
 * A scenario spec → the three files of a task folder, in memory. Pure: the same spec (seed
 * included) gives the same bytes on any machine, and nothing here touches the file system, so a
 * spec that fails any check leaves nothing behind.
 */
import { rngFor } from '../random/seeds.js';
import type { Columns } from '../laws/formula/index.js';
import { csvText, shortNumber } from './format.js';
import { checkLaws, compileCost, compileTruth } from './formulas.js';
import { gridColumns } from './grid.js';
import { addNoise, noiseSds, referenceCost, sampleIndices } from './noise.js';
import { parseScenarioSpec, ScenarioError, type NoiseSpec, type ScenarioSpec, type ScenarioSpecInput } from './spec.js';

export const SCENARIO_FILES = { task: 'task.json', pool: 'pool.csv', target: 'target.csv' } as const;

export interface ScenarioSummary {
  name: string;
  poolRows: number;
  targetRows: number;
  /** Pool rows given the outlier offset. */
  diverged: number;
  noise: NoiseSpec;
  /** The geometric-mean pool cost, at which a run's noise sd is exactly noise.sd. */
  referenceCost: number;
  seed: number;
}

export interface GeneratedScenario {
  spec: ScenarioSpec;
  /** File name → contents. */
  files: Record<string, string>;
  summary: ScenarioSummary;
}

function pointText(features: readonly string[], X: Columns, i: number): string {
  return features.map((f, k) => `${f}=${shortNumber(X[k][i])}`).join(', ');
}

function checkFinite(values: Float64Array, field: string, what: string, place: string, features: readonly string[], X: Columns, positive: boolean): void {
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || (positive && v <= 0)) {
      throw new ScenarioError(field, `gives ${shortNumber(v)} at the ${place} point ${pointText(features, X, i)}; ${what}`);
    }
  });
}

function argMax(values: Float64Array): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > values[best]) best = i;
  });
  return best;
}

/** The target region is what the pilots extrapolate to: each of its points must cost more than any pilot. */
function checkRegionBeyondPool(spec: ScenarioSpec, poolX: Columns, poolCost: Float64Array, regionX: Columns, regionCost: Float64Array): void {
  const top = argMax(poolCost);
  regionCost.forEach((c, i) => {
    if (!(c > poolCost[top])) {
      throw new ScenarioError(
        'region',
        `the point ${pointText(spec.features, regionX, i)} costs ${shortNumber(c)}, not above the pool's largest cost ` +
          `${shortNumber(poolCost[top])} (at ${pointText(spec.features, poolX, top)}): the target region must lie beyond every pool run`,
      );
    }
  });
}

function taskJson(spec: ScenarioSpec, reference: number): string {
  const task = {
    name: spec.name,
    description: spec.description ?? `synthetic scenario written by active-sl synth; truth: ${spec.truth.formula}`,
    features: spec.features,
    targets: [spec.target],
    cost: spec.cost,
    candidates: SCENARIO_FILES.pool,
    target: SCENARIO_FILES.target,
    budgets: spec.budgets,
    laws: spec.laws,
    synthetic: {
      generator: 'active-sl synth',
      spec,
      noiseReferenceCost: reference,
      columns: {
        [SCENARIO_FILES.pool]: `${spec.target} = truth + noise (+ offset where diverged = 1); ${spec.target}_true = truth`,
        [SCENARIO_FILES.target]: `${spec.target} = truth; ${spec.target}_observed = truth + one noise draw (no outliers)`,
      },
    },
  };
  return `${JSON.stringify(task, null, 2)}\n`;
}

export function generateScenario(input: ScenarioSpec | ScenarioSpecInput): GeneratedScenario {
  const spec = parseScenarioSpec(input);
  const truth = compileTruth(spec);
  const cost = compileCost(spec);
  checkLaws(spec);
  const { features } = spec;

  const poolX = gridColumns(features, spec.pool);
  const regionX = gridColumns(features, spec.region);
  const poolCost = cost(poolX);
  const regionCost = cost(regionX);
  checkFinite(poolCost, 'cost', 'every cost must be finite and above 0', 'pool', features, poolX, true);
  checkFinite(regionCost, 'cost', 'every cost must be finite and above 0', 'region', features, regionX, true);
  checkRegionBeyondPool(spec, poolX, poolCost, regionX, regionCost);
  const poolTruth = truth(poolX);
  const regionTruth = truth(regionX);
  checkFinite(poolTruth, 'truth.formula', 'the truth must be finite everywhere', 'pool', features, poolX, false);
  checkFinite(regionTruth, 'truth.formula', 'the truth must be finite everywhere', 'region', features, regionX, false);

  // Streams named by the seed alone, not the scenario: scenarios run with one seed share their
  // noise draws, so differences between them come from the truth and the noise model only.
  const reference = referenceCost(poolCost);
  const observed = addNoise(poolTruth, noiseSds(poolCost, spec.noise, reference), rngFor(['active-sl synth', spec.seed, 'pool']));
  const n = poolTruth.length;
  const divergedRows = sampleIndices(n, Math.round(spec.noise.outliers.fraction * n), rngFor(['active-sl synth', spec.seed, 'diverged']));
  const diverged = new Float64Array(n);
  for (const i of divergedRows) {
    diverged[i] = 1;
    observed[i] += spec.noise.outliers.offset;
  }
  const regionObserved = addNoise(regionTruth, noiseSds(regionCost, spec.noise, reference), rngFor(['active-sl synth', spec.seed, 'target']));

  const t = spec.target;
  return {
    spec,
    files: {
      [SCENARIO_FILES.task]: taskJson(spec, reference),
      [SCENARIO_FILES.pool]: csvText([...features, t, `${t}_true`, 'diverged'], [...poolX, observed, poolTruth, diverged]),
      [SCENARIO_FILES.target]: csvText([...features, t, `${t}_observed`], [...regionX, regionTruth, regionObserved]),
    },
    summary: {
      name: spec.name,
      poolRows: n,
      targetRows: regionTruth.length,
      diverged: divergedRows.length,
      noise: spec.noise,
      referenceCost: reference,
      seed: spec.seed,
    },
  };
}
