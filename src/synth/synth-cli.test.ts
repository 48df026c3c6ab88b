/** `active-sl synth` as a user runs it: the built CLI (dist/, built by `npm test`'s pretest step). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exampleScenarioSpec } from './example.js';
import { parseScenarioSpec } from './spec.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function cli(args: string[], cwd = os.tmpdir()) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'asl-synth-cli-'));
}

function specFile(dir: string, edit: (s: Record<string, unknown>) => void = () => {}): string {
  const spec = exampleScenarioSpec() as unknown as Record<string, unknown>;
  edit(spec);
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

describe('active-sl synth', () => {
  it('teaches with --help: its example spec is the tested example and generates', () => {
    const r = cli(['synth', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$ active-sl synth --preset broken-power --noise low --out/);
    const text = r.stdout.slice(r.stdout.indexOf('A scenario spec:') + 'A scenario spec:'.length, r.stdout.indexOf('scale defaults to'));
    expect(parseScenarioSpec(JSON.parse(text))).toEqual(parseScenarioSpec(exampleScenarioSpec()));
  });

  it('--list shows each preset on one line', () => {
    const r = cli(['synth', '--list']);
    expect(r.code).toBe(0);
    for (const name of ['control', 'broken-power', 'interaction', 'saturating-d', 'heteroscedastic', 'diverged']) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\S`, 'm'));
    }
  });

  it('writes a preset folder that `active-sl run --method mspe` runs', () => {
    const dir = workDir();
    const r = cli(['synth', '--preset', 'diverged', '--noise', 'high', '--seed', '2', '--out', 'scenario'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*scenario \(task\.json, pool\.csv, target\.csv\)$/m);
    expect(r.stdout).toMatch(/diverged-high-s2: 64 pool rows, 9 target rows, noise sd 0\.05, 2 diverged, seed 2/);
    const run = cli([
      'run',
      '--task',
      path.join(dir, 'scenario', 'task.json'),
      '--method',
      'mspe',
      '--repeats',
      '1',
      '--restarts',
      '8',
      '--quiet',
      '--out',
      path.join(dir, 'out'),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(
      fs.readFileSync(
        path.join(dir, 'out', 'diverged-high-s2', 'mspe', fs.readdirSync(path.join(dir, 'out', 'diverged-high-s2', 'mspe'))[0], 'summary.json'),
        'utf8',
      ),
    ) as { overall: { mean: number[] } };
    expect(summary.overall.mean).toHaveLength(3);
  });

  it('--spec with --seed and --noise-sd overrides, and --json prints only JSON', () => {
    const dir = workDir();
    const r = cli(['synth', '--spec', specFile(dir), '--out', path.join(dir, 's'), '--seed', '9', '--noise-sd', '0.07', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { dir: string; poolRows: number; seed: number; noise: { sd: number } };
    expect([out.dir, out.poolRows, out.seed, out.noise.sd]).toEqual([path.join(dir, 's'), 64, 9, 0.07]);
    const task = JSON.parse(fs.readFileSync(path.join(dir, 's', 'task.json'), 'utf8')) as { synthetic: { spec: { seed: number; noise: { sd: number } } } };
    expect([task.synthetic.spec.seed, task.synthetic.spec.noise.sd]).toEqual([9, 0.07]);
  });

  it('a bad spec: one line naming the file and field, exit 2, nothing written', () => {
    const dir = workDir();
    const file = specFile(dir, (s) => ((s.noise as Record<string, unknown>).sd = -1));
    const r = cli(['synth', '--spec', file, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`active-sl: ${file}: noise.sd: -1: must be ≥ 0\n`);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['scenario.json']);
  });

  it('a formula error keeps the compiler’s token', () => {
    const dir = workDir();
    const file = specFile(dir, (s) => ((s.truth as { values: Record<string, number> }).values = { E: 1 }));
    const r = cli(['synth', '--spec', file, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^active-sl: .*scenario\.json: truth\.formula: unknown name 'A'.*\(near 'A'\)/);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('flag errors name the flag and exit 2', () => {
    const dir = workDir();
    const cases: [string[], RegExp][] = [
      [['synth', '--preset', 'nope', '--out', 'x'], /--preset nope: choose from control, broken-power/],
      [['synth', '--preset', 'control', '--noise', 'loud', '--out', 'x'], /--noise loud: choose from low, mid, high/],
      [['synth', '--preset', 'control'], /--out <dir> is required/],
      [['synth', '--out', 'x'], /give one of --spec <scenario\.json> or --preset <name>/],
      [['synth', '--spec', 'missing.json', '--out', 'x'], /--spec missing\.json: cannot read it \(ENOENT\)/],
      [['synth', '--spec', 'missing.json', '--noise', 'low', '--out', 'x'], /--noise goes with --preset/],
      [['synth', '--preset', 'control', '--seed', '-1', '--out', 'x'], /--seed -1: must be a whole number ≥ 0/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a non-empty --out without --force, replaces its own folder with it', () => {
    const dir = workDir();
    expect(cli(['synth', '--preset', 'control', '--out', 's'], dir).code).toBe(0);
    const before = fs.readFileSync(path.join(dir, 's', 'pool.csv'), 'utf8');
    const refused = cli(['synth', '--preset', 'control', '--seed', '1', '--out', 's'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out .*s: exists and is not empty \(add --force/);
    expect(fs.readFileSync(path.join(dir, 's', 'pool.csv'), 'utf8')).toBe(before);
    expect(cli(['synth', '--preset', 'control', '--seed', '1', '--out', 's', '--force'], dir).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 's', 'pool.csv'), 'utf8')).not.toBe(before);
  });
});
