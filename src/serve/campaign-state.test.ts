import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeServeCampaign, makeTempDir, type ServeFixture } from '../../test/serve-fixture.js';
import { openCampaign, type Campaign, type CampaignOptions } from './campaign-state.js';
import { HttpError, ServeError } from './errors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function fixture(): ServeFixture {
  const dir = makeTempDir('asl-serve-campaign-');
  dirs.push(dir);
  return makeServeCampaign(dir, { points: 5 });
}

function options(fx: ServeFixture, more: Partial<CampaignOptions> = {}): CampaignOptions {
  return {
    taskFile: fx.task,
    runsFile: fx.runs,
    seed: 0,
    restarts: 6,
    method: 'mspe',
    batch: 2,
    budget: null,
    leaseSeconds: 3600,
    historyCap: 2,
    auth: false,
    ...more,
  };
}

const runOf = (fx: ServeFixture, row: number) => ({ N: fx.pool[row].N, D: fx.pool[row].D, loss: fx.lossOf(row) });
const tellRows = (c: Campaign, fx: ServeFixture, rows: number[]) => c.tell(JSON.stringify(rows.map((r) => runOf(fx, r))), 'application/json');

async function refused(p: Promise<unknown>, status = 400): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HttpError);
  expect((e as HttpError).status).toBe(status);
  return (e as Error).message;
}

describe('a served campaign', () => {
  let fx: ServeFixture;
  let c: Campaign;
  beforeEach(async () => {
    fx = fixture();
    c = await openCampaign(options(fx));
    return () => c.close();
  });

  it('writes a told run to the file before answering, and refuses a bad one writing nothing', async () => {
    expect(c.notes.join('\n')).toMatch(/created .*runs\.csv with the header only/);
    const v0 = c.version();
    const answer = await tellRows(c, fx, [0, 6]);
    expect(answer).toMatchObject({ accepted: 2, rows: [1, 2], notes: [] });
    expect(answer.version).toBeGreaterThan(v0);
    const text = fs.readFileSync(fx.runs, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(await refused(tellRows(c, fx, [12, 6]))).toMatch(
      /^runs\[1\]: N=.* is already in runs\.csv \(data row 2\), with the same loss: this run was told before/,
    );
    expect(await refused(c.tell('{"N":1,"D":2}', 'application/json'))).toBe("run: no 'loss'; every run needs N, D, loss");
    expect(fs.readFileSync(fx.runs, 'utf8')).toBe(text);
    const outside = await c.tell('{"N":1.5e7,"D":3e8,"loss":4.9}', 'application/json');
    expect(outside.notes).toEqual(['run (N=1.5e7, D=3e8) is not a candidate of the pool: recorded, and it informs the fit, but no pool row is marked run']);
  });

  it('gives concurrent askers different runs, frees a run when it is told, and keeps all of it across a restart', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, k) => c.lease({ batch: 1, worker: `w${k}` })));
    const rows = answers.flatMap((a) => a.leases.map((l) => l.row));
    expect(rows).toHaveLength(6);
    expect(new Set(rows).size).toBe(6);
    expect(c.pending().pending).toHaveLength(6);
    expect(await refused(c.lease({ rows: [rows[0]] }), 409)).toMatch(/is already pending \(lease [0-9a-f]+, w0/);
    const told = await tellRows(c, fx, [rows[0]]);
    expect(told.released.map((l) => l.row)).toEqual([rows[0]]);
    expect(c.pending().pending.map((l) => l.row)).toEqual(rows.slice(1));
    expect(await refused(c.lease({ rows: [rows[0]] }), 409)).toMatch(/has already been run/);
    // a second wave sees the first: no row is handed out twice while pending
    const more = await Promise.all([c.lease({ batch: 2 }), c.lease({ batch: 2 })]);
    const all = [...rows.slice(1), ...more.flatMap((a) => a.leases.map((l) => l.row))];
    expect(new Set(all).size).toBe(all.length);
    const next = await c.suggest({ batch: 3 });
    for (const s of next.suggestions) expect(all).not.toContain(s.row);
    const { released } = await c.release(c.pending().pending[0].id);
    expect(all).toContain(released.row);
    expect(await refused(c.release(released.id), 404)).toMatch(/no pending run with lease/);
    const version = c.version();
    const pending = c.pending().pending.map((l) => l.id);
    await c.close();

    c = await openCampaign(options(fx));
    expect(c.version()).toBeGreaterThan(version);
    expect(c.pending().pending.map((l) => l.id)).toEqual(pending);
    expect(c.notes.join('\n')).toMatch(/runs are still pending/);
  });

  it('shows the budget, the runs and the forecast, and the stop rule', async () => {
    await c.close();
    c = await openCampaign(options(fx, { budget: 1e22, stopBelow: 10 }));
    await tellRows(c, fx, [0, 1, 5, 6, 12]);
    await c.lease({ rows: [24] });
    const view = await c.view();
    expect(view.runs.map((r) => r.row)).toEqual([1, 2, 3, 4, 5]);
    const spent = [0, 1, 5, 6, 12].reduce((s, r) => s + 6 * fx.pool[r].N * fx.pool[r].D, 0);
    expect(view.budget.spent).toBeCloseTo(spent, -2);
    expect(view.budget.pending).toBeCloseTo(6 * fx.pool[24].N * fx.pool[24].D, -2);
    expect(view.budget.left).toBeCloseTo(1e22 - view.budget.spent - view.budget.pending, -2);
    expect(view.groups[0].forecast!.predictions).toHaveLength(4);
    expect(view.stop).toBe(view.groups[0].forecast!.uncertainty < 10);
    const forecast = await c.forecast();
    expect(forecast.forecast!.uncertainty).toBe(view.groups[0].forecast!.uncertainty);
    const figures = await c.figures();
    expect(figures.groups[0].inputs.map((i) => i.feature)).toEqual(['N', 'D']);
    expect(figures.groups[0].forecast).toMatch(/^<svg/);
  });

  it('lets a lease expire, and says what is wrong with a lease request', async () => {
    const { leases } = await c.lease({ batch: 1, lease: 0.2 });
    expect(leases).toHaveLength(1);
    const v = c.version();
    await vi.waitFor(() => expect(c.pending().pending).toEqual([]), { timeout: 5000, interval: 100 });
    expect(c.version()).toBeGreaterThan(v);
    expect(await refused(c.lease({ batch: 0 }))).toMatch(/^batch: expected a whole number from 1 to 1000, found 0/);
    expect(await refused(c.lease({ lease: 'soon' }))).toMatch(/^lease: expected seconds/);
    expect(await refused(c.lease({ rows: [999] }))).toMatch(/^rows\[0\]: 999 is not a row of the candidate pool/);
    expect(await refused(c.lease({ bacth: 2 }))).toMatch(/^unknown field 'bacth'/);
    expect(await refused(c.suggest({ group: 'nope' }))).toMatch(/^group 'nope' is not a group of this task/);
  });

  it('refuses a second server on the same file', async () => {
    await expect(openCampaign(options(fx))).rejects.toThrow(ServeError);
  });

  it('writes every one of many concurrent tells exactly once', async () => {
    const rows = Array.from({ length: 25 }, (_, r) => r);
    const answers = await Promise.all(rows.map((r) => tellRows(c, fx, [r])));
    const lines = fs.readFileSync(fx.runs, 'utf8').trim().split('\n').slice(1);
    expect(lines).toHaveLength(25);
    expect(new Set(answers.flatMap((a) => a.rows))).toEqual(new Set(rows.map((r) => r + 1)));
    for (const r of rows) expect(lines.filter((l) => l === `${fx.pool[r].N},${fx.pool[r].D},${fx.lossOf(r)}`)).toHaveLength(1);
  });
});

