/**
 * A tell's body, checked whole before anything is written: JSON (one run, an array of runs, or
 * `{ "runs": [...] }`) or CSV (a header and data rows, as a dropped file). Every problem is one
 * 400 naming the run (`runs[2]`, or `data row 3` of a CSV) and the field; a run outside the pool
 * is allowed and said in a note.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { MATCH_TOLERANCE } from '../campaign/observed.js';
import { badRequest } from './errors.js';

/** Bodies above this are refused unread: a tell is a few runs, not a data set. */
export const MAX_BODY_BYTES = 1 << 20;

/** What a run must and may hold: the task's columns and the observed file's header. */
export interface RunSchema {
  /** The observed file's name, as messages say it. */
  fileName: string;
  features: readonly string[];
  targets: readonly string[];
  /** The task's group column, or null. */
  group: string | null;
  /** The groups that have candidates and targets. */
  groups: readonly string[];
  /** The observed file's header: other fields a run may fill (a run id, a date). */
  columns: readonly string[];
}

export interface NewRun {
  /** How messages name it: `runs[2]` (JSON) or `data row 3` (CSV). */
  label: string;
  group: string;
  x: number[];
  y: number[];
  /** Header column → cell text, for every column of the observed file this run fills. */
  cells: Record<string, string>;
}

export interface ParsedRuns {
  runs: NewRun[];
  notes: string[];
}

/** A run already in the observed file. */
export interface RecordedRun {
  group: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Data row (0-based) in the observed file. */
  row: number;
}

/** Numbers in messages: exact (a rounded value could make two distinct runs look alike). */
export function showNumber(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential().replace('e+', 'e') : String(v);
}

const describe = (v: unknown) =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'string'
        ? `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
        : `a ${typeof v}`;

function cellText(label: string, field: string, v: unknown): string {
  const text = String(v);
  if (/[\r\n]/.test(text)) throw badRequest(`${label}, field '${field}': text with a line break cannot be a cell of the runs file`);
  return text;
}

function fromObject(raw: unknown, label: string, schema: RunSchema, ignored: Set<string>): NewRun {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw badRequest(`${label}: expected a run object ({ "${schema.features[0]}": …, … }), found ${describe(raw)}`);
  const run = raw as Record<string, unknown>;
  const number = (field: string): number => {
    if (!Object.hasOwn(run, field)) {
      throw badRequest(
        `${label}: no '${field}'; every run needs ${[...schema.features, ...schema.targets, ...(schema.group ? [schema.group] : [])].join(', ')}`,
      );
    }
    const v = run[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${label}.${field}: expected a finite number, found ${describe(v)}`);
    return v;
  };
  const x = schema.features.map(number);
  const y = schema.targets.map(number);
  const group = groupOf(label, schema.group === null ? undefined : run[schema.group], schema);
  const cells: Record<string, string> = {};
  for (const [field, v] of Object.entries(run)) {
    if (schema.features.includes(field) || schema.targets.includes(field) || field === schema.group) continue;
    if (!schema.columns.includes(field)) ignored.add(field);
    else if (v !== null && typeof v !== 'object') cells[field] = cellText(label, field, v);
    else if (v !== null) throw badRequest(`${label}.${field}: expected a number or text for the column '${field}', found ${describe(v)}`);
  }
  return withCells({ label, group, x, y, cells }, schema);
}

function groupOf(label: string, v: unknown, schema: RunSchema): string {
  if (schema.group === null) return schema.groups[0];
  if (v === undefined) throw badRequest(`${label}: no '${schema.group}'; this task's runs belong to a group (${schema.groups.join(', ')})`);
  if (typeof v !== 'string' && typeof v !== 'number') throw badRequest(`${label}.${schema.group}: expected a group name, found ${describe(v)}`);
  const g = String(v).trim();
  if (!schema.groups.includes(g)) {
    throw badRequest(`${label}.${schema.group}: '${g}' is not a group of this task (groups with candidates and targets: ${schema.groups.join(', ')})`);
  }
  return g;
}

/** The task's own columns as cells, the way they are written to the file. */
function withCells(run: NewRun, schema: RunSchema): NewRun {
  schema.features.forEach((f, k) => (run.cells[f] = String(run.x[k])));
  schema.targets.forEach((t, k) => (run.cells[t] = String(run.y[k])));
  if (schema.group !== null) run.cells[schema.group] = cellText(run.label, schema.group, run.group);
  return run;
}

function parseJson(body: string, schema: RunSchema): ParsedRuns {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw badRequest(`the body is not valid JSON (${(e as Error).message})`);
  }
  let list: unknown[];
  let prefix = 'runs';
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'object' && value !== null && Object.hasOwn(value, 'runs')) {
    const runs = (value as { runs: unknown }).runs;
    if (!Array.isArray(runs)) throw badRequest(`runs: expected a list of runs, found ${describe(runs)}`);
    list = runs;
  } else {
    list = [value];
    prefix = 'run';
  }
  if (list.length === 0) throw badRequest('no runs in the body');
  const ignored = new Set<string>();
  const runs = list.map((r, i) => fromObject(r, prefix === 'run' ? 'run' : `runs[${i}]`, schema, ignored));
  return { runs, notes: ignoredNote(ignored, schema) };
}

