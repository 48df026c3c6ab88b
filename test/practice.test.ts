import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register as registerFit } from '../src/cli/commands/fit.js';
import { register as registerSuggest } from '../src/cli/commands/suggest.js';
import { UsageError } from '../src/cli/errors.js';
import { DataError } from '../src/data/table.js';
import { loadTask, type TaskSpec } from '../src/data/task.js';
import { loadPracticeData, type PracticeData } from '../src/campaign/data.js';
import { PracticeError } from '../src/campaign/model.js';
import { readObserved } from '../src/campaign/observed.js';
import { fitLaw, fitModel, rankCandidates, suggest } from '../src/campaign/suggest.js';

const TRUE = { E: 1.7, A: 400, alpha: 0.34, B: 410, beta: 0.28 };
const law = (N: number, D: number) => TRUE.E + TRUE.A * N ** -TRUE.alpha + TRUE.B * D ** -TRUE.beta;

/** Deterministic standard normals (LCG + Box–Muller): the test data must not change between runs. */
function normals(count: number, seed: number): number[] {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

const NOISE_SD = 0.003;

let dir: string;
let taskFile: string;
let task: TaskSpec;
let data: PracticeData;
/** Pool rows: N, D, loss, cost; file order. */
let pool: { N: number; D: number; loss: number; cost: number }[];
let target: { N: number; D: number }[];

function writeCsv(file: string, header: string[], rows: (string | number)[][]): string {
  const p = path.join(dir, file);
  fs.writeFileSync(p, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return p;
}

/** The k cheapest pool rows as an observed-runs file (with an extra column that must be ignored). */
function observedFile(name: string, k: number): string {
  const order = pool.map((_, i) => i).sort((a, b) => pool[a].cost - pool[b].cost || a - b);
  return writeCsv(
    name,
    ['run_id', 'N', 'D', 'loss'],
    order.slice(0, k).map((i) => [`r${i}`, pool[i].N, pool[i].D, pool[i].loss]),
  );
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'active-sl-practice-'));
  const Ns = [1e6, 3e6, 1e7, 3e7, 1e8, 3e8];
  const Ds = [1e8, 3e8, 1e9, 3e9, 1e10, 3e10];
  const eps = normals(Ns.length * Ds.length, 7);
  pool = [];
  for (const N of Ns) for (const D of Ds) pool.push({ N, D, loss: law(N, D) + NOISE_SD * eps[pool.length], cost: 6 * N * D });
  target = [
    { N: 1e9, D: 1e11 },
    { N: 3e9, D: 1e11 },
    { N: 1e9, D: 3e11 },
    { N: 3e9, D: 3e11 },
    { N: 1e10, D: 2e11 },
  ];
  writeCsv(
    'pool.csv',
    ['N', 'D', 'loss'],
    pool.map((r) => [r.N, r.D, r.loss]),
  );
  writeCsv(
    'target.csv',
    ['N', 'D', 'loss'],
    target.map((r) => [r.N, r.D, law(r.N, r.D)]),
  );
  taskFile = path.join(dir, 'task.json');
  fs.writeFileSync(
    taskFile,
    JSON.stringify({
      name: 'chinchilla-pilots',
      features: ['N', 'D'],
      targets: ['loss'],
      cost: '6 * N * D',
      candidates: 'pool.csv',
      target: 'target.csv',
      laws: {
        chinchilla: {
          formula: 'E + A * N^(-alpha) + B * D^(-beta)',
          params: { E: [0.5, 4], A: [1, 1e5], alpha: [0.05, 1.5], B: [1, 1e6], beta: [0.05, 1.5] },
        },
      },
    }),
  );
  task = loadTask(taskFile);
  data = await loadPracticeData(task);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const RESTARTS = 24;

/** The task with some of its law's bounds replaced, written beside it. */
async function withBounds(name: string, bounds: Record<string, [number, number]>): Promise<{ file: string; task: TaskSpec; data: PracticeData }> {
  const file = path.join(dir, name);
  const spec = JSON.parse(fs.readFileSync(taskFile, 'utf8'));
  spec.laws.chinchilla.params = { ...spec.laws.chinchilla.params, ...bounds };
  fs.writeFileSync(file, JSON.stringify(spec));
  const t = loadTask(file);
  return { file, task: t, data: await loadPracticeData(t) };
}

describe('practitioner workflow', () => {
  it('ranks affordable, not-yet-run candidates by score and suggests the best', async () => {
    const observed = await readObserved(task, observedFile('obs8.csv', 8));
    const model = fitModel({ task, data, observed, restarts: RESTARTS });
    expect(model.run.size).toBe(8);
    const budget = 6 * 1e8 * 3e9;
    const ranked = rankCandidates(model, 'mspe', budget);
    expect(ranked.length).toBeGreaterThan(0);
    for (const r of ranked) {
      expect(model.run.has(r.index)).toBe(false);
      expect(pool[r.index].cost).toBeLessThanOrEqual(budget);
    }
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].score).toBeGreaterThanOrEqual(ranked[i].score);
    const out = suggest({ task, data, observed, restarts: RESTARTS, budget });
    expect(out.suggestions).toHaveLength(1);
    expect(out.suggestions[0].row).toBe(ranked[0].index);
    expect(out.suggestions[0].score).toBeCloseTo(ranked[0].score, 10);
    expect(out.suggestions[0].features).toEqual({ N: pool[ranked[0].index].N, D: pool[ranked[0].index].D });
  });

  it.each(['mspe', 'v-opt', 'd-opt'] as const)('--batch 3 (%s) gives 3 distinct, unobserved rows within budget', async (method) => {
    const observed = await readObserved(task, observedFile('obs8b.csv', 8));
    const observedRows = new Set(fitModel({ task, data, observed, restarts: 4 }).run);
    const budget = 6 * 3e7 * 3e9 * 3;
    const out = suggest({ task, data, observed, restarts: RESTARTS, method, batch: 3, budget });
    expect(out.suggestions).toHaveLength(3);
    const rows = out.suggestions.map((s) => s.row);
    expect(new Set(rows).size).toBe(3);
    for (const r of rows) expect(observedRows.has(r)).toBe(false);
    const spent = out.suggestions.reduce((s, x) => s + x.cost, 0);
    expect(spent).toBeLessThanOrEqual(budget);
    out.suggestions.forEach((s) => expect(s.cost).toBeCloseTo(6 * pool[s.row].N * pool[s.row].D, -5));
  });

  it('target intervals cover the truth and shrink as runs are added', async () => {
    const uncertainties: number[] = [];
    for (const k of [6, 12, 24]) {
      const observed = await readObserved(task, observedFile(`obs${k}.csv`, k));
      const out = suggest({ task, data, observed, restarts: RESTARTS });
      const covered = out.target.predictions.filter((p) => {
        const truth = law(p.features.N, p.features.D);
        return p.lo90 <= truth && truth <= p.hi90;
      }).length;
      expect(covered).toBeGreaterThanOrEqual(Math.ceil(0.6 * target.length));
      for (const p of out.target.predictions) expect(p.lo90).toBeLessThan(p.hi90);
      uncertainties.push(out.target.uncertainty);
    }
    expect(uncertainties[1]).toBeLessThan(uncertainties[0]);
    expect(uncertainties[2]).toBeLessThan(uncertainties[1]);
  });

  it('stop flips with --stop-below', async () => {
    const observed = await readObserved(task, observedFile('obs10.csv', 10));
    const loose = suggest({ task, data, observed, restarts: RESTARTS, stopBelow: 10 });
    expect(loose.stop).toBe(true);
    const tight = suggest({ task, data, observed, restarts: RESTARTS, stopBelow: 1e-12 });
    expect(tight.stop).toBe(false);
    expect(suggest({ task, data, observed, restarts: RESTARTS }).stop).toBe(false);
  });

  it('fit gives parameter intervals around the estimate', async () => {
    const observed = await readObserved(task, observedFile('obs20.csv', 20));
    const r = fitLaw({ task, data, observed, restarts: RESTARTS });
    expect(r.parameters.map((p) => p.name)).toEqual(['E', 'A', 'alpha', 'B', 'beta']);
    for (const p of r.parameters) {
      expect(p.lo90).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.hi90);
    }
    // A has a positive lower bound: its interval is log-symmetric, hence positive
    expect(r.parameters[1].lo90).toBeGreaterThan(0);
  });

  it('bad input is a clear error', async () => {
    const missing = writeCsv(
      'missing.csv',
      ['N', 'D', 'loss'],
      [
        [1e6, 1e8, 3],
        [1e6, 3e8, ''],
      ],
    );
    await expect(readObserved(task, missing)).rejects.toThrow(DataError);
    await expect(readObserved(task, missing)).rejects.toThrow(/row 2, column 'loss'.*empty cell/);
    const text = writeCsv('text.csv', ['N', 'D', 'loss'], [[1e6, 'lots', 3]]);
    await expect(readObserved(task, text)).rejects.toThrow(/row 1, column 'D'.*'lots'/);
    const noCol = writeCsv('nocol.csv', ['N', 'loss'], [[1e6, 3]]);
    await expect(readObserved(task, noCol)).rejects.toThrow(/no column 'D'/);
    const observed = await readObserved(task, observedFile('obs5.csv', 5));
    expect(() => suggest({ task, data, observed, restarts: 4, budget: 1 })).toThrow(PracticeError);
    expect(() => suggest({ task, data, observed, restarts: 4, budget: 1 })).toThrow(/below the cost of every remaining candidate/);
    expect(() => suggest({ task, data, observed, restarts: 4, batch: 0 })).toThrow(/batch/);
    expect(() => suggest({ task, data, observed, restarts: 4, lawId: 'nope' })).toThrow(/no law 'nope'/);
  });

  it('one run and a pool without targets: says there is nothing to estimate the noise from, not a crash', async () => {
    // a practitioner's pool holds only inputs; with one run, the fit passes through it and no spread is known
    writeCsv(
      'inputs.csv',
      ['N', 'D'],
      pool.map((r) => [r.N, r.D]),
    );
    const inputsTask = path.join(dir, 'inputs-task.json');
    fs.writeFileSync(inputsTask, JSON.stringify({ ...JSON.parse(fs.readFileSync(taskFile, 'utf8')), candidates: 'inputs.csv' }));
    const t = loadTask(inputsTask);
    const d = await loadPracticeData(t);
    const one = await readObserved(t, observedFile('one.csv', 1));
    expect(() => fitLaw({ task: t, data: d, observed: one, restarts: 4 })).toThrow(PracticeError);
    expect(() => suggest({ task: t, data: d, observed: one, restarts: 4 })).toThrow(/1 observed run, and their target values do not vary/);
    const two = await readObserved(t, observedFile('two.csv', 2));
    expect(suggest({ task: t, data: d, observed: two, restarts: 4 }).suggestions.length).toBeGreaterThan(0);
  });

  it("never reads the pool's own losses: the same picks and forecast whatever they are", async () => {
    writeCsv(
      'pool-tripled.csv',
      ['N', 'D', 'loss'],
      pool.map((r) => [r.N, r.D, 3 * r.loss]),
    );
    const tripledFile = path.join(dir, 'tripled-task.json');
    fs.writeFileSync(tripledFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(taskFile, 'utf8')), candidates: 'pool-tripled.csv' }));
    const t = loadTask(tripledFile);
    const d = await loadPracticeData(t);
    const observed = await readObserved(task, observedFile('obs4p.csv', 4));
    const mine = suggest({ task, data, observed, restarts: 8, batch: 2 });
    const tripled = suggest({ task: t, data: d, observed, restarts: 8, batch: 2 });
    expect(tripled.suggestions).toEqual(mine.suggestions);
    expect(tripled.target).toEqual(mine.target);
    // one run: the pool's losses would give σ²'s prior a spread the runs themselves do not have
    const one = await readObserved(task, observedFile('one-p.csv', 1));
    expect(() => suggest({ task, data, observed: one, restarts: 4 })).toThrow(/1 observed run, and their target values do not vary/);
  });

  it('a fit that stops short of its optimum says so, and trf reaches it', async () => {
    // amplitudes boxed in [0, 10⁷] while their fits are a few hundred: uniform starts sit at millions
    const { file: wideFile, task: t, data: d } = await withBounds('wide-task.json', { A: [0, 1e7], B: [0, 1e7] });
    const observed = await readObserved(t, observedFile('obs20w.csv', 20));
    const ref = fitLaw({ task: t, data: d, observed, restarts: RESTARTS });
    expect(ref.convergence.converged).toBe(false);
    expect(ref.convergence.optimumMse).toBeLessThan(0.99 * ref.convergence.mse);
    expect(ref.convergence.message).toMatch(/--fitter trf/);
    const trf = fitLaw({ task: t, data: d, observed, restarts: RESTARTS, fitter: 'trf' });
    expect(trf.convergence.converged).toBe(true);
    expect(trf.mse).toBeLessThanOrEqual(ref.convergence.optimumMse * (1 + 1e-6));
    const text = await cli(registerFit, ['fit', '--task', wideFile, '--observed', path.join(dir, 'obs20w.csv'), '--restarts', String(RESTARTS)]);
    expect(text).toMatch(/WARNING fit did not converge: the lbfgsb fit stopped short of the optimum/);
  });

  it("a parameter's interval does not depend on the bounds of the others", async () => {
    // in linear coordinates (lower bound 0) B's column D^(−β) is ~10⁻³ of β's: the precision's
    // eigenvalue floor used to narrow β's interval several-fold
    const { task: t, data: d } = await withBounds('zero-task.json', { A: [0, 1e5], B: [0, 1e6] });
    const observed = await readObserved(task, observedFile('obs24z.csv', 24));
    const positive = fitLaw({ task, data, observed, restarts: 8, fitter: 'trf' });
    const zero = fitLaw({ task: t, data: d, observed, restarts: 8, fitter: 'trf' });
    expect(zero.mse).toBeCloseTo(positive.mse, 12);
    const width = (r: typeof zero, name: string) => {
      const p = r.parameters.find((q) => q.name === name)!;
      return p.hi90 - p.lo90;
    };
    for (const name of ['E', 'alpha', 'beta']) expect(width(zero, name) / width(positive, name)).toBeCloseTo(1, 1);
  });

  it('rows outside the pool still inform the fit', async () => {
    const base = observedFile('obs6.csv', 6);
    const extra = fs.readFileSync(base, 'utf8') + `x,${5e6},${5e8},${law(5e6, 5e8)}\n`;
    fs.writeFileSync(path.join(dir, 'obs6x.csv'), extra);
    const observed = await readObserved(task, path.join(dir, 'obs6x.csv'));
    const model = fitModel({ task, data, observed, restarts: 4 });
    expect(model.obs.n).toBe(7);
    expect(model.run.size).toBe(6);
  });
});

