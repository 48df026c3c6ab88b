/**
 * `active-sl stress`: every method on synthetic scenarios where the fitted law is right (the
 * control) or wrong in a known way, at several noise levels — where can active selection be
 * trusted? Each scenario × noise level × repeat is its own noise draw, written as an ordinary task
 * folder (`active-sl synth`); units are appended as they finish, so a killed suite resumes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FitterName } from '../fit/multistart.js';
import { runPool, workerFile } from '../runtime/pool.js';
import { createProgress } from '../runtime/progress.js';
import { atomicWrite, readJsonLines } from '../runtime/files.js';
import type { Method } from '../benchmark/unit.js';
import { loadTaskData, type TaskData } from '../data/dataset.js';
import { numericColumn, readTable } from '../data/table.js';
import { loadTask } from '../data/task.js';
import { NOISE_LEVELS, presetSpec, STRESS_SCENARIOS, type NoiseLevel } from '../synth/presets.js';
import { writeScenario } from '../synth/write.js';
import { stressMarkdown, summariseStress, type StressSummary } from './summary.js';
import { runStressUnit, type StressJob, type StressRecord, type StressVariant } from './unit.js';

export const STRESS_METHODS: readonly Method[] = ['random', 'cheapest', 'cost-rand', 'd-opt', 'v-opt', 'mspe', 'all-data'];
/** The exploration share tried beside plain MSPE: one pick in five space-filling. */
export const EXPLORE_EPSILON = 0.2;
/** Robust fits treat a residual beyond 3 noise sd as an outlier: a clean run rarely lands there. */
export const ROBUST_SCALE_IN_SD = 3;
/** Robust variants run where they should help (diverged runs) and where they can only cost (the control). */
export const ROBUST_SCENARIOS: readonly string[] = ['diverged', 'control'];
export const ROBUST_METHODS: readonly Method[] = ['random', 'mspe', 'all-data'];
export const CONTROL_SCENARIO = 'control';

export interface StressOptions {
  out: string;
  repeats: number;
  scenarios: string[];
  noises: NoiseLevel[];
  methods: Method[];
  /** Add `mspe+explore(ε)` and the robust-loss variants. */
  extras: boolean;
  restarts: number;
  /** Default lbfgsb. */
  fitter?: FitterName;
  seed: number;
  workers: number;
  quiet: boolean;
}

export class StressConflict extends Error {
  override name = 'StressConflict';
}

/** The method variants run on one scenario (labels are stable across noise levels). */
export function variantsFor(scenario: string, noiseSd: number, methods: readonly Method[], extras: boolean): StressVariant[] {
  const out: StressVariant[] = methods.map((method) => ({ label: method, method }));
  if (!extras) return out;
  if (methods.includes('mspe')) out.push({ label: `mspe+explore(${EXPLORE_EPSILON})`, method: 'mspe', explore: EXPLORE_EPSILON });
  if (ROBUST_SCENARIOS.includes(scenario)) {
    for (const method of ROBUST_METHODS.filter((m) => methods.includes(m))) {
      out.push({ label: `${method}+huber(${ROBUST_SCALE_IN_SD}σ)`, method, loss: { loss: 'huber', fScale: ROBUST_SCALE_IN_SD * noiseSd } });
    }
  }
  return out;
}

/** Noise draws prepared per worker before the pool runs them. */
const DRAWS_AHEAD_PER_WORKER = 4;

const keyOf = (r: { scenario: string; noise: string; repeat: number; variant: string }) => `${r.scenario}|${r.noise}|${r.repeat}|${r.variant}`;

interface Scenario {
  data: TaskData;
  law: string;
  observedTarget: Float64Array;
  noiseSd: number;
}

/** Writes (or reuses) the task folder of one noise draw and loads it the way `run --task` does. */
async function prepareScenario(root: string, name: string, noise: NoiseLevel, draw: number): Promise<Scenario> {
  const spec = presetSpec(name, noise, draw);
  const dir = path.join(root, 'scenarios', `${name}-${noise}-${draw}`);
  if (!fs.existsSync(path.join(dir, 'task.json'))) writeScenario(spec, dir, { force: true });
  const task = loadTask(path.join(dir, 'task.json'));
  const data = await loadTaskData(task);
  const table = await readTable(data.files.target);
  const observedTarget = numericColumn(table, `${spec.target}_observed`, data.groups[0].target.rows);
  return { data, law: Object.keys(task.laws)[0], observedTarget, noiseSd: NOISE_LEVELS[noise] };
}

export interface StressResult {
  dir: string;
  summary: StressSummary;
  markdown: string;
  ran: number;
  skipped: number;
}

