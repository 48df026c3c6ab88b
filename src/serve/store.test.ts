import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../data/task.js';
import { stagingName } from './durable.js';
import { ServeError } from './errors.js';
import { csvCell, openRunsFile } from './store.js';

const TASK = { features: ['N', 'D'], targets: ['loss'], group: null } as unknown as TaskSpec;
const run = (N: number, D: number, loss: number, extra: Record<string, string> = {}) => ({
  group: 'all_data',
  x: [N, D],
  y: [loss],
  cells: { N: String(N), D: String(D), loss: String(loss), ...extra },
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-serve-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('openRunsFile', () => {
  it('creates a missing file with the task columns, and appends runs to it', async () => {
    const file = path.join(dir, 'runs.csv');
    const store = await openRunsFile(TASK, file);
    expect(store.notes[0]).toMatch(/created .*runs\.csv with the header only/);
    expect(store.runs).toEqual([]);
    const added = await store.append([run(1e8, 2e9, 3.1), run(2e8, 2e9, 3)]);
    expect(added.map((r) => r.row)).toEqual([0, 1]);
    expect(fs.readFileSync(file, 'utf8')).toBe('N,D,loss\n100000000,2000000000,3.1\n200000000,2000000000,3\n');
    const again = await openRunsFile(TASK, file);
    expect(again.runs).toEqual([
      { group: 'all_data', x: [1e8, 2e9], y: [3.1], row: 0 },
      { group: 'all_data', x: [2e8, 2e9], y: [3], row: 1 },
    ]);
  });

  it("keeps the user's bytes: line endings, a last line without one, other columns", async () => {
    const file = path.join(dir, 'runs.csv');
    fs.writeFileSync(file, 'run_id,N,D,loss\r\nfirst,1e7,2e8,5.33');
    const store = await openRunsFile(TASK, file);
    expect(store.columns).toEqual(['run_id', 'N', 'D', 'loss']);
    await store.append([run(1e8, 2e9, 3.1, { run_id: 'job, 7' })]);
    expect(fs.readFileSync(file, 'utf8')).toBe('run_id,N,D,loss\r\nfirst,1e7,2e8,5.33\r\n"job, 7",100000000,2000000000,3.1\r\n');
    expect((await openRunsFile(TASK, file)).runs).toHaveLength(2);
  });

  it('removes the temporary file of a write that a kill cut short', async () => {
    const file = path.join(dir, 'runs.csv');
    fs.writeFileSync(file, 'N,D,loss\n1,2,3\n');
    fs.writeFileSync(stagingName(file), 'N,D,loss\n1,2,3\n4,5');
    const store = await openRunsFile(TASK, file);
    expect(fs.existsSync(stagingName(file))).toBe(false);
    expect(store.notes[0]).toMatch(/unfinished write/);
    expect(store.runs).toHaveLength(1);
  });

  it('refuses a file without the columns the runs need', async () => {
    const file = path.join(dir, 'runs.csv');
    fs.writeFileSync(file, 'N,loss\n');
    await expect(openRunsFile(TASK, file)).rejects.toThrow(ServeError);
    await expect(openRunsFile(TASK, file)).rejects.toThrow(/no column 'D'; the observed runs need N, D, loss/);
  });

  it('sees a write by something else, and reads it again', async () => {
    const file = path.join(dir, 'runs.csv');
    fs.writeFileSync(file, 'N,D,loss\n1,2,3\n');
    const store = await openRunsFile(TASK, file);
    expect(store.changedOnDisk()).toBe(false);
    await store.append([run(4, 5, 6)]);
    expect(store.changedOnDisk()).toBe(false);
    fs.appendFileSync(file, '7,8,9\n');
    expect(store.changedOnDisk()).toBe(true);
    await store.reload();
    expect(store.runs.map((r) => r.x)).toEqual([
      [1, 2],
      [4, 5],
      [7, 8],
    ]);
    expect(store.changedOnDisk()).toBe(false);
  });
});

it('quotes a cell only when a CSV reader would misread it', () => {
  expect([csvCell('3.1'), csvCell('a,b'), csvCell('say "hi"'), csvCell(' padded')]).toEqual(['3.1', '"a,b"', '"say ""hi"""', '" padded"']);
});