async function cli(register: (p: Command) => void, args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('suggest and fit commands', () => {
  it('--json prints only the contract JSON', async () => {
    const obs = observedFile('obs8c.csv', 8);
    const out = await cli(registerSuggest, ['suggest', '--task', taskFile, '--observed', obs, '--batch', '2', '--restarts', '8', '--json']);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['convergence', 'lawFits', 'stop', 'suggestions', 'target']);
    const s = parsed.suggestions as Record<string, unknown>[];
    expect(s).toHaveLength(2);
    for (const x of s) expect(Object.keys(x).sort()).toEqual(['cost', 'features', 'row', 'score']);
    const t = parsed.target as Record<string, unknown>;
    expect(Object.keys(t).sort()).toEqual(['predictions', 'uncertainty']);
    for (const p of t.predictions as Record<string, unknown>[]) expect(Object.keys(p).sort()).toEqual(['features', 'hi90', 'lo90', 'mean']);
  });

  it('the text table counts data rows from 1, the JSON row from 0', async () => {
    const obs = observedFile('obs8r.csv', 8);
    const args = ['suggest', '--task', taskFile, '--observed', obs, '--restarts', '8'];
    const json = JSON.parse(await cli(registerSuggest, [...args, '--json'])) as { suggestions: { row: number }[] };
    const text = await cli(registerSuggest, args);
    expect(text).toMatch(/#\s+data row\s+N\s+D/);
    expect(text).toMatch(new RegExp(`\\n1\\s+${json.suggestions[0].row + 1}\\s`));
  });

  it('fit and suggest say whether the law fits the runs: lawFits in the JSON, one line in the text', async () => {
    const few = observedFile('obs8e.csv', 8);
    const early = JSON.parse(await cli(registerFit, ['fit', '--task', taskFile, '--observed', few, '--restarts', '8', '--json'])) as {
      lawFits: Record<string, unknown>;
    };
    expect(early.lawFits).toMatchObject({ ok: true, checked: false, why: 'too few runs to check (n = 8 for 5 parameters; need ≥ 10)' });
    const obs = observedFile('obs14.csv', 14);
    for (const register of [registerFit, registerSuggest]) {
      const command = register === registerFit ? 'fit' : 'suggest';
      const parsed = JSON.parse(await cli(register, [command, '--task', taskFile, '--observed', obs, '--restarts', '8', '--json'])) as {
        lawFits: { ok: unknown; checked: unknown; why: unknown; stats: Record<string, unknown> };
      };
      expect(typeof parsed.lawFits.ok).toBe('boolean');
      expect(parsed.lawFits.checked).toBe(true);
      expect(typeof parsed.lawFits.why).toBe('string');
      expect(parsed.lawFits.stats.n).toBe(14);
      const text = await cli(register, [command, '--task', taskFile, '--observed', obs, '--restarts', '8']);
      expect(text).toMatch(parsed.lawFits.ok ? /^law fits: yes \(.+\)$/m : /^WARNING law does not fit: .+$/m);
    }
  });

  it('--noise-sd gives the law-fits check the run-to-run sd: residuals far above it fire the scale test', async () => {
    const obs = observedFile('obs20n.csv', 20);
    const run = async (sd: string) =>
      (
        JSON.parse(await cli(registerFit, ['fit', '--task', taskFile, '--observed', obs, '--restarts', '8', '--noise-sd', sd, '--json'])) as {
          lawFits: { fired: string[]; stats: { scaleRatio: number | null } };
        }
      ).lawFits;
    const tooSmall = await run(String(NOISE_SD / 20));
    expect(tooSmall.fired).toContain('scale');
    expect(tooSmall.stats.scaleRatio!).toBeGreaterThan(100);
    const right = await run(String(NOISE_SD));
    expect(right.fired).not.toContain('scale');
    expect(right.stats.scaleRatio).not.toBeNull();
    await expect(cli(registerSuggest, ['suggest', '--task', taskFile, '--observed', obs, '--noise-sd', '0'])).rejects.toThrow(
      /--noise-sd 0: must be a number > 0/,
    );
  });

  it('readable output and errors', async () => {
    const obs = observedFile('obs8d.csv', 8);
    const text = await cli(registerSuggest, ['suggest', '--task', taskFile, '--observed', obs, '--restarts', '8', '--stop-below', '5']);
    expect(text).toMatch(/run next:/);
    expect(text).toMatch(/stop below 5: yes/);
    const fitText = await cli(registerFit, ['fit', '--task', taskFile, '--observed', obs, '--restarts', '8']);
    expect(fitText).toMatch(/alpha/);
    expect(fitText).toMatch(/90% interval/);
    await expect(cli(registerSuggest, ['suggest', '--task', taskFile, '--observed', obs, '--budget', '1'])).rejects.toThrow(UsageError);
    await expect(cli(registerSuggest, ['suggest', '--task', taskFile, '--observed', obs, '--method', 'bogus'])).rejects.toThrow(
      /argument 'bogus' is invalid. Allowed choices are mspe, v-opt, d-opt/,
    );
    await expect(cli(registerSuggest, ['suggest', '--task', taskFile, '--observed', obs, '--law', 'nope'])).rejects.toThrow(UsageError);
    await expect(cli(registerSuggest, ['suggest', '--task', taskFile, '--observed', obs, '--batch', '0'])).rejects.toThrow(/--batch 0/);
  });

  it('a run copied twice into the observed file is an error naming both rows', async () => {
    const obs = observedFile('obs5c.csv', 5);
    const lines = fs.readFileSync(obs, 'utf8').trim().split('\n');
    fs.writeFileSync(path.join(dir, 'copied.csv'), [...lines, lines[2]].join('\n') + '\n');
    await expect(cli(registerFit, ['fit', '--task', taskFile, '--observed', path.join(dir, 'copied.csv')])).rejects.toThrow(
      /copied\.csv \(data row 6\): the same run as data row 2/,
    );
  });
});

describe('grouped tasks', () => {
  it('needs the group column in the observed runs and works per group', async () => {
    const gdir = fs.mkdtempSync(path.join(os.tmpdir(), 'active-sl-practice-g-'));
    try {
      const lines = ['corpus,N,D,loss'];
      for (const g of ['web', 'code'])
        for (const N of [1e6, 1e7, 1e8]) for (const D of [1e8, 1e9, 1e10]) lines.push(`${g},${N},${D},${law(N, D) + (g === 'code' ? 0.2 : 0)}`);
      fs.writeFileSync(path.join(gdir, 'pool.csv'), lines.join('\n') + '\n');
      fs.writeFileSync(path.join(gdir, 'target.csv'), 'corpus,N,D\nweb,1e9,1e11\ncode,1e9,1e11\n');
      const file = path.join(gdir, 'task.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          features: ['N', 'D'],
          targets: ['loss'],
          group: 'corpus',
          cost: '6 * N * D',
          candidates: 'pool.csv',
          target: 'target.csv',
          laws: {
            c: { formula: 'E + A * N^(-alpha) + B * D^(-beta)', params: { E: [0.5, 4], A: [1, 1e5], alpha: [0.05, 1.5], B: [1, 1e6], beta: [0.05, 1.5] } },
          },
        }),
      );
      const gtask = loadTask(file);
      const gdata = await loadPracticeData(gtask);
      expect(gdata.groups.map((g) => g.name)).toEqual(['code', 'web']);
      fs.writeFileSync(path.join(gdir, 'nogroup.csv'), `N,D,loss\n1e6,1e8,${law(1e6, 1e8)}\n`);
      await expect(readObserved(gtask, path.join(gdir, 'nogroup.csv'))).rejects.toThrow(/no column 'corpus'/);
      fs.writeFileSync(path.join(gdir, 'obs.csv'), ['corpus,N,D,loss', ...lines.slice(1).filter((l) => l.includes(',1000000,'))].join('\n') + '\n');
      const observed = await readObserved(gtask, path.join(gdir, 'obs.csv'));
      const web = suggest({ task: gtask, data: gdata, observed, group: 'web', restarts: 4 });
      expect(web.target.predictions).toHaveLength(1);
      expect(web.suggestions).toHaveLength(1);
      const rows = fs.readFileSync(path.join(gdir, 'pool.csv'), 'utf8').trim().split('\n').slice(1);
      expect(rows[web.suggestions[0].row].startsWith('web,')).toBe(true);
      expect(() => suggest({ task: gtask, data: gdata, observed, group: 'nope', restarts: 4 })).toThrow(/no group 'nope'/);
      fs.writeFileSync(path.join(gdir, 'mars.csv'), `corpus,N,D,loss\nweb,1e6,1e8,3\nmars,1e6,1e9,3.1\n`);
      await expect(cli(registerFit, ['fit', '--task', file, '--observed', path.join(gdir, 'mars.csv')])).rejects.toThrow(
        /mars\.csv \(data row 2, column 'corpus'\): group 'mars' has no candidates or target rows in the task; its groups are code, web/,
      );
    } finally {
      fs.rmSync(gdir, { recursive: true, force: true });
    }
  });
});

