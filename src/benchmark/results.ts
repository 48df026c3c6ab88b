/**
 * Result folders (DESIGN.md contract): `<out>/<task>/<method>/<run id>/` with `config.json`,
 * `runs.jsonl` (one line per unit, in unit order) and `summary.json` (written atomically).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LOSS, lossLabel, type RobustLoss } from '../fit/robust.js';
import type { UnitRecord } from './unit.js';
import { atomicWrite, readJsonLines } from '../runtime/files.js';

export interface Shard {
  index: number;
  count: number;
}

export interface RunConfig {
  task: string;
  /** The task file, for user tasks. */
  taskFile: string | null;
  method: string;
  laws: string[];
  repeats: number;
  seed: number;
  restarts: number;
  fitter: string;
  gradient: string;
  /** Absent in runs made before robust losses and exploration: read as l2, 1 and 0 (`withDefaults`). */
  loss?: RobustLoss;
  fScale?: number;
  explore?: number;
  budgets: number[];
  shard: Shard | null;
  version: string;
}

/** A configuration with the fields older runs lack filled in with what those runs did. */
export function withDefaults(config: RunConfig): RunConfig {
  return { ...config, loss: config.loss ?? DEFAULT_LOSS.loss, fScale: config.fScale ?? DEFAULT_LOSS.fScale, explore: config.explore ?? 0 };
}

/**
 * The name a run's results go by (its folder, its rows in tables and reports): the method for the
 * default loss and no exploration, else e.g. `mspe+huber(0.05)`, `mspe+explore(0.2)` or both, so
 * that such runs are never merged with the method's plain ones.
 */
export function methodLabel(config: RunConfig): string {
  const c = withDefaults(config);
  const parts = [c.method];
  if (c.loss !== DEFAULT_LOSS.loss) parts.push(lossLabel({ loss: c.loss!, fScale: c.fScale! }));
  if (c.explore) parts.push(`explore(${c.explore})`);
  return parts.join('+');
}

export interface LawSummary {
  r2: number[][];
  mean: number[];
  std: number[];
}

export interface Summary {
  task: string;
  method: string;
  budgets: number[];
  repeats: number;
  laws: Record<string, LawSummary>;
  overall: { mean: number[]; std: number[] };
  units: { done: number; expected: number };
}

export function methodDir(out: string, task: string, method: string): string {
  return path.join(out, task, method);
}

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function createRunDir(root: string, config: RunConfig): string {
  fs.mkdirSync(root, { recursive: true });
  const base = `${timestamp()}${config.shard ? `-shard-${config.shard.index}-of-${config.shard.count}` : ''}`;
  let dir = path.join(root, base);
  for (let k = 2; fs.existsSync(dir); k++) dir = path.join(root, `${base}-${k}`);
  fs.mkdirSync(dir);
  atomicWrite(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

export function readConfig(dir: string): RunConfig | null {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RunConfig;
}

/** The newest run folder under root for the same shard (run ids sort by time). */
export function latestRunDir(root: string, shard: Shard | null): string | null {
  if (!fs.existsSync(root)) return null;
  const dirs = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(root, d.name))
    .filter((d) => {
      const c = readConfig(d);
      return c !== null && JSON.stringify(c.shard) === JSON.stringify(shard);
    })
    .sort();
  return dirs.length ? dirs[dirs.length - 1] : null;
}

/** Keys whose values differ between two configurations (the version aside; missing fields read as their defaults). */
export function configDifferences(first: RunConfig, second: RunConfig): string[] {
  const a = withDefaults(first);
  const b = withDefaults(second);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('version');
  return [...keys].filter((k) => JSON.stringify(a[k as keyof RunConfig]) !== JSON.stringify(b[k as keyof RunConfig]));
}

/** The finished units of a run folder. */
export function readRuns(dir: string): UnitRecord[] {
  return readJsonLines<UnitRecord>(path.join(dir, 'runs.jsonl'));
}

export function appendRun(dir: string, record: UnitRecord): void {
  fs.appendFileSync(path.join(dir, 'runs.jsonl'), `${JSON.stringify(record)}\n`);
}

const finiteOr = (v: number, fallback: number) => (Number.isFinite(v) ? v : fallback);

function meanStd(values: number[]): [number, number] {
  if (!values.length) return [-1, 0];
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return [mean, Math.sqrt(variance)];
}

/** Mean and (population) std per law over repeats; overall = mean and std across laws of the law means. */
export function summarise(config: RunConfig, records: readonly UnitRecord[], expected: number): Summary {
  const B = config.budgets.length;
  const laws: Record<string, LawSummary> = {};
  const ordered = [...records].sort((a, b) => a.repeat - b.repeat);
  for (const id of config.laws) {
    const mine = ordered.filter((r) => r.law === id);
    if (!mine.length) continue;
    const r2 = Array.from({ length: B }, (_, b) => mine.map((r) => finiteOr(r.r2[b], -1)));
    const stats = r2.map(meanStd);
    laws[id] = { r2, mean: stats.map((s) => s[0]), std: stats.map((s) => s[1]) };
  }
  const means = Object.values(laws);
  const overall = Array.from({ length: B }, (_, b) => meanStd(means.map((l) => l.mean[b])));
  return {
    task: config.task,
    method: methodLabel(config),
    budgets: config.budgets,
    repeats: config.repeats,
    laws,
    overall: { mean: overall.map((s) => s[0]), std: overall.map((s) => s[1]) },
    units: { done: records.length, expected },
  };
}
