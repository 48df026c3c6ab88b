/** `--loss`, `--f-scale` and `--explore` on the command line: bad input, labelled result folders, resume, table. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './shared.js';

const CLI = path.join(repoRoot, 'dist', 'cli', 'main.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'asl-robust-'));
const base = ['run', '--dataset', 'parallel_scaling_law', '--laws', 'sl_1', '--repeats', '1', '--restarts', '4', '--workers', '1', '--quiet'];

describe('bad --loss, --f-scale or --explore is one line, exit code 2, and no files', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'unknown loss',
      ['--method', 'mspe', '--loss', 'tukey'],
      /option '--loss <name>' argument 'tukey' is invalid. Allowed choices are l2, soft_l1, huber, cauchy/,
    ],
    ['zero f-scale', ['--method', 'mspe', '--loss', 'huber', '--f-scale', '0'], /--f-scale 0: must be a number > 0/],
    ['negative f-scale', ['--method', 'mspe', '--loss', 'huber', '--f-scale', '-0.1'], /--f-scale -0.1: must be a number > 0/],
    ['f-scale not a number', ['--method', 'mspe', '--loss', 'huber', '--f-scale', 'small'], /--f-scale small: must be a number > 0/],
    ['robust loss without a scale', ['--method', 'mspe', '--loss', 'cauchy'], /--loss cauchy needs --f-scale <C>/],
    ['explore above 1', ['--method', 'mspe', '--explore', '1.5'], /--explore 1.5: must be a number in \[0, 1\]/],
    ['explore with a baseline', ['--method', 'random', '--explore', '0.2'], /--explore 0.2: only the model-based methods .* not random/],
    ['robust loss on Slurm', ['--method', 'mspe', '--loss', 'huber', '--f-scale', '0.02', '--slurm', '--dry-run'], /--slurm\/--k8s: not yet with --loss huber/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const out = tmp();
    const r = cli([...base, '--out', out, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('(add --help')).length,
    ).toBe(1);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('a run with a robust loss and exploration', () => {
  it('goes to its own method folder, resumes there, and is its own row in the table', () => {
    const out = tmp();
    const robust = ['--method', 'mspe', '--loss', 'huber', '--f-scale', '0.02', '--explore', '0.3', '--out', out];
    const r = cli([...base, ...robust]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/parallel_scaling_law · mspe\+huber\(0\.02\)\+explore\(0\.3\)/);
    const root = path.join(out, 'parallel_scaling_law', 'mspe+huber(0.02)+explore(0.3)');
    const [run] = fs.readdirSync(root);
    const config = JSON.parse(fs.readFileSync(path.join(root, run, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ method: 'mspe', loss: 'huber', fScale: 0.02, explore: 0.3 });
    const record = JSON.parse(fs.readFileSync(path.join(root, run, 'runs.jsonl'), 'utf8'));
    expect(Object.keys(record.explored)).toEqual(['pile', 'stack']);

    const again = cli([...base, ...robust, '--resume']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resumed: 1 units were already done, 0 ran now/);
    expect(fs.readdirSync(root)).toHaveLength(1);

    expect(cli([...base, '--method', 'mspe', '--out', out]).code).toBe(0);
    const table = JSON.parse(cli(['table', out, '--format', 'json']).stdout) as { method: string }[];
    expect(table.map((row) => row.method).sort()).toEqual(['mspe', 'mspe+huber(0.02)+explore(0.3)']);
    expect(cli(['table', out, '--paper']).stdout).toMatch(/\| parallel_scaling_law \| mspe \| .*\(paper -?\d\.\d\d/);
  });

  it('resumes a run written before these flags existed (its config.json lacks them)', () => {
    const out = tmp();
    expect(cli([...base, '--method', 'random', '--out', out]).code).toBe(0);
    const root = path.join(out, 'parallel_scaling_law', 'random');
    const [run] = fs.readdirSync(root);
    const file = path.join(root, run, 'config.json');
    const { loss: _l, fScale: _f, explore: _e, ...old } = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify(old));
    const r = cli([...base, '--method', 'random', '--out', out, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resumed: 1 units were already done/);
  });
});

describe('fit and suggest', () => {
  it('take --loss and --f-scale, and reject a bad one with exit code 2', () => {
    for (const cmd of ['fit', 'suggest']) {
      const help = cli([cmd, '--help']);
      expect(help.stdout).toMatch(/--loss <name>/);
      expect(help.stdout).toMatch(/--f-scale <C>/);
      const r = cli([cmd, '--task', 'x.json', '--observed', 'y.csv', '--loss', 'huber', '--f-scale', '-1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--f-scale -1: must be a number > 0/);
    }
  });
});