describe('a law with several targets', () => {
  it("forecasts every target, the first's in predictions and each in byTarget, and prints a table for each", async () => {
    const mdir = fs.mkdtempSync(path.join(os.tmpdir(), 'active-sl-practice-m-'));
    try {
      const Ns = [1e6, 2e6, 4e6, 8e6, 1.6e7, 3.2e7, 6.4e7, 1.28e8];
      const eps = normals(2 * Ns.length, 11);
      const train = (N: number) => 1.8 + 300 * N ** -0.35;
      const rows = Ns.map((N, i) => [N, train(N) + 0.002 * eps[2 * i], train(N) + 0.25 + 0.002 * eps[2 * i + 1]]);
      fs.writeFileSync(path.join(mdir, 'pool.csv'), ['N,train,val', ...rows.map((r) => r.join(','))].join('\n') + '\n');
      fs.writeFileSync(path.join(mdir, 'target.csv'), 'N\n1e9\n1e10\n');
      fs.writeFileSync(path.join(mdir, 'runs.csv'), ['N,train,val', ...rows.map((r) => r.join(','))].join('\n') + '\n');
      const file = path.join(mdir, 'task.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          features: ['N'],
          targets: ['train', 'val'],
          candidates: 'pool.csv',
          target: 'target.csv',
          laws: {
            two: {
              formula: { train: 'E + A * N^(-a)', val: 'E + gap + A * N^(-a)' },
              params: { E: [0.5, 4], gap: [0, 1], A: [1, 1e4], a: [0.05, 1] },
            },
          },
        }),
      );
      const mtask = loadTask(file);
      const mdata = await loadPracticeData(mtask);
      const observed = await readObserved(mtask, path.join(mdir, 'runs.csv'));
      const r = fitLaw({ task: mtask, data: mdata, observed, restarts: 8, fitter: 'trf' });
      expect(Object.keys(r.target.byTarget!)).toEqual(['train', 'val']);
      r.target.predictions.forEach((p, t) => {
        expect(r.target.byTarget!.train[t]).toEqual({ mean: p.mean, lo90: p.lo90, hi90: p.hi90 });
        expect(r.target.byTarget!.val[t].mean - p.mean).toBeCloseTo(0.25, 2);
      });
      const text = await cli(registerFit, ['fit', '--task', file, '--observed', path.join(mdir, 'runs.csv'), '--restarts', '8']);
      expect(text).toMatch(/target region \(train\):[\s\S]*target region \(val\):/);
    } finally {
      fs.rmSync(mdir, { recursive: true, force: true });
    }
  });
});

