/**
 * A halving experiment over seeds, written like `active-sl run`'s results:
 * `<out>/halving/<curves>/<strategy>/<run id>/{config.json, runs.jsonl, summary.json}`, one line per
 * seed as it finishes, the summary rewritten atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { atomicWrite } from '../runtime/files.js';
import { runPool, workerFile } from '../runtime/pool.js';
import { createProgress } from '../runtime/progress.js';
import type { Curve } from './curves.js';
import type { Strategy } from './schedule.js';
import runHalvingJob, { type HalvingJob } from './worker.js';
import { runHalvingUnit, sourceName, unitCurves, type CurveSource, type HalvingConfig, type HalvingRecord } from './unit.js';

export interface HalvingRunOptions extends HalvingConfig {
  seeds: number;
  workers: number;
  out: string;
  quiet: boolean;
  /** Draws seed 0 (its curves and what the schedule did) as SVG text; the picture is skipped without it. */
  draw?: (title: string, curves: readonly Curve[], record: HalvingRecord) => Promise<string>;
}

export interface HalvingSummary {
  curves: string;
  strategy: string;
  m0: number;
  budget: number;
  eta: number;
  seeds: number;
  mean: { finalLoss: number; regret: number; computeSaved: number; abc: number | null };
  /** Seeds whose record carries notes from the strategy (e.g. a surrogate fit that failed). */
  seedsWithNotes: number;
}

const average = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN);

export function summariseHalving(curves: string, strategy: string, config: HalvingConfig, records: readonly HalvingRecord[]): HalvingSummary {
  const abc = records.map((r) => r.abc).filter((v): v is number => v !== null);
  return {
    curves,
    strategy,
    m0: config.m0,
    budget: config.budget,
    eta: config.eta,
    seeds: records.length,
    mean: {
      finalLoss: average(records.map((r) => r.finalLoss)),
      regret: average(records.map((r) => r.regret)),
      computeSaved: average(records.map((r) => r.computeSaved)),
      abc: abc.length ? average(abc) : null,
    },
    seedsWithNotes: records.filter((r) => r.notes?.length).length,
  };
}

function runDir(root: string): string {
  fs.mkdirSync(root, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let dir = path.join(root, stamp);
  for (let k = 2; fs.existsSync(dir); k++) dir = path.join(root, `${stamp}-${k}`);
  fs.mkdirSync(dir);
  return dir;
}

export async function runHalving(
  source: CurveSource,
  strategy: Strategy,
  options: HalvingRunOptions,
): Promise<{ dir: string; summary: HalvingSummary; picture: string | null }> {
  const name = sourceName(source);
  const config: HalvingConfig = { m0: options.m0, budget: options.budget, eta: options.eta, seed: options.seed };
  // the first seed runs before anything is written: a budget too small fails with nothing on disk
  const first = runHalvingUnit(source, strategy, config, 0);
  const dir = runDir(path.join(options.out, 'halving', name, strategy.name));
  atomicWrite(
    path.join(dir, 'config.json'),
    `${JSON.stringify({ curves: name, source: source.kind === 'synthetic' ? source.spec : null, strategy: strategy.name, ...config, seeds: options.seeds }, null, 2)}\n`,
  );
  const records: HalvingRecord[] = [];
  const progress = createProgress(options.seeds, `${name} ${strategy.name}`, { quiet: options.quiet });
  const record = (repeat: number, r: HalvingRecord) => {
    records.push(r);
    fs.appendFileSync(path.join(dir, 'runs.jsonl'), `${JSON.stringify(r)}\n`);
    atomicWrite(path.join(dir, 'summary.json'), `${JSON.stringify(summariseHalving(name, strategy.name, config, records), null, 2)}\n`);
    progress.tick(`seed ${repeat}: final loss ${r.finalLoss.toFixed(4)}, winner ${r.winner}`);
  };
  record(0, first);
  const jobs: HalvingJob[] = Array.from({ length: options.seeds - 1 }, (_, k) => ({ source, strategy: strategy.name, config, repeat: k + 1 }));
  // the pool hands results back in seed order, so runs.jsonl is the same whatever --workers is
  await runPool(workerFile(new URL('./worker.js', import.meta.url)), runHalvingJob, jobs, options.workers, (i, r) => record(i + 1, r));
  const summary = summariseHalving(name, strategy.name, config, records);
  // the picture comes after the numbers are safe on disk
  let picture: string | null = null;
  if (options.draw) {
    picture = path.join(dir, 'seed-0.svg');
    const title = `${name} · ${strategy.name} · M0 ${config.m0} · B ${config.budget} · η ${config.eta} · seed 0`;
    atomicWrite(picture, `${await options.draw(title, unitCurves(source, config, 0), first)}\n`);
  }
  progress.done(`results: ${dir}`);
  return { dir, summary, picture };
}
