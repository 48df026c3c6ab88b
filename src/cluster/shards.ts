/**
 * Which shards of a reproduction grid have finished, read from the shared results folder without
 * touching it (a shard may still be writing there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { latestRunDir, methodDir, readConfig, type Shard } from '../benchmark/results.js';
import { unitsOf } from '../benchmark/run.js';
import type { Method } from '../benchmark/unit.js';
import { loadTask } from '../data/task.js';

/** What every shard runs: each task × method over the laws (default: all of the task's). */
export interface GridSpec {
  /** Built-in task names or task files. */
  tasks: string[];
  methods: Method[];
  repeats: number;
  restarts: number;
  seed: number;
  laws?: string[];
  /** Default lbfgsb: a run folder made with another fitter is not this grid's. */
  fitter?: string;
}

export interface ShardStatus {
  shard: Shard;
  done: boolean;
  /** The (task, method) runs of this shard that are missing units, with how many are there. */
  missing: { task: string; method: string; have: number; want: number }[];
}

/** Complete lines of a runs.jsonl (a line cut short by a killed process does not count). */
function finishedUnits(dir: string): number {
  const file = path.join(dir, 'runs.jsonl');
  if (!fs.existsSync(file)) return 0;
  const text = fs.readFileSync(file, 'utf8');
  let n = 0;
  for (const line of text.split('\n').slice(0, -1)) {
    try {
      JSON.parse(line);
      n++;
    } catch {
      break;
    }
  }
  return n;
}

export function shardStatus(out: string, grid: GridSpec, shard: Shard): ShardStatus {
  const missing: ShardStatus['missing'] = [];
  for (const ref of grid.tasks) {
    const task = loadTask(ref);
    const want = unitsOf(grid.laws ?? Object.keys(task.laws), grid.repeats, shard).length;
    for (const method of grid.methods) {
      const dir = latestRunDir(methodDir(out, task.name, method), shard);
      const config = dir ? readConfig(dir) : null;
      const same =
        config !== null &&
        config.repeats === grid.repeats &&
        config.restarts === grid.restarts &&
        config.seed === grid.seed &&
        (config.fitter ?? 'lbfgsb') === (grid.fitter ?? 'lbfgsb');
      const have = same ? finishedUnits(dir!) : 0;
      if (have < want) missing.push({ task: task.name, method, have, want });
    }
  }
  return { shard, done: missing.length === 0, missing };
}

export function gridStatus(out: string, grid: GridSpec, shards: number): ShardStatus[] {
  return Array.from({ length: shards }, (_, index) => shardStatus(out, grid, { index, count: shards }));
}
