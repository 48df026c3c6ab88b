import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaskData } from './dataset.js';
import { builtinTaskNames, lawOf, loadTask, readTaskFile } from './task.js';
import { dataRoots } from './locate.js';

function tmpTask(files: Record<string, string>, task: object): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-data-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, 'task.json');
  fs.writeFileSync(file, JSON.stringify(task, null, 2));
  return file;
}

const baseTask = {
  name: 'tiny',
  features: ['N', 'D'],
  targets: ['loss'],
  cost: '6 * N * D',
  candidates: 'pool.csv',
  target: 'target.csv',
  laws: { chin: { formula: 'E + A * N^(-a)', params: { E: [0, 5], A: [0, 100], a: [0, 2] } } },
};
const pool = 'N,D,loss\n1,10,3.0\n2,10,2.5\n4,20,2.2\n';
const target = 'N,D,loss\n8,40,2.0\n';

describe('built-in tasks', () => {
  it('reads the ScaleBench row counts and groups', async () => {
    const counts: Record<string, [number, number, number]> = {};
    for (const name of builtinTaskNames()) {
      const data = await loadTaskData(loadTask(name));
      counts[name] = [data.groups.reduce((s, g) => s + g.pool.n, 0), data.groups.reduce((s, g) => s + g.target.n, 0), data.groups.length];
    }
    expect(counts.vocab_scaling_law).toEqual([1080, 120, 1]);
    expect(counts.lr_bsz_scaling_law).toEqual([2702, 117, 1]);
    expect(counts.domain_mixture_scaling_law).toEqual([80, 24, 4]);
    expect(counts.sparsity_scaling_law).toEqual([70, 18, 3]);
    expect(counts.parallel_scaling_law).toEqual([36, 12, 2]);
  });

  it('orders groups by name and computes cost from non-feature columns', async () => {
    const data = await loadTaskData(loadTask('sparsity_scaling_law'));
    expect(data.groups.map((g) => g.name)).toEqual(['D1=2.31_D2=1.15', 'D1=2.31_D2=2.31', 'D1=2.31_D2=4.61']);
    for (const g of data.groups) for (const c of g.pool.cost) expect(c).toBeGreaterThan(0);
  });
});

