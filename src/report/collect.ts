/**
 * Gathers run folders (a run, a method folder, a whole results tree, shards from many machines)
 * and merges their units per (task, method label): a unit done in several folders counts once,
 * from the newest folder. The label (`methodLabel`) keeps runs with a robust loss or exploration
 * apart from the method's plain runs, and runs of one method under different fitters are never
 * merged: where both are among the folders, the rows of a fitter other than the reference's
 * `lbfgsb` are labelled with it (`mspe+trf`). A tree holding one fitter keeps the plain labels, so
 * that a converged grid read alone still lines up with the paper's rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { methodLabel, readConfig, readRuns, summarise, type RunConfig, type Summary } from '../benchmark/results.js';
import type { UnitRecord } from '../benchmark/unit.js';

export interface MergedRun {
  task: string;
  /** The method label: the method's name for its plain runs, e.g. `mspe+huber(0.05)` otherwise. */
  method: string;
  budgets: number[];
  dirs: string[];
  records: UnitRecord[];
  summary: Summary;
}

function isBenchmarkConfig(file: string): boolean {
  let c: { task?: unknown; method?: unknown };
  try {
    c = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof c;
  } catch (e) {
    throw new Error(`${file}: not a readable run configuration (${(e as Error).message})`);
  }
  return typeof c.task === 'string' && typeof c.method === 'string';
}

export function findRunDirs(roots: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (fs.existsSync(path.join(dir, 'config.json')) && fs.existsSync(path.join(dir, 'runs.jsonl'))) {
      // halving runs share the layout but not the contents; the report reads them on their own
      if (isBenchmarkConfig(path.join(dir, 'config.json'))) found.push(dir);
      return;
    }
    if (depth > 6) return;
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) walk(path.join(dir, d.name), depth + 1);
  };
  for (const r of roots) {
    if (!fs.existsSync(r)) throw new Error(`no such folder: ${r}`);
    walk(path.resolve(r), 0);
  }
  return [...new Set(found)].sort();
}

/** The fitter a run used; runs made before there was a choice used the reference's. */
const fitterOf = (c: RunConfig) => c.fitter ?? 'lbfgsb';

export function mergeRuns(dirs: readonly string[]): MergedRun[] {
  const configs = dirs.map((dir) => readConfig(dir)!);
  const fitters = new Map<string, Set<string>>();
  for (const c of configs) {
    const label = `${c.task}\u0000${methodLabel(c)}`;
    if (!fitters.has(label)) fitters.set(label, new Set());
    fitters.get(label)!.add(fitterOf(c));
  }
  const labelOf = (c: RunConfig) => {
    const mixed = fitters.get(`${c.task}\u0000${methodLabel(c)}`)!.size > 1;
    return mixed && fitterOf(c) !== 'lbfgsb' ? `${methodLabel(c)}+${fitterOf(c)}` : methodLabel(c);
  };
  const byKey = new Map<string, { configs: RunConfig[]; dirs: string[]; units: Map<string, UnitRecord>; label: string }>();
  for (const [k, dir] of dirs.entries()) {
    const config = configs[k];
    const label = labelOf(config);
    const key = `${config.task}\u0000${label}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { configs: [], dirs: [], units: new Map(), label }));
    entry.configs.push(config);
    entry.dirs.push(dir);
    for (const r of readRuns(dir)) entry.units.set(`${r.law}#${r.repeat}`, r);
  }
  return [...byKey.values()].map(({ configs: cs, dirs: ds, units, label }) => {
    const first = cs[0];
    const lawOrder = [...new Set(cs.flatMap((c) => c.laws))];
    const records = [...units.values()].sort((a, b) => lawOrder.indexOf(a.law) - lawOrder.indexOf(b.law) || a.repeat - b.repeat);
    const repeats = Math.max(...cs.map((c) => c.repeats));
    const merged: RunConfig = { ...first, laws: lawOrder, repeats, shard: null };
    return {
      task: first.task,
      method: label,
      budgets: first.budgets,
      dirs: ds,
      records,
      summary: { ...summarise(merged, records, lawOrder.length * repeats), method: label },
    };
  });
}
