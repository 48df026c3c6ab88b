import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleScenarioSpec } from './example.js';
import { OutputFolderError, writeFolderAtomically, writeScenario } from './write.js';

function parentDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'asl-synth-write-'));
}

describe('atomic scenario folder write', () => {
  it('creates the folder (and missing parents) with exactly the files, leaving no staging folder', () => {
    const parent = parentDir();
    const dir = path.join(parent, 'a', 'b');
    const written = writeFolderAtomically(dir, { 'x.txt': 'one', 'y.txt': 'two' });
    expect(written).toBe(path.resolve(dir));
    expect(fs.readdirSync(dir).sort()).toEqual(['x.txt', 'y.txt']);
    expect(fs.readFileSync(path.join(dir, 'y.txt'), 'utf8')).toBe('two');
    expect(fs.readdirSync(path.join(parent, 'a'))).toEqual(['b']);
  });

  it('gives the folder the mode any new folder gets there, not the 700 of a temporary folder', () => {
    const parent = parentDir();
    const sibling = path.join(parent, 'plain');
    fs.mkdirSync(sibling);
    const dir = writeFolderAtomically(path.join(parent, 'scenario'), { 'x.txt': 'one' });
    expect(fs.statSync(dir).mode & 0o777).toBe(fs.statSync(sibling).mode & 0o777);
  });

  it('writes into an existing empty folder', () => {
    const dir = path.join(parentDir(), 'empty');
    fs.mkdirSync(dir);
    writeFolderAtomically(dir, { 'x.txt': 'one' });
    expect(fs.readdirSync(dir)).toEqual(['x.txt']);
  });

  it('refuses a non-empty folder without --force and leaves it as it was', () => {
    const parent = parentDir();
    const dir = path.join(parent, 'full');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    expect(() => writeFolderAtomically(dir, { 'x.txt': 'one' })).toThrow(OutputFolderError);
    expect(() => writeFolderAtomically(dir, { 'x.txt': 'one' })).toThrow(/exists and is not empty \(add --force/);
    expect(fs.readdirSync(dir)).toEqual(['keep.txt']);
    expect(fs.readdirSync(parent)).toEqual(['full']);
  });

  it('with force, replaces a folder synth wrote, old files included', () => {
    const dir = path.join(parentDir(), 'scenario');
    writeScenario(exampleScenarioSpec(), dir);
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'old');
    const spec = exampleScenarioSpec();
    spec.seed = 5;
    writeScenario(spec, dir, { force: true });
    expect(fs.readdirSync(dir).sort()).toEqual(['pool.csv', 'target.csv', 'task.json']);
    expect((JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8')) as { synthetic: { spec: { seed: number } } }).synthetic.spec.seed).toBe(5);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['scenario']);
  });

  it('even with force, will not delete a folder synth did not write', () => {
    const dir = path.join(parentDir(), 'work');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'task.json'), '{"name": "mine"}');
    expect(() => writeFolderAtomically(dir, { 'x.txt': 'one' }, { force: true })).toThrow(/not written by active-sl synth/);
    expect(fs.readdirSync(dir)).toEqual(['task.json']);
  });

  it('refuses a path that is a file', () => {
    const file = path.join(parentDir(), 'file');
    fs.writeFileSync(file, 'x');
    expect(() => writeFolderAtomically(file, { 'x.txt': 'one' }, { force: true })).toThrow(/exists and is not a folder/);
  });
});
