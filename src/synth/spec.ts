/**
 * Scenario specs for `active-sl synth`: the shape a user writes (defaults optional), its checks, and
 * the complete form every later step reads. Formula checks need the compiler and live in
 * formulas.ts; here only what the JSON itself can say is checked.
 */

export type GridScale = 'log' | 'linear';

/** `points` values from `from` to `to` (both included), evenly spaced on the given scale. */
export interface GridAxis {
  from: number;
  to: number;
  points: number;
  scale: GridScale;
}

export interface ScenarioLaw {
  formula: string;
  /** name → [lo, hi]; key order is θ order. */
  params: Record<string, [number, number]>;
  description?: string;
}

export interface NoiseSpec {
  /** Standard deviation of a run at the pool's geometric-mean cost. */
  sd: number;
  /** sd_i = sd · (cost_i / geometric-mean pool cost)^(−costPower); > 0 makes cheap runs noisier. */
  costPower: number;
  /** round(fraction · pool rows) pool rows, drawn without replacement, get `+offset` (diverged runs). */
  outliers: { fraction: number; offset: number };
}

/** A complete, checked scenario: what generation reads and what task.json records. */
export interface ScenarioSpec {
  name: string;
  description?: string;
  truth: { formula: string; values: Record<string, number> };
  laws: Record<string, ScenarioLaw>;
  features: string[];
  target: string;
  pool: Record<string, GridAxis>;
  region: Record<string, GridAxis>;
  cost: string;
  budgets: number[];
  noise: NoiseSpec;
  seed: number;
}

type AxisInput = Omit<GridAxis, 'scale'> & { scale?: GridScale };

/** What a user may write: the same, with scale, budgets, noise details and seed optional. */
export type ScenarioSpecInput = Omit<ScenarioSpec, 'pool' | 'region' | 'budgets' | 'noise' | 'seed'> & {
  pool: Record<string, AxisInput>;
  region: Record<string, AxisInput>;
  budgets?: number[];
  noise?: { sd?: number; costPower?: number; outliers?: { fraction?: number; offset?: number } };
  seed?: number;
};

export const DEFAULT_SCENARIO_BUDGETS: readonly number[] = [0.01, 0.05, 0.1];
const DEFAULT_OUTLIER_OFFSET = 0.5;
const SPEC_KEYS = ['name', 'description', 'truth', 'laws', 'features', 'target', 'pool', 'region', 'cost', 'budgets', 'noise', 'seed'] as const;

/** A scenario that cannot be generated; `field` is the JSON path of what is wrong. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LAW_ID = /^[A-Za-z0-9_.-]+$/;

function fail(field: string, reason: string): never {
  throw new ScenarioError(field, reason);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: unknown, field: string, example: string): Record<string, unknown> {
  if (!isObject(v)) fail(field, `must be an object, e.g. ${example}`);
  return v;
}

/** Unknown keys are errors: a misspelt optional key ("costpower") would otherwise be silently dropped. */
function onlyKeys(o: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) fail(field ? `${field}.${extra}` : extra, `unknown key (allowed: ${allowed.join(', ')})`);
}

function finiteAt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function textAt(v: unknown, field: string, example: string): string {
  if (typeof v !== 'string' || !v.trim()) fail(field, `must be a non-empty string, e.g. ${example}`);
  return v;
}

function parseAxis(v: unknown, field: string): GridAxis {
  const a = objectAt(v, field, '{"from": 1e7, "to": 1e9, "points": 8, "scale": "log"}');
  onlyKeys(a, field, ['from', 'to', 'points', 'scale']);
  const from = finiteAt(a.from, `${field}.from`);
  const to = finiteAt(a.to, `${field}.to`);
  const points = a.points;
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 1) {
    fail(`${field}.points`, `must be a whole number ≥ 1, got ${JSON.stringify(points)} (the grid would be empty)`);
  }
  const scale = a.scale ?? 'log';
  if (scale !== 'log' && scale !== 'linear') fail(`${field}.scale`, `must be "log" or "linear", got ${JSON.stringify(scale)}`);
  if (from > to) fail(field, `from ${from} is above to ${to}: the grid would be empty`);
  if (scale === 'log' && from <= 0) fail(`${field}.from`, `${from} on a log scale: must be > 0`);
  if (points > 1 && from === to) fail(field, `from = to = ${from} with ${points} points gives one point ${points} times`);
  return { from, to, points, scale };
}

