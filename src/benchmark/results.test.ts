/** Result labels and configurations: runs with a robust loss or exploration stay apart; older runs read as defaults. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeRuns } from '../report/collect.js';
import { appendRun, configDifferences, createRunDir, methodDir, methodLabel, readConfig, type RunConfig } from './results.js';
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

  it('never merges runs of one method under different fitters: the non-reference one is labelled where both are read', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-fitter-'));
    const record = (repeat: number, r2: number): UnitRecord => ({ law: 'a', repeat, seed: 0, r2: [r2], groups: {}, wallSeconds: 0 });
    const write = (c: RunConfig, rec: UnitRecord) => appendRun(createRunDir(methodDir(out, c.task, methodLabel(c)), c), rec);
    write(config({ fitter: 'lbfgsb' }), record(0, 0.5));
    write(config({ fitter: 'trf', restarts: 16 }), record(0, 0.8));
    const dirs = fs.readdirSync(path.join(out, 't', 'mspe')).map((d) => path.join(out, 't', 'mspe', d));
    const both = mergeRuns(dirs);
    const rows = both.map((m) => [m.method, m.summary.method, m.records[0].r2[0]]);
    expect(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['mspe', 'mspe', 0.5],
      ['mspe+trf', 'mspe+trf', 0.8],
    ]);
    // a tree of converged runs alone keeps the method's own name, so that it lines up with the paper
    const alone = mergeRuns(dirs.filter((d) => readConfig(d)!.fitter === 'trf'));
    expect(alone.map((m) => m.method)).toEqual(['mspe']);
  });
});