function ignoredNote(ignored: Set<string>, schema: RunSchema): string[] {
  if (ignored.size === 0) return [];
  const names = [...ignored].map((f) => `'${f}'`).join(', ');
  return [`ignored ${names}: ${schema.fileName} has no such column (its columns: ${schema.columns.join(', ')})`];
}

function parseCsvBody(body: string, schema: RunSchema): ParsedRuns {
  let records: string[][];
  try {
    records = parseCsv(body, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    const line = (e as { lines?: unknown }).lines;
    const reason = (e as Error).message.replace(/ on line \d+$/, '');
    throw badRequest(typeof line === 'number' && line > 1 ? `not valid CSV at data row ${line - 1}: ${reason}` : `not valid CSV (${reason})`);
  }
  if (records.length === 0) throw badRequest('the CSV is empty: a header row and at least one run are needed');
  const [header, ...rows] = records;
  const needed = [...schema.features, ...schema.targets, ...(schema.group ? [schema.group] : [])];
  const missing = needed.filter((c) => !header.includes(c));
  if (missing.length) throw badRequest(`the CSV has no column ${missing.map((c) => `'${c}'`).join(', ')} (its columns: ${header.join(', ')})`);
  if (rows.length === 0) throw badRequest('the CSV has a header only: no runs');
  const ignored = new Set(header.filter((c) => !needed.includes(c) && !schema.columns.includes(c)));
  const runs = rows.map((cells, r) => {
    const label = `data row ${r + 1}`;
    const at = (c: string) => cells[header.indexOf(c)];
    const number = (c: string) => {
      const text = at(c);
      const v = text === '' ? NaN : Number(text);
      if (!Number.isFinite(v)) throw badRequest(`${label}, column '${c}': expected a finite number, found ${text === '' ? 'an empty cell' : `'${text}'`}`);
      return v;
    };
    const x = schema.features.map(number);
    const y = schema.targets.map(number);
    const group = groupOf(label, schema.group === null ? undefined : at(schema.group), schema);
    const extra: Record<string, string> = {};
    for (const c of header) if (!needed.includes(c) && schema.columns.includes(c)) extra[c] = cellText(label, c, at(c));
    return withCells({ label, group, x, y, cells: extra }, schema);
  });
  return { runs, notes: ignoredNote(ignored, schema) };
}

/** The runs of a tell's body, or a 400 naming the first problem. */
export function parseRuns(body: string, contentType: string | undefined, schema: RunSchema): ParsedRuns {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return parseJson(body, schema);
  if (type === 'text/csv') return parseCsvBody(body, schema);
  throw badRequest(`Content-Type ${type || '(none)'}: send runs as application/json or text/csv`);
}

function same(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= MATCH_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

function sameRun(a: { group: string; x: ArrayLike<number> }, b: { group: string; x: ArrayLike<number> }): boolean {
  if (a.group !== b.group) return false;
  for (let k = 0; k < a.x.length; k++) if (!same(a.x[k], b.x[k])) return false;
  return true;
}

export function configuration(schema: RunSchema, run: { group: string; x: ArrayLike<number> }): string {
  const at = schema.features.map((f, k) => `${f}=${showNumber(run.x[k])}`).join(', ');
  return schema.group === null ? at : `${at} in group '${run.group}'`;
}

/**
 * A 400 for the first new run that repeats an observed run's configuration (same group, features
 * equal to 1e-9 relative, as the pool matching reads them) or an earlier run of the same body.
 * Deliberate replicates (the pure-error test uses them) pass with `allowReplicates`.
 */
export function checkDuplicates(runs: readonly NewRun[], recorded: readonly RecordedRun[], schema: RunSchema, allowReplicates: boolean): void {
  if (allowReplicates) return;
  const hint = 'To record a repeat of a configuration on purpose (another seed), POST /runs?replicates=1';
  runs.forEach((run, i) => {
    const old = recorded.find((r) => sameRun(r, run));
    if (old) {
      let told = true;
      for (let k = 0; k < run.y.length; k++) told &&= run.y[k] === old.y[k];
      throw badRequest(
        `${run.label}: ${configuration(schema, run)} is already in ${schema.fileName} (data row ${old.row + 1})` +
          `${told ? `, with the same ${schema.targets.join(', ')}: this run was told before` : ''}; nothing was written. ${told ? '' : hint}`.trimEnd(),
      );
    }
    const twin = runs.slice(0, i).find((r) => sameRun(r, run));
    if (twin) throw badRequest(`${run.label}: repeats ${twin.label} (${configuration(schema, run)}); nothing was written. ${hint}`);
  });
}