describe('a campaign with groups', () => {
  it('fits, suggests and leases per group, and needs the group of every run', async () => {
    const fx = fixture();
    // two corpora over the same grid: pool rows 0…24 are 'a', 25…49 'b'
    const task = JSON.parse(fs.readFileSync(fx.task, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(fx.task, JSON.stringify({ ...task, group: 'corpus' }));
    const pool = fx.pool.map((p) => `${p.N},${p.D}`);
    fs.writeFileSync(path.join(fx.dir, 'pool.csv'), `corpus,N,D\n${[...pool.map((l) => `a,${l}`), ...pool.map((l) => `b,${l}`)].join('\n')}\n`);
    const target = fs.readFileSync(path.join(fx.dir, 'target.csv'), 'utf8').trim().split('\n');
    fs.writeFileSync(
      path.join(fx.dir, 'target.csv'),
      `corpus,${target[0]}\n${['a', 'b'].flatMap((g) => target.slice(1).map((l) => `${g},${l}`)).join('\n')}\n`,
    );
    const c = await openCampaign(options(fx));
    try {
      expect(fs.readFileSync(fx.runs, 'utf8')).toBe('corpus,N,D,loss\n');
      expect(await refused(c.tell(JSON.stringify(runOf(fx, 0)), 'application/json'))).toMatch(/^run: no 'corpus'; this task's runs belong to a group \(a, b\)/);
      const told = await c.tell(JSON.stringify([0, 6, 12].map((r) => ({ corpus: 'b', ...runOf(fx, r) }))), 'application/json');
      expect(told.rows).toEqual([1, 2, 3]);
      // the same configuration in the other group is another run
      await c.tell(JSON.stringify({ corpus: 'a', ...runOf(fx, 0) }), 'application/json');
      const { leases } = await c.lease({ group: 'b', batch: 2 });
      for (const l of leases) {
        expect(l.group).toBe('b');
        expect(l.row).toBeGreaterThanOrEqual(25);
        expect(l.row - 25).not.toBe(0);
      }
      const view = await c.view();
      expect(view.groups.map((g) => [g.group, g.runs])).toEqual([
        ['a', 1],
        ['b', 3],
      ]);
      expect(view.groups[1].forecast).not.toBeNull();
      const next = await c.suggest({ group: 'b', batch: 3 });
      for (const s of next.suggestions) expect(leases.map((l) => l.row)).not.toContain(s.row);
    } finally {
      await c.close();
    }
  });
});
