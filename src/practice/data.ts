/**
 * A task's candidate pool and target region as the practitioner workflow needs them. Unlike the
 * benchmark loader, the pool and target files need not carry target values: a practitioner's pool
 * lists runs that have not happened yet, so a missing target column (or cell) becomes NaN.
 */
import { computeCosts } from '../data/dataset.js';
import { locateFile, type LocateOptions } from '../data/locate.js';
import { DataError, numericColumn, readTable, textColumn, type DataTable } from '../data/table.js';
import type { TaskSpec } from '../data/task.js';

export interface PracticeSplit {
  /** Row indices (0-based) in the data file. */
  rows: number[];
  n: number;
  X: Float64Array[];
  /** n × outputs, row-major; NaN where the file has no value. */
  y: Float64Array;
}

export interface PracticeGroup {
  name: string;
  pool: PracticeSplit & { cost: Float64Array };
  target: PracticeSplit;
  totalCost: number;
}

export interface PracticeData {
  task: TaskSpec;
  files: { candidates: string; target: string };
  groups: PracticeGroup[];
}

/** The label every row gets when the task has no group column. */
export const SINGLE_GROUP = 'all_data';

export function groupRows(data: DataTable, column: string | null): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const labels = column === null ? null : textColumn(data, column);
  for (let r = 0; r < data.numRows; r++) {
    const g = labels === null ? SINGLE_GROUP : labels[r];
    let list = out.get(g);
    if (!list) out.set(g, (list = []));
    list.push(r);
  }
  return out;
}

function optionalTargets(data: DataTable, task: TaskSpec, rows: number[]): Float64Array {
  const O = task.targets.length;
  const y = new Float64Array(rows.length * O).fill(NaN);
  task.targets.forEach((t, o) => {
    if (!data.columns.includes(t)) return;
    const col = data.table.getChild(t)!;
    rows.forEach((r, i) => {
      const v = col.get(r) as unknown;
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      y[i * O + o] = Number.isFinite(x) ? x : NaN;
    });
  });
  return y;
}

function splitOf(data: DataTable, task: TaskSpec, rows: number[]): PracticeSplit {
  return { rows, n: rows.length, X: task.features.map((f) => numericColumn(data, f, rows)), y: optionalTargets(data, task, rows) };
}

export async function loadPracticeData(task: TaskSpec, options: LocateOptions = {}): Promise<PracticeData> {
  const files = { candidates: locateFile(task, task.candidates, options), target: locateFile(task, task.target, options) };
  const [pool, target] = await Promise.all([readTable(files.candidates), readTable(files.target)]);
  if (pool.numRows === 0) throw new DataError(files.candidates, 'the candidate pool has no rows');
  if (target.numRows === 0) throw new DataError(files.target, 'the target region has no rows');
  const poolGroups = groupRows(pool, task.group);
  const targetGroups = groupRows(target, task.group);
  const names = [...poolGroups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const groups: PracticeGroup[] = [];
  for (const name of names) {
    const poolRows = poolGroups.get(name)!;
    const targetRows = targetGroups.get(name);
    if (!targetRows || targetRows.length === 0) continue;
    const cost = computeCosts(task, pool, poolRows);
    groups.push({
      name,
      pool: { ...splitOf(pool, task, poolRows), cost },
      target: splitOf(target, task, targetRows),
      totalCost: cost.reduce((s, c) => s + c, 0),
    });
  }
  if (groups.length === 0) {
    throw new DataError(files.target, `no group has both candidate and target rows (group column '${task.group}')`);
  }
  return { task, files, groups };
}