export async function runStressSuite(options: StressOptions): Promise<StressResult> {
  const unknown = options.scenarios.filter((s) => !(STRESS_SCENARIOS as readonly string[]).includes(s));
  if (unknown.length) throw new StressConflict(`--scenarios: no scenario ${unknown.join(', ')}; choose from ${STRESS_SCENARIOS.join(', ')}`);
  fs.mkdirSync(options.out, { recursive: true });
  const configFile = path.join(options.out, 'stress-config.json');
  const fitter = options.fitter ?? 'lbfgsb';
  // an old suite folder has no fitter in its config: it was run with lbfgsb
  const config = { seed: options.seed, restarts: options.restarts, ...(fitter === 'lbfgsb' ? {} : { fitter }) };
  if (fs.existsSync(configFile)) {
    const before = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { seed: number; restarts: number; fitter?: FitterName };
    if (before.seed !== config.seed || before.restarts !== config.restarts || (before.fitter ?? 'lbfgsb') !== fitter) {
      throw new StressConflict(
        `${options.out} holds a suite run with --seed ${before.seed} --restarts ${before.restarts} --fitter ${before.fitter ?? 'lbfgsb'}; use those, or another --out`,
      );
    }
  } else atomicWrite(configFile, `${JSON.stringify(config, null, 2)}\n`);

  const unitsFile = path.join(options.out, 'units.jsonl');
  const records = readJsonLines<StressRecord>(unitsFile);
  const done = new Set(records.map(keyOf));
  // what is left, one entry per noise draw: tiny, so a huge --repeats costs nothing until it runs
  const draws: { scenario: string; noise: NoiseLevel; repeat: number; todo: StressVariant[] }[] = [];
  const allVariants: string[] = [];
  let expected = 0;
  let pending = 0;
  for (const scenario of options.scenarios) {
    for (const noise of options.noises) {
      const variants = variantsFor(scenario, NOISE_LEVELS[noise], options.methods, options.extras);
      for (const v of variants) if (!allVariants.includes(v.label)) allVariants.push(v.label);
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        expected += variants.length;
        const todo = variants.filter((v) => !done.has(keyOf({ scenario, noise, repeat, variant: v.label })));
        if (!todo.length) continue;
        draws.push({ scenario, noise, repeat, todo });
        pending += todo.length;
      }
    }
  }
  // every preset shares one set of budget levels
  const budgets = [...presetSpec(options.scenarios[0], options.noises[0], 0).budgets];

  const layout = { budgets, scenarios: [...STRESS_SCENARIOS], noises: Object.keys(NOISE_LEVELS), variants: allVariants, control: CONTROL_SCENARIO };
  const mine = () =>
    records.filter(
      (r) =>
        options.scenarios.includes(r.scenario) &&
        (options.noises as string[]).includes(r.noise) &&
        r.repeat < options.repeats &&
        allVariants.includes(r.variant),
    );
  const write = () => {
    const summary = summariseStress(mine(), { ...layout, expected });
    atomicWrite(path.join(options.out, 'stress-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  };
  const progress = createProgress(pending, 'stress suite', { quiet: options.quiet, workers: options.workers });
  // scenario folders are written a few draws ahead of the workers, never all at once
  const ahead = Math.max(DRAWS_AHEAD_PER_WORKER * options.workers, DRAWS_AHEAD_PER_WORKER);
  let finished = 0;
  for (let first = 0; first < draws.length; first += ahead) {
    const jobs: StressJob[] = [];
    for (const d of draws.slice(first, first + ahead)) {
      const s = await prepareScenario(options.out, d.scenario, d.noise, d.repeat);
      for (const variant of d.todo) {
        jobs.push({
          scenario: d.scenario,
          noise: d.noise,
          repeat: d.repeat,
          variant,
          data: s.data,
          law: s.law,
          observedTarget: s.observedTarget,
          seed: options.seed,
          restarts: options.restarts,
          fitter,
        });
      }
    }
    await runPool(workerFile(new URL('./worker.js', import.meta.url)), runStressUnit, jobs, options.workers, (_, record) => {
      fs.appendFileSync(unitsFile, `${JSON.stringify(record)}\n`);
      records.push(record);
      progress.tick(`${record.scenario} ${record.noise} #${record.repeat} ${record.variant}: R² ${record.r2.map((v) => v.toFixed(2)).join(' ')}`);
      if (++finished % 10 === 0) write();
    });
  }
  const summary = write();
  const markdown = stressMarkdown(summary);
  atomicWrite(path.join(options.out, 'stress.md'), markdown);
  progress.done(`results: ${options.out}`);
  return { dir: options.out, summary, markdown, ran: pending, skipped: expected - pending };
}
