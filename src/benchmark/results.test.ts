/** Result labels and configurations: runs with a robust loss or exploration stay apart; older runs read as defaults. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeRuns } from '../report/collect.js';
import { appendRun, configDifferences, createRunDir, methodDir, methodLabel, type RunConfig } from './results.js';
import type { UnitRecord } from './unit.js';

const config = (extra: Partial<RunConfig> = {}): RunConfig => ({
  task: 't',
  taskFile: null,
  method: 'mspe',
  laws: ['a'],
  repeats: 1,
  seed: 0,
  restarts: 4,
  fitter: 'lbfgsb',
  gradient: 'reference',
  budgets: [0.1],
  shard: null,
  version: '0',
  ...extra,
});

describe('methodLabel', () => {
  it('is the plain method for the defaults, whether written out or missing (older runs)', () => {
    expect(methodLabel(config())).toBe('mspe');
    expect(methodLabel(config({ loss: 'l2', fScale: 1, explore: 0 }))).toBe('mspe');
  });

  it('names a robust loss with its f-scale, exploration with its ε, or both', () => {
    expect(methodLabel(config({ loss: 'huber', fScale: 0.05 }))).toBe('mspe+huber(0.05)');
    expect(methodLabel(config({ explore: 0.2 }))).toBe('mspe+explore(0.2)');
    expect(methodLabel(config({ loss: 'cauchy', fScale: 0.02, explore: 0.1 }))).toBe('mspe+cauchy(0.02)+explore(0.1)');
  });
});

describe('configDifferences', () => {
  it('reads a missing loss, f-scale and explore as l2, 1 and 0', () => {
    expect(configDifferences(config(), config({ loss: 'l2', fScale: 1, explore: 0 }))).toEqual([]);
    expect(configDifferences(config(), config({ loss: 'huber', fScale: 0.05, explore: 0.2 })).sort()).toEqual(['explore', 'fScale', 'loss']);
  });
});

describe('mergeRuns', () => {
  it('keeps a labelled run apart from the plain runs of its method, and merges an old plain run with a new one', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-label-'));
    const record = (repeat: number, r2: number): UnitRecord => ({ law: 'a', repeat, seed: 0, r2: [r2], groups: {}, wallSeconds: 0 });
    const write = (c: RunConfig, rec: UnitRecord) => appendRun(createRunDir(methodDir(out, c.task, methodLabel(c)), c), rec);
    write(config(), record(0, 0.5)); // an old run: no loss fields
    write(config({ loss: 'l2', fScale: 1, explore: 0, repeats: 2 }), record(1, 0.7));
    write(config({ loss: 'huber', fScale: 0.05, explore: 0 }), record(0, 0.9));
    const dirs = fs.readdirSync(path.join(out, 't')).flatMap((m) => fs.readdirSync(path.join(out, 't', m)).map((d) => path.join(out, 't', m, d)));
    const merged = mergeRuns(dirs);
    expect(merged.map((m) => m.method).sort()).toEqual(['mspe', 'mspe+huber(0.05)']);
    const plain = merged.find((m) => m.method === 'mspe')!;
    expect(plain.records.map((r) => r.r2[0])).toEqual([0.5, 0.7]);
    expect(plain.summary.method).toBe('mspe');
    expect(merged.find((m) => m.method !== 'mspe')!.summary.overall.mean).toEqual([0.9]);
  });
});
