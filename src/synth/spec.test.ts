import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleScenarioSpec } from './example.js';
import { parseScenarioSpec, ScenarioError, type ScenarioSpecInput } from './spec.js';
import { writeScenario } from './write.js';

type Edit = (s: ScenarioSpecInput & Record<string, unknown>) => void;

/** Applies the edit to the example, tries to write it, and returns the error; the folder must not appear. */
function rejected(edit: Edit): ScenarioError {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-synth-spec-'));
  const spec = exampleScenarioSpec() as ScenarioSpecInput & Record<string, unknown>;
  edit(spec);
  let error: unknown;
  try {
    writeScenario(spec, path.join(parent, 'out'));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ScenarioError);
  expect(fs.readdirSync(parent)).toEqual([]);
  const message = (error as ScenarioError).message;
  expect(message).not.toContain('\n');
  return error as ScenarioError;
}

describe('scenario spec defaults', () => {
  it('fills scale, budgets, noise details and seed, and keeps a complete spec unchanged', () => {
    const spec = exampleScenarioSpec();
    delete spec.budgets;
    delete spec.seed;
    spec.noise = { sd: 0.01 };
    const parsed = parseScenarioSpec(spec);
    expect(parsed.pool.D.scale).toBe('log');
    expect(parsed.budgets).toEqual([0.01, 0.05, 0.1]);
    expect(parsed.noise).toEqual({ sd: 0.01, costPower: 0, outliers: { fraction: 0, offset: 0.5 } });
    expect(parsed.seed).toBe(0);
    expect(parseScenarioSpec(parsed)).toEqual(parsed);
  });

  it('orders grid axes by features, not by the JSON key order', () => {
    const spec = exampleScenarioSpec();
    spec.pool = { D: spec.pool.D, N: spec.pool.N };
    expect(Object.keys(parseScenarioSpec(spec).pool)).toEqual(['N', 'D']);
  });
});

describe('scenario spec errors name the field and write nothing', () => {
  it('a truth parameter without a value', () => {
    const e = rejected((s) => delete s.truth.values.Nb);
    expect(e.field).toBe('truth.formula');
    expect(e.message).toMatch(/unknown name 'Nb'.*'Nb' needs a value in truth\.values/);
  });

  it('a truth formula name that is neither a feature nor a parameter', () => {
    const e = rejected((s) => (s.truth.formula = 'E + A * C^(-alpha)'));
    expect(e.field).toBe('truth.formula');
    expect(e.message).toContain("(near 'C')");
  });

  it('a truth value that is not a number', () => {
    const e = rejected((s) => ((s.truth.values as Record<string, unknown>).E = 'x'));
    expect(e.field).toBe('truth.values.E');
  });

  it('a fitted-law formula using a feature that is not in features', () => {
    const e = rejected((s) => (s.laws.chinchilla.formula = 'E + A * N^(-alpha) + B * D^(-beta) + 0 * U'));
    expect(e.field).toBe('laws.chinchilla.formula');
    expect(e.message).toMatch(/'U' is neither a feature \(N, D\) nor a parameter of this law \(E, A, alpha, B, beta\)/);
  });

  it('a fitted law with inverted bounds', () => {
    expect(rejected((s) => (s.laws.chinchilla.params.E = [4, 0.5])).field).toBe('laws.chinchilla.params.E');
  });

  it('a cost that is not positive somewhere', () => {
    const e = rejected((s) => Object.assign(s.pool.D, { from: -2e8, scale: 'linear' }));
    expect(e.field).toBe('cost');
    expect(e.message).toMatch(/gives -1\.2e\+16 at the pool point N=1e\+7, D=-2e\+8/);
  });

  it('a cost expression with an unknown name', () => {
    const e = rejected((s) => (s.cost = '6 * N * T'));
    expect(e.field).toBe('cost');
    expect(e.message).toContain("(near 'T')");
  });

  it('an axis with no points', () => {
    const e = rejected((s) => (s.pool.N.points = 0));
    expect(e.field).toBe('pool.N.points');
    expect(e.message).toMatch(/empty/);
  });

  it('an axis running backwards', () => {
    const e = rejected((s) => Object.assign(s.region.D, { from: 2e11, to: 6e10 }));
    expect(e.field).toBe('region.D');
    expect(e.message).toMatch(/from 200000000000 is above to 60000000000/);
  });

  it('a log axis starting at or below 0', () => {
    expect(rejected((s) => (s.pool.D.from = 0)).field).toBe('pool.D.from');
    expect(rejected((s) => (s.region.N.from = -3e9)).message).toMatch(/^region\.N\.from: -3000000000 on a log scale: must be > 0/);
  });

  it('a grid without an axis for a feature, or with an axis for a non-feature', () => {
    expect(rejected((s) => delete (s.pool as Record<string, unknown>).D).field).toBe('pool.D');
    expect(rejected((s) => ((s.region as Record<string, unknown>).U = { from: 1, to: 2, points: 2 })).field).toBe('region.U');
  });

  it('a target region that is not beyond the pool names the point', () => {
    const e = rejected((s) => (s.region.N = { from: 1e8, to: 1e10, points: 3 }));
    expect(e.field).toBe('region');
    expect(e.message).toMatch(/the point N=1e\+8, D=6e\+10 costs 3\.6e\+19, not above the pool's largest cost 1\.2e\+20 \(at N=1e\+9, D=2e\+10\)/);
  });

  it('negative noise sd', () => {
    const e = rejected((s) => (s.noise = { sd: -0.01 }));
    expect(e.field).toBe('noise.sd');
    expect(e.message).toMatch(/must be ≥ 0/);
  });

  it('a cost power that is not finite', () => {
    expect(rejected((s) => (s.noise = { sd: 0.01, costPower: Infinity })).field).toBe('noise.costPower');
    expect(rejected((s) => (s.noise = { sd: 0.01, costPower: '0.25' as unknown as number })).field).toBe('noise.costPower');
  });

  it('an outlier fraction outside [0, 1)', () => {
    for (const fraction of [1, -0.1, 1.5]) {
      const e = rejected((s) => (s.noise = { sd: 0.01, outliers: { fraction } }));
      expect(e.field).toBe('noise.outliers.fraction');
      expect(e.message).toMatch(/must be in \[0, 1\)/);
    }
  });

  it('budgets outside (0, 1]', () => {
    expect(rejected((s) => (s.budgets = [0, 0.1])).field).toBe('budgets[0]');
    expect(rejected((s) => (s.budgets = [0.1, 1.5])).field).toBe('budgets[1]');
    expect(rejected((s) => (s.budgets = [])).field).toBe('budgets');
  });

  it('a misspelt key', () => {
    const e = rejected((s) => (s.noise = { sd: 0.01, costpower: 1 } as never));
    expect(e.field).toBe('noise.costpower');
    expect(e.message).toMatch(/unknown key \(allowed: sd, costPower, outliers\)/);
  });

  it('a target column that a feature already uses', () => {
    expect(rejected((s) => (s.target = 'N')).field).toBe('target');
  });

  it('a seed that is not a whole number ≥ 0', () => {
    expect(rejected((s) => (s.seed = -1)).field).toBe('seed');
    expect(rejected((s) => (s.seed = 1.5)).field).toBe('seed');
  });

  it('a truth that is not finite somewhere in the pool', () => {
    const e = rejected((s) => (s.truth.formula = 'E + A * N^(-alpha) + B * D^(-beta) + log(N - 1e8)'));
    expect(e.field).toBe('truth.formula');
    expect(e.message).toMatch(/gives NaN at the pool point N=1e\+7, D=2e\+8/);
  });
});