function parseGrid(v: unknown, field: string, features: readonly string[]): Record<string, GridAxis> {
  const g = objectAt(v, field, `{"${features[0]}": {"from": 1e7, "to": 1e9, "points": 8}}`);
  for (const key of Object.keys(g)) {
    if (!features.includes(key)) fail(`${field}.${key}`, `is not a feature (features: ${features.join(', ')})`);
  }
  // feature order, not the file's key order: the grid's row order must not depend on how JSON was written
  return Object.fromEntries(
    features.map((f) => {
      if (!(f in g)) fail(`${field}.${f}`, `missing: every feature needs an axis (features: ${features.join(', ')})`);
      return [f, parseAxis(g[f], `${field}.${f}`)];
    }),
  );
}

function parseLaws(v: unknown): Record<string, ScenarioLaw> {
  const laws = objectAt(v, 'laws', '{"chinchilla": {"formula": "E + A * N^(-alpha) + B * D^(-beta)", "params": {"E": [0.5, 4], …}}}');
  if (Object.keys(laws).length === 0) fail('laws', 'must name at least one law to fit');
  const out: Record<string, ScenarioLaw> = {};
  for (const [id, raw] of Object.entries(laws)) {
    const field = `laws.${id}`;
    if (!LAW_ID.test(id)) fail(field, 'a law id may use letters, digits, _ . -');
    const law = objectAt(raw, field, '{"formula": "...", "params": {"E": [0.5, 4]}}');
    onlyKeys(law, field, ['formula', 'params', 'description']);
    const formula = textAt(law.formula, `${field}.formula`, '"E + A * N^(-alpha)"');
    const params = objectAt(law.params, `${field}.params`, '{"E": [0.5, 4]}');
    if (Object.keys(params).length === 0) fail(`${field}.params`, 'a law needs at least one parameter to fit');
    const bounds: Record<string, [number, number]> = {};
    for (const [p, b] of Object.entries(params)) {
      const where = `${field}.params.${p}`;
      if (!Array.isArray(b) || b.length !== 2) fail(where, 'must be [lo, hi], two finite numbers');
      const lo = finiteAt(b[0], where);
      const hi = finiteAt(b[1], where);
      if (!(lo < hi)) fail(where, `bounds [${lo}, ${hi}]: lo must be below hi`);
      bounds[p] = [lo, hi];
    }
    out[id] = { formula, params: bounds, ...(typeof law.description === 'string' ? { description: law.description } : {}) };
  }
  return out;
}

function parseNoise(v: unknown): NoiseSpec {
  if (v === undefined) return { sd: 0, costPower: 0, outliers: { fraction: 0, offset: DEFAULT_OUTLIER_OFFSET } };
  const n = objectAt(v, 'noise', '{"sd": 0.02, "costPower": 0, "outliers": {"fraction": 0, "offset": 0.5}}');
  onlyKeys(n, 'noise', ['sd', 'costPower', 'outliers']);
  const sd = n.sd === undefined ? 0 : finiteAt(n.sd, 'noise.sd');
  if (sd < 0) fail('noise.sd', `${sd}: must be ≥ 0`);
  const costPower = n.costPower === undefined ? 0 : n.costPower;
  if (typeof costPower !== 'number' || !Number.isFinite(costPower)) fail('noise.costPower', `must be a finite number, got ${JSON.stringify(costPower)}`);
  const o = n.outliers === undefined ? {} : objectAt(n.outliers, 'noise.outliers', '{"fraction": 0.03, "offset": 0.5}');
  onlyKeys(o, 'noise.outliers', ['fraction', 'offset']);
  const fraction = o.fraction === undefined ? 0 : finiteAt(o.fraction, 'noise.outliers.fraction');
  if (!(fraction >= 0 && fraction < 1)) fail('noise.outliers.fraction', `${fraction}: must be in [0, 1)`);
  const offset = o.offset === undefined ? DEFAULT_OUTLIER_OFFSET : finiteAt(o.offset, 'noise.outliers.offset');
  return { sd, costPower, outliers: { fraction, offset } };
}