describe('user task files', () => {
  it('loads a CSV task with the cost expression', async () => {
    const data = await loadTaskData(readTaskFile(tmpTask({ 'pool.csv': pool, 'target.csv': target }, baseTask)));
    expect(data.groups).toHaveLength(1);
    expect(Array.from(data.groups[0].pool.cost)).toEqual([60, 120, 480]);
    expect(data.groups[0].totalCost).toBe(660);
  });

  it('names file, row and column of a non-numeric cell', async () => {
    const file = tmpTask({ 'pool.csv': 'N,D,loss\n1,10,3.0\n2,ten,2.5\n', 'target.csv': target }, baseTask);
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(/pool\.csv \(data row 2, column 'D'\): expected a finite number, found 'ten'/);
  });

  it('gives the file line too when blank lines put it elsewhere than the data row says', async () => {
    const file = tmpTask({ 'pool.csv': 'N,D,loss\n1,10,3.0\n\n\n2,ten,2.5\n', 'target.csv': target }, baseTask);
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(/\(data row 2, column 'D'\): expected a finite number, found 'ten' \(line 5 of the file\)/);
  });

  it('reads decimal numbers only: a hexadecimal cell is a typo, not 16', async () => {
    const file = tmpTask({ 'pool.csv': 'N,D,loss\n1,10,3.0\n0x10,10,2.5\n', 'target.csv': target }, baseTask);
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(/\(data row 2, column 'N'\): expected a finite number, found '0x10'/);
  });

  it('names a ragged CSV line by its data row, as every other message does', async () => {
    const file = tmpTask({ 'pool.csv': 'N,D,loss\n1,10,3.0\n2,10\n', 'target.csv': target }, baseTask);
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(
      /pool\.csv: not valid CSV at data row 2 \(line 3 of the file\): Invalid Record Length: expect 3, got 2$/,
    );
  });

  it('names a missing column and lists the ones there are', async () => {
    const file = tmpTask({ 'pool.csv': 'N,DD,loss\n1,10,3.0\n', 'target.csv': target }, baseTask);
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(/no column 'D' \(columns: N, DD, loss\)/);
  });

  it('names the row whose cost is not positive', async () => {
    const file = tmpTask({ 'pool.csv': pool, 'target.csv': target }, { ...baseTask, cost: 'N - 2' });
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(/row 1.*gives -1/);
  });

  it('rejects a cost expression naming an unknown column with its place', async () => {
    const file = tmpTask({ 'pool.csv': pool, 'target.csv': target }, { ...baseTask, cost: 'N * tokens' });
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(/cost: unknown name 'tokens'.*column 5/);
  });

  it('rejects a parameter named twice in the raw JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-dup-'));
    const file = path.join(dir, 'task.json');
    fs.writeFileSync(file, JSON.stringify(baseTask).replace('"E":[0,5]', '"E":[0,5],"E":[1,2]'));
    expect(() => readTaskFile(file)).toThrow(/key 'E' appears twice/);
  });

  it('rejects bounds with lo ≥ hi, naming the parameter', () => {
    const file = tmpTask({}, { ...baseTask, laws: { chin: { formula: 'E', params: { E: [5, 1] } } } });
    expect(() => readTaskFile(file)).toThrow(/laws\.chin\.params\.E: bounds \[5, 1\]/);
  });

  it('says where it looked when the data is missing', async () => {
    const file = tmpTask({}, baseTask);
    await expect(loadTaskData(readTaskFile(file))).rejects.toThrow(/data file 'pool\.csv' not found; looked in/);
  });

  it('names an unknown key and the one it was likely meant to be', () => {
    const { budgets: _, ...rest } = baseTask as Record<string, unknown>;
    expect(() => readTaskFile(tmpTask({}, { ...rest, budget: [0.1] }))).toThrow(/budget: unknown key; did you mean 'budgets'\?/);
    expect(() => readTaskFile(tmpTask({}, { ...baseTask, laws: { chin: { formula: 'E', param: { E: [0, 5] } } } }))).toThrow(
      /laws\.chin\.param: unknown key; did you mean 'params'\?/,
    );
    expect(() => readTaskFile(tmpTask({}, { ...baseTask, owner: 'me' }))).toThrow(/owner: unknown key; the keys are name, description/);
  });

  it('names a task after its folder, made safe for a path, and refuses a name that is not one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-name-'));
    const folder = path.join(dir, 'my pilots');
    fs.mkdirSync(folder);
    const { name: _, ...unnamed } = baseTask;
    fs.writeFileSync(path.join(folder, 'task.json'), JSON.stringify(unnamed));
    expect(readTaskFile(path.join(folder, 'task.json')).name).toBe('my-pilots');
    // a relative path in the current folder: its name is the folder's, not '.'
    const cwd = process.cwd();
    try {
      process.chdir(folder);
      expect(readTaskFile('task.json').name).toBe('my-pilots');
    } finally {
      process.chdir(cwd);
    }
    expect(() => readTaskFile(tmpTask({}, { ...baseTask, name: '../../escaped' }))).toThrow(/name: '\.\.\/\.\.\/escaped' cannot name a results folder/);
  });

  it('reads a task file saved with a byte-order mark', () => {
    const file = tmpTask({}, baseTask);
    fs.writeFileSync(file, '\ufeff' + fs.readFileSync(file, 'utf8'));
    expect(readTaskFile(file).name).toBe('tiny');
  });

  it('lists the built-in tasks for an unknown name', () => {
    expect(() => loadTask('vocab')).toThrow(/unknown task; built-in tasks are: data_constrained_scaling_law/);
  });
});

describe('where built-in data is looked for', () => {
  it('refuses a --data-dir or ACTIVE_SL_DATA that is not a folder instead of using other data', () => {
    expect(() => dataRoots({ dataDir: '/nonexistent/scalebench', env: {} })).toThrow(/^--data-dir: \/nonexistent\/scalebench is not a folder/);
    expect(() => dataRoots({ env: { ACTIVE_SL_DATA: '/nonexistent/x' } })).toThrow(/^ACTIVE_SL_DATA: \/nonexistent\/x is not a folder/);
  });

  it('searches only the folder the user names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-roots-'));
    expect(dataRoots({ dataDir: dir, env: { ACTIVE_SL_DATA: '/nonexistent/x' } })).toEqual([dir]);
    expect(dataRoots({ env: { ACTIVE_SL_DATA: dir } })).toEqual([dir]);
    expect(dataRoots({ env: {} }).length).toBe(2);
  });
});

describe('laws of a task file', () => {
  it('refuse a parameter the formula never uses, naming it', () => {
    const file = tmpTask({}, { ...baseTask, laws: { chin: { formula: 'E + A * N^(-a)', params: { E: [0, 5], A: [0, 100], a: [0, 2], B: [0, 9] } } } });
    expect(() => lawOf(readTaskFile(file), 'chin')).toThrow(/laws\.chin\.params\.B: declared but the formula never uses it/);
  });

  it('load every built-in law: none declares a parameter it does not use', () => {
    for (const name of builtinTaskNames()) {
      const task = loadTask(name);
      for (const id of Object.keys(task.laws)) expect(lawOf(task, id).unused).toEqual([]);
    }
  });
});
