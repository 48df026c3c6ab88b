/**
 * The practitioner's observed runs: a CSV with the task's feature and target columns (others are
 * ignored). Each row is matched to the candidate pool by its feature values, so that the pool row
 * is not suggested again; rows that match nothing still take part in the fit.
 */
import { DataError, numericColumn, readTable, textColumn, type DataTable } from '../data/table.js';
import type { TaskSpec } from '../data/task.js';
import { SINGLE_GROUP, type PracticeGroup } from './data.js';

/** Feature values this close (relative) count as the same run: CSV round trips lose the last bits. */
export const MATCH_TOLERANCE = 1e-9;

export interface ObservedRuns {
  file: string;
  /** Group label of every row (SINGLE_GROUP without a group column). */
  group: string[];
  /** Row index (0-based) in the observed file. */
  rows: number[];
  n: number;
  X: Float64Array[];
  /** n × outputs, row-major. */
  y: Float64Array;
}

export async function readObserved(task: TaskSpec, file: string): Promise<ObservedRuns> {
  return observedFromTable(task, file, await readTable(file));
}

/** The observed runs in a table already read from `file` (named in errors). */
export function observedFromTable(task: TaskSpec, file: string, data: DataTable): ObservedRuns {
  if (data.numRows === 0) throw new DataError(file, 'no observed runs (the file has a header only); run a few cheap candidates first');
  const X = task.features.map((f) => numericColumn(data, f));
  const O = task.targets.length;
  const y = new Float64Array(data.numRows * O);
  task.targets.forEach((t, o) => {
    const col = numericColumn(data, t);
    for (let i = 0; i < data.numRows; i++) y[i * O + o] = col[i];
  });
  let group: string[];
  if (task.group === null) group = new Array<string>(data.numRows).fill(SINGLE_GROUP);
  else {
    group = textColumn(data, task.group);
    group.forEach((g, r) => {
      if (g.trim() === '') throw new DataError(file, `the group cell is empty; every run needs its '${task.group}'`, r + 1, task.group!);
    });
  }
  const rows = Array.from({ length: data.numRows }, (_, i) => i);
  return { file, group, rows, n: data.numRows, X, y };
}

function same(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= MATCH_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** The observed runs of one group. */
export function observedInGroup(obs: ObservedRuns, group: string): ObservedRuns {
  const keep = obs.rows.map((_, i) => i).filter((i) => obs.group[i] === group);
  const O = obs.n === 0 ? 0 : obs.y.length / obs.n;
  const y = new Float64Array(keep.length * O);
  keep.forEach((i, k) => {
    for (let o = 0; o < O; o++) y[k * O + o] = obs.y[i * O + o];
  });
  return {
    file: obs.file,
    group: keep.map(() => group),
    rows: keep.map((i) => obs.rows[i]),
    n: keep.length,
    X: obs.X.map((col) => Float64Array.from(keep, (i) => col[i])),
    y,
  };
}

/** Per observed row, the index (within the group's pool) of the matching candidate, or −1. */
export function matchToPool(obs: ObservedRuns, pool: PracticeGroup['pool']): Int32Array {
  const out = new Int32Array(obs.n).fill(-1);
  const F = obs.X.length;
  for (let i = 0; i < obs.n; i++) {
    for (let p = 0; p < pool.n; p++) {
      let ok = true;
      for (let f = 0; f < F && ok; f++) ok = same(obs.X[f][i], pool.X[f][p]);
      if (ok) {
        out[i] = p;
        break;
      }
    }
  }
  return out;
}

/**
 * For each pool row, the pool rows with the same feature values (itself included): a configuration
 * that repeats in the pool is one experiment, run or suggested once.
 */
export function sameConfiguration(pool: PracticeGroup['pool']): number[][] {
  const byKey = new Map<string, number[]>();
  const out: number[][] = [];
  for (let p = 0; p < pool.n; p++) {
    const key = pool.X.map((col) => col[p]).join('\u0000');
    let rows = byKey.get(key);
    if (!rows) byKey.set(key, (rows = []));
    rows.push(p);
    out.push(rows);
  }
  return out;
}