function parseBudgets(v: unknown): number[] {
  if (v === undefined) return [...DEFAULT_SCENARIO_BUDGETS];
  if (!Array.isArray(v) || v.length === 0) fail('budgets', 'must be a non-empty list of fractions of the total cost in (0, 1]');
  v.forEach((b, i) => {
    if (typeof b !== 'number' || !(b > 0 && b <= 1)) fail(`budgets[${i}]`, `${JSON.stringify(b)}: must be a fraction of the total cost in (0, 1]`);
  });
  const sorted = [...(v as number[])].sort((a, b) => a - b);
  sorted.forEach((b, i) => {
    if (i > 0 && b === sorted[i - 1]) fail('budgets', `has the level ${b} twice`);
  });
  return sorted;
}

/** Checks a scenario spec and fills its defaults; idempotent, so a complete spec passes through. */
export function parseScenarioSpec(raw: unknown): ScenarioSpec {
  const s = objectAt(raw, 'spec', 'the scenario of `active-sl synth --help`');
  onlyKeys(s, '', SPEC_KEYS);
  const name = textAt(s.name, 'name', '"broken-power-law"');
  if (s.description !== undefined && typeof s.description !== 'string') fail('description', 'must be a string');

  if (!Array.isArray(s.features) || s.features.length === 0) fail('features', 'must be a non-empty list of names, e.g. ["N", "D"]');
  const features = s.features.map((f, i) => {
    if (typeof f !== 'string' || !IDENT.test(f)) fail(`features[${i}]`, `${JSON.stringify(f)} is not a name ([A-Za-z_][A-Za-z0-9_]*)`);
    return f;
  });
  features.forEach((f, i) => {
    if (features.indexOf(f) !== i) fail('features', `names '${f}' twice`);
  });

  const target = textAt(s.target, 'target', '"loss"');
  if (!IDENT.test(target)) fail('target', `'${target}' is not a column name ([A-Za-z_][A-Za-z0-9_]*)`);
  const written = [target, `${target}_true`, `${target}_observed`, 'diverged'];
  const clash = features.find((f) => written.includes(f));
  if (clash !== undefined) fail('target', `the files would have two '${clash}' columns (a feature and ${written.join(' / ')})`);

  const truth = objectAt(s.truth, 'truth', '{"formula": "E + A * N^(-alpha)", "values": {"E": 1.69, …}}');
  onlyKeys(truth, 'truth', ['formula', 'values']);
  const truthFormula = textAt(truth.formula, 'truth.formula', '"E + A * N^(-alpha) + B * D^(-beta)"');
  const rawValues = objectAt(truth.values, 'truth.values', '{"E": 1.69, "A": 406.4}');
  const values = Object.fromEntries(Object.entries(rawValues).map(([k, v]) => [k, finiteAt(v, `truth.values.${k}`)]));

  const seed = s.seed === undefined ? 0 : s.seed;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) fail('seed', `${JSON.stringify(seed)}: must be a whole number ≥ 0`);

  return {
    name,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    truth: { formula: truthFormula, values },
    laws: parseLaws(s.laws),
    features,
    target,
    pool: parseGrid(s.pool, 'pool', features),
    region: parseGrid(s.region, 'region', features),
    cost: textAt(s.cost, 'cost', '"6 * N * D"'),
    budgets: parseBudgets(s.budgets),
    noise: parseNoise(s.noise),
    seed,
  };
}
