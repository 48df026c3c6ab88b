/**
 * A task's data, split into independent groups: per group, the candidate pool (features, targets,
 * cost of every row) and the target region. Groups are ordered by name and keep file order inside,
 * as the reference does; a group without pool or target rows is left out.
 */
import { compileFormula, FormulaError } from '../laws/formula/index.js';
import { locateFile, type LocateOptions } from './locate.js';
import { DataError, numericColumn, readTable, textColumn, type DataTable } from './table.js';
import { TaskError, type TaskSpec } from './task.js';

export interface Split {
  /** Row indices (0-based) in the data file, in file order. */
  rows: number[];
  n: number;
  /** One column per feature. */
  X: Float64Array[];
  /** Targets, row-major: n × outputs. */
  y: Float64Array;
}

export interface GroupData {
  name: string;
  pool: Split & { cost: Float64Array };
  target: Split;
  totalCost: number;
}

export interface TaskData {
  task: TaskSpec;
  files: { candidates: string; target: string };
  outputs: number;
  groups: GroupData[];
}

/** The label every row gets when the task has no group column. */
export const SINGLE_GROUP = 'all_data';

export interface LoadOptions extends LocateOptions {
  /**
   * Let target columns or cells be absent (NaN): a practitioner's pool lists runs that have not
   * happened yet. The benchmark requires every target value.
   */
  optionalTargets?: boolean;
}

function groupRows(data: DataTable, column: string | null): Map<string, number[]> {
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

/** A target column's values, NaN where the column or a cell is missing or not a number. */
function optionalColumn(data: DataTable, name: string, rows: number[]): Float64Array {
  const out = new Float64Array(rows.length).fill(NaN);
  if (!data.columns.includes(name)) return out;
  const col = data.values[name];
  rows.forEach((r, i) => {
    const v: unknown = col[r];
    const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    out[i] = Number.isFinite(x) ? x : NaN;
  });
  return out;
}

function split(data: DataTable, task: TaskSpec, rows: number[], optionalTargets: boolean): Split {
  const X = task.features.map((f) => numericColumn(data, f, rows));
  const O = task.targets.length;
  const y = new Float64Array(rows.length * O);
  task.targets.forEach((t, o) => {
    const col = optionalTargets ? optionalColumn(data, t, rows) : numericColumn(data, t, rows);
    for (let i = 0; i < rows.length; i++) y[i * O + o] = col[i];
  });
  return { rows, n: rows.length, X, y };
}

/** Evaluates the task's cost expression on every pool row; every cost must be finite and > 0. */
export function computeCosts(task: TaskSpec, data: DataTable, rows: number[]): Float64Array {
  const columns = data.columns.filter((c) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(c));
  let compiled;
  try {
    compiled = compileFormula({ formula: task.cost, params: [], features: columns });
  } catch (e) {
    if (e instanceof FormulaError) throw new TaskError(task.file, 'cost', `${e.message} (columns: ${columns.join(', ')})`);
    throw e;
  }
  // only the columns the expression reads need to be numeric
  const used = new Set(compiled.source.usedFeatures);
  const empty = new Float64Array(rows.length);
  const cols = columns.map((c, k) => (used.has(k) ? numericColumn(data, c, rows) : empty));
  const C = compiled.kernels.prepare(cols, rows.length);
  const cost = new Float64Array(rows.length);
  compiled.kernels.value([], cols, C, rows.length, cost);
  cost.forEach((c, i) => {
    if (!(Number.isFinite(c) && c > 0)) {
      throw new DataError(data.file, `the cost expression '${task.cost}' gives ${c}; every cost must be finite and above 0`, rows[i] + 1);
    }
  });
  return cost;
}

export async function loadTaskData(task: TaskSpec, options: LoadOptions = {}): Promise<TaskData> {
  const optional = options.optionalTargets ?? false;
  const files = {
    candidates: locateFile(task, task.candidates, options),
    target: locateFile(task, task.target, options),
  };
  const [pool, target] = await Promise.all([readTable(files.candidates), readTable(files.target)]);
  if (pool.numRows === 0) throw new DataError(files.candidates, 'the candidate pool has no rows');
  if (target.numRows === 0) throw new DataError(files.target, 'the target region has no rows');
  const poolGroups = groupRows(pool, task.group);
  const targetGroups = groupRows(target, task.group);
  const names = [...poolGroups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const groups: GroupData[] = [];
  for (const name of names) {
    const poolRows = poolGroups.get(name)!;
    const targetRows = targetGroups.get(name);
    if (!targetRows || targetRows.length === 0) continue;
    const poolSplit = split(pool, task, poolRows, optional);
    const cost = computeCosts(task, pool, poolRows);
    groups.push({
      name,
      pool: { ...poolSplit, cost },
      target: split(target, task, targetRows, optional),
      totalCost: cost.reduce((s, c) => s + c, 0),
    });
  }
  if (groups.length === 0) {
    throw new DataError(files.target, `no group has both candidate and target rows (group column '${task.group}')`);
  }
  return { task, files, outputs: task.targets.length, groups };
}
