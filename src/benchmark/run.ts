/**
 * `active-sl run`: a method on a task over laws × repeats, spread over worker threads, written unit
 * by unit so that a killed run resumes where it stopped, and sharded for many machines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadTaskData, type TaskData } from '../data/dataset.js';
import { packageRoot } from '../data/locate.js';
import type { TaskSpec } from '../data/task.js';
import { runPool, workerFile } from '../runtime/pool.js';
import { createProgress } from '../runtime/progress.js';
import { atomicWrite } from '../runtime/files.js';
import {
  appendRun,
  configDifferences,
  createRunDir,
  latestRunDir,
  methodDir,
  methodLabel,
  readConfig,
  readRuns,
  summarise,
  type RunConfig,
  type Shard,
  type Summary,
  withDefaults,
} from './results.js';
import { taskWarnings } from './task-warnings.js';
import { exploreProblem } from './unit.js';
import { lossProblem, normaliseLoss } from '../fit/robust.js';
import runJob, { type UnitJob } from './worker.js';
import type { UnitConfig, UnitRecord } from './unit.js';

/** A unit's configuration, for every law × repeat of a task. */
export interface RunOptions extends UnitConfig {
  task: TaskSpec;
  laws: string[];
  repeats: number;
  workers: number;
  out: string;
  dataDir?: string;
  shard: Shard | null;
  resume: boolean;
  quiet: boolean;
  /**
   * Told when a resumed run folder was made by another version of active-sl, whose units will sit
   * beside this version's, and when the task makes its scores degenerate (`taskWarnings`); by
   * default written to stderr, --quiet or not.
   */
  onWarning?: (message: string) => void;
}

export interface RunResult {
  dir: string;
  summary: Summary;
  ran: number;
  skipped: number;
}

/** A configuration that cannot be resumed; the CLI reports it as a usage error. */
export class ResumeConflict extends Error {
  override name = 'ResumeConflict';
  constructor(
    /** The run folder that cannot be resumed. */
    readonly dir: string,
    /** What differs, e.g. `repeats: 1 there, 10 now`. */
    readonly differences: string,
  ) {
    super(`--resume: the latest run in ${dir} has another configuration (${differences}); run without --resume to start a new one`);
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Units are (law, repeat) in law-major order; a shard takes every count-th, starting at its index. */
export function unitsOf(laws: readonly string[], repeats: number, shard: Shard | null): { law: string; repeat: number }[] {
  const all = laws.flatMap((law) => Array.from({ length: repeats }, (_, repeat) => ({ law, repeat })));
  return shard ? all.filter((_, i) => i % shard.count === shard.index) : all;
}

export async function runBenchmark(options: RunOptions, preloaded?: TaskData): Promise<RunResult> {
  const { task } = options;
  const loss = normaliseLoss(options.loss);
  const explore = options.explore ?? 0;
  const problem = lossProblem(loss) ?? exploreProblem(options.method, explore);
  if (problem) throw new RangeError(problem);
  const data = preloaded ?? (await loadTaskData(task, { dataDir: options.dataDir }));
  const config: RunConfig = {
    task: task.name,
    taskFile: task.builtin ? null : path.resolve(task.file),
    method: options.method,
    laws: options.laws,
    repeats: options.repeats,
    seed: options.seed,
    restarts: options.restarts,
    fitter: options.fitter,
    gradient: options.gradient,
    loss: loss.loss,
    fScale: loss.fScale,
    explore,
    budgets: task.budgets,
    shard: options.shard,
    version: packageVersion(),
  };
  const units = unitsOf(options.laws, options.repeats, options.shard);
  const label = methodLabel(config);
  const root = methodDir(options.out, task.name, label);

  let dir: string | null = null;
  let finished = new Set<string>();
  let records = [] as ReturnType<typeof readRuns>;
  /** The version that started a resumed folder, null when nothing is resumed. */
  let resumedVersion: string | null = null;
  if (options.resume) {
    dir = latestRunDir(root, options.shard);
    if (dir) {
      const previous = withDefaults(readConfig(dir)!);
      const diff = configDifferences(previous, config);
      if (diff.length) {
        throw new ResumeConflict(
          dir,
          diff.map((k) => `${k}: ${JSON.stringify(previous[k as keyof RunConfig])} there, ${JSON.stringify(config[k as keyof RunConfig])} now`).join('; '),
        );
      }
      records = readRuns(dir);
      finished = new Set(records.map((r) => `${r.law}#${r.repeat}`));
      resumedVersion = previous.version ?? '(unknown version)';
    }
  }
  dir ??= createRunDir(root, config);

  const todo = units.filter((u) => !finished.has(`${u.law}#${u.repeat}`));
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`active-sl: warning: ${m}\n`));
  if (todo.length > 0) for (const w of taskWarnings(data, task.budgets)) warn(`${task.name}: ${w}`);
  if (resumedVersion !== null && resumedVersion !== config.version && todo.length > 0) {
    warn(
      `--resume: ${dir} was started by active-sl ${resumedVersion}, this is ${config.version}; ` +
        `its remaining units will come from ${config.version} (each unit records its version in runs.jsonl). ` +
        `If the fits changed in between, run without --resume to have one version throughout`,
    );
  }
  const progress = createProgress(todo.length, `${task.name} ${label}`, { quiet: options.quiet, workers: options.workers });
  const writeSummary = () => atomicWrite(path.join(dir, 'summary.json'), `${JSON.stringify(summarise(config, records, units.length), null, 2)}\n`);
  const jobs: UnitJob[] = todo.map((u) => ({
    data,
    law: u.law,
    repeat: u.repeat,
    config: { method: options.method, seed: options.seed, restarts: options.restarts, fitter: options.fitter, gradient: options.gradient, loss, explore },
  }));
  await runUnits(jobs, options.workers, (i, unit) => {
    const record = { ...unit, version: config.version };
    appendRun(dir, record);
    records.push(record);
    writeSummary();
    progress.tick(`${todo[i].law} repeat ${todo[i].repeat}: R² ${record.r2.map((v) => v.toFixed(3)).join(' ')}`);
  });
  writeSummary();
  const summary = summarise(config, records, units.length);
  progress.done(`results: ${dir}`);
  return { dir, summary, ran: todo.length, skipped: units.length - todo.length };
}

/** The benchmark's units on the worker pool, results in unit order. */
function runUnits(jobs: readonly UnitJob[], workers: number, onResult: (index: number, record: UnitRecord) => void): Promise<void> {
  return runPool(workerFile(new URL('./worker.js', import.meta.url)), runJob, jobs, workers, onResult);
}