describe('a pool that repeats configurations', () => {
  let dupTask: TaskSpec;
  let dupFile: string;
  const key = (f: Record<string, number>) => `${f.N}/${f.D}`;

  beforeAll(() => {
    // every configuration twice, the copy's loss a little off, as two logged runs of one setting would be
    writeCsv(
      'pool-dup.csv',
      ['N', 'D', 'loss'],
      [...pool, ...pool].map((r, i) => [r.N, r.D, r.loss + (i >= pool.length ? 0.001 : 0)]),
    );
    dupFile = path.join(dir, 'task-dup.json');
    fs.writeFileSync(dupFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(taskFile, 'utf8')), name: 'dup', candidates: 'pool-dup.csv' }));
    dupTask = loadTask(dupFile);
  });

  it('never suggests a configuration already run, nor one twice in a batch', async () => {
    const dupData = await loadPracticeData(dupTask);
    const observed = await readObserved(dupTask, observedFile('obs-dup.csv', 8));
    const seen = new Set(Array.from({ length: observed.n }, (_, i) => `${observed.X[0][i]}/${observed.X[1][i]}`));
    const r = suggest({ task: dupTask, data: dupData, observed, restarts: 8, batch: 12 });
    expect(r.suggestions).toHaveLength(12);
    const picked = r.suggestions.map((s) => key(s.features));
    for (const k of picked) expect(seen.has(k)).toBe(false);
    expect(new Set(picked).size).toBe(picked.length);
  });

  it('says so on stderr, and says when the batch asked for is larger than what is left', async () => {
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    try {
      const out = await cli(registerSuggest, [
        'suggest',
        '--task',
        dupFile,
        '--observed',
        observedFile('obs-dup2.csv', 30),
        '--batch',
        '100',
        '--restarts',
        '8',
        '--json',
      ]);
      expect((JSON.parse(out) as { suggestions: unknown[] }).suggestions).toHaveLength(6);
    } finally {
      spy.mockRestore();
    }
    expect(err).toContain(`note: ${pool.length} pool rows repeat another row's features; each configuration is run and suggested once`);
    expect(err).toContain('note: asked for 100 runs, but only 6 candidates are not yet run');
  });
});
