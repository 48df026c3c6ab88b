/**
 * Task files (DESIGN.md contract): what a benchmark or a practitioner's campaign is — features,
 * targets, optional group column, cost expression, candidate pool and target region, budget levels,
 * and the laws as formulas. Built-in tasks live in `datasets/<name>/task.json`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormulaError } from '../laws/formula/index.js';
import { compileLaw, type Law } from '../laws/law.js';

export interface LawDefinition {
  formula: string | Record<string, string>;
  params: Record<string, [number, number]>;
  description?: string;
}

export interface TaskSpec {
  name: string;
  description: string;
  features: string[];
  targets: string[];
  /** Column whose values split the data into independent sub-problems; none = one group. */
  group: string | null;
  /** Formula-language expression over columns giving each candidate's cost. */
  cost: string;
  candidates: string;
  target: string;
  budgets: number[];
  laws: Record<string, LawDefinition>;
  /** Where the task file is; relative data paths resolve from here. */
  dir: string;
  file: string;
  builtin: boolean;
}

/** A task file that is not valid; names the file and the place inside it. */
export class TaskError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${file}${where ? `: ${where}` : ''}: ${reason}`);
    this.name = 'TaskError';
  }
}

export const DEFAULT_BUDGETS = [0.01, 0.05, 0.1];

/** The folder with the built-in task definitions (works from src/ and from dist/). */
export function builtinDir(): string {
  return fileURLToPath(new URL('../../datasets/', import.meta.url));
}

export function builtinTaskNames(): string[] {
  const dir = builtinDir();
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'task.json')))
    .map((d) => d.name)
    .sort();
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);
}

/** Finds keys written twice in one JSON object, which JSON.parse would silently collapse. */
function duplicateKeys(text: string): string | null {
  const stack: Set<string>[] = [];
  const re = /"((?:[^"\\]|\\.)*)"\s*(:)?|[{}[\]]/g;
  const kinds: string[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const t = m[0];
    if (t === '{') {
      stack.push(new Set());
      kinds.push('{');
    } else if (t === '[') kinds.push('[');
    else if (t === '}') {
      stack.pop();
      kinds.pop();
    } else if (t === ']') kinds.pop();
    else if (m[2] === ':' && kinds[kinds.length - 1] === '{') {
      const keys = stack[stack.length - 1];
      const key = JSON.parse(`"${m[1]}"`) as string;
      if (keys.has(key)) return key;
      keys.add(key);
    }
  }
  return null;
}

/** The keys a task file may hold ("synthetic" is what `synth` writes), and a law's. */
/** What a task name may be made of: it is a path component of every result folder. */
const SAFE_NAME = /^[A-Za-z0-9_.+-]+$/;
const TASK_KEYS = ['name', 'description', 'features', 'targets', 'group', 'cost', 'candidates', 'target', 'budgets', 'laws', 'synthetic'];
const LAW_KEYS = ['formula', 'params', 'description'];

/** Levenshtein distance: what turns one key into the other, letter by letter. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

/** "unknown key", with the nearest known one when it is a plausible slip (at most a third of it differs). */
function unknownKey(key: string, known: readonly string[]): string {
  let best = '';
  let distance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < distance) [best, distance] = [k, d];
  }
  const hint = distance <= Math.max(1, Math.floor(best.length / 3)) ? `did you mean '${best}'? ` : '';
  return `unknown key; ${hint}the keys are ${known.join(', ')}`;
}

export function parseTask(raw: unknown, file: string, builtin = false, text?: string): TaskSpec {
  const fail = (where: string, reason: string): never => {
    throw new TaskError(file, where, reason);
  };
  if (text !== undefined) {
    const dup = duplicateKeys(text);
    if (dup !== null) fail('', `key '${dup}' appears twice in one object`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('', 'a task file must be a JSON object');
  const t = raw as Record<string, unknown>;
  for (const key of Object.keys(t)) if (!TASK_KEYS.includes(key)) fail(key, unknownKey(key, TASK_KEYS));
  // by default the folder's name, made safe for a path component (a folder "my task" gives my-task)
  const name =
    t.name ??
    (path
      .basename(path.dirname(path.resolve(file)))
      .replace(/[^A-Za-z0-9_.+-]+/g, '-')
      .replace(/^\.+$/, '') ||
      'task');
  if (typeof name !== 'string' || !name) fail('name', 'must be a non-empty string');
  // the name becomes a folder of every run's output path
  if (!SAFE_NAME.test(name as string) || name === '.' || name === '..')
    fail('name', `'${name as string}' cannot name a results folder: use letters, digits, '_', '.', '-' and '+' (no '/', no spaces)`);
  if (!isStringArray(t.features) || t.features.length === 0) fail('features', 'must be a non-empty list of column names');
  if (!isStringArray(t.targets) || t.targets.length === 0) fail('targets', 'must be a non-empty list of column names');
  const features = t.features as string[];
  const targets = t.targets as string[];
  // formulas name the features, so each must be a formula identifier, once
  features.forEach((f, k) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f))
      fail('features', `'${f}' cannot be named in a formula: use letters, digits and '_', not starting with a digit (rename the column in the data files)`);
    if (features.indexOf(f) !== k) fail('features', `'${f}' is listed twice`);
  });
  for (const y of targets) if (features.includes(y)) fail('targets', `'${y}' is also a feature: a law cannot predict its own input`);
  const group = t.group === undefined || t.group === null ? null : t.group;
  if (group !== null && (typeof group !== 'string' || !group)) fail('group', 'must be a column name or absent');
  const cost = t.cost === undefined ? '1' : t.cost;
  if (typeof cost !== 'string' || !cost.trim()) fail('cost', 'must be an expression over columns, e.g. "6 * N * D"');
  for (const key of ['candidates', 'target'] as const) {
    if (typeof t[key] !== 'string' || !t[key]) fail(key, 'must be a path to a .csv or .parquet file');
  }
  const budgets = t.budgets === undefined ? DEFAULT_BUDGETS : t.budgets;
  if (!Array.isArray(budgets) || budgets.length === 0) fail('budgets', 'must be a non-empty list of fractions of the total cost in (0, 1]');
  const badBudget = (budgets as unknown[]).find((b) => !(typeof b === 'number' && b > 0 && b <= 1));
  if (badBudget !== undefined) {
    fail('budgets', `must be a non-empty list of fractions of the total cost in (0, 1]; ${JSON.stringify(badBudget)} is not one`);
  }
  const sorted = [...(budgets as number[])].sort((a, b) => a - b);
  if (sorted.some((b, i) => i > 0 && b === sorted[i - 1])) fail('budgets', 'has a level twice');
  if (typeof t.laws !== 'object' || t.laws === null || Array.isArray(t.laws) || Object.keys(t.laws).length === 0) {
    fail('laws', 'must be an object of laws, e.g. {"chinchilla": {"formula": "...", "params": {...}}}');
  }
  const laws: Record<string, LawDefinition> = {};
  for (const [id, def] of Object.entries(t.laws as Record<string, unknown>)) {
    const where = `laws.${id}`;
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) fail(where, 'a law id may use letters, digits, _ . -');
    if (typeof def !== 'object' || def === null) fail(where, 'must be an object with formula and params');
    const d = def as Record<string, unknown>;
    for (const key of Object.keys(d)) if (!LAW_KEYS.includes(key)) fail(`${where}.${key}`, unknownKey(key, LAW_KEYS));
    const formula = d.formula;
    const keyed = typeof formula === 'object' && formula !== null && !Array.isArray(formula);
    if (typeof formula !== 'string' && !keyed) fail(`${where}.formula`, 'must be a string, or an object with one formula per target');
    if (targets.length > 1 && !keyed) {
      fail(`${where}.formula`, `must be an object with one formula per target (${targets.join(', ')})`);
    }
    if (typeof d.params !== 'object' || d.params === null || Array.isArray(d.params)) {
      fail(`${where}.params`, 'must be an object name → [lo, hi]');
    }
    const params: Record<string, [number, number]> = {};
    for (const [p, b] of Object.entries(d.params as Record<string, unknown>)) {
      // null is an open side (JSON has no Infinity); only a linear parameter under --fitter trf can use one
      const side = (x: unknown, open: number) => (x === null ? open : x);
      if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => x === null || (typeof x === 'number' && !Number.isNaN(x)))) {
        fail(`${where}.params.${p}`, 'must be [lo, hi], two numbers (null for an open side)');
      }
      const lo = side((b as unknown[])[0], -Infinity) as number;
      const hi = side((b as unknown[])[1], Infinity) as number;
      if (!(lo < hi)) fail(`${where}.params.${p}`, `bounds [${lo}, ${hi}]: lo must be below hi`);
      params[p] = [lo, hi];
    }
    laws[id] = {
      formula: formula as string | Record<string, string>,
      params,
      description: typeof d.description === 'string' ? d.description : undefined,
    };
  }
  return {
    name: name as string,
    description: typeof t.description === 'string' ? t.description : '',
    features,
    targets,
    group: group as string | null,
    cost: cost as string,
    candidates: t.candidates as string,
    target: t.target as string,
    budgets: sorted,
    laws,
    dir: path.dirname(path.resolve(file)),
    file,
    builtin,
  };
}

export function readTaskFile(file: string, builtin = false): TaskSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TaskError(file, '', `cannot read the task file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  // editors on Windows may save a byte-order mark, which JSON.parse rejects as a token
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TaskError(file, '', `not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
  return parseTask(raw, file, builtin, text);
}

/** A built-in task by name, or a task file by path. */
export function loadTask(nameOrFile: string): TaskSpec {
  const builtin = builtinTaskNames();
  if (builtin.includes(nameOrFile)) return readTaskFile(path.join(builtinDir(), nameOrFile, 'task.json'), true);
  if (nameOrFile.endsWith('.json') || nameOrFile.includes('/') || nameOrFile.includes(path.sep)) {
    return readTaskFile(nameOrFile, false);
  }
  throw new TaskError(nameOrFile, '', `unknown task; built-in tasks are: ${builtin.join(', ')} (or give a path to a task .json file)`);
}

/** Compiles one law of a task; the error names the law and the valid ids. */
export function lawOf(task: TaskSpec, id: string): Law {
  const def = task.laws[id];
  if (!def) throw new TaskError(task.file, 'laws', `no law '${id}'; this task has: ${Object.keys(task.laws).join(', ')}`);
  let law: Law;
  try {
    law = compileLaw({
      id,
      description: def.description,
      formula: def.formula,
      params: def.params,
      features: task.features,
      outputs: typeof def.formula === 'string' ? undefined : task.targets,
    });
  } catch (e) {
    if (e instanceof FormulaError) throw new TaskError(task.file, `laws.${id}.formula`, e.message);
    throw e;
  }
  // an unused parameter has no information at all: its fits and intervals would be its prior's
  const unused = law.unused ?? [];
  if (unused.length > 0) {
    const names = unused.map((j) => law.params[j]);
    throw new TaskError(
      task.file,
      `laws.${id}.params.${names[0]}`,
      `declared but the formula never uses ${names.length > 1 ? `it (nor ${names.slice(1).join(', ')})` : 'it'}`,
    );
  }
  return law;
}
