/**
 * The command line as a user runs it: the built CLI (dist/, built by `npm test`'s pretest step)
 * in a child process.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './shared.js';

const CLI = path.join(repoRoot, 'dist', 'cli', 'main.js');

function cli(args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'asl-cli-'));
}

/** runs.jsonl without the timing fields, which are allowed to differ. */
function runsWithoutTiming(dir: string): string {
  return fs
    .readFileSync(path.join(dir, 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.stringify({ ...JSON.parse(l), wallSeconds: undefined }))
    .join('\n');
}

function onlyRunDir(root: string): string {
  const dirs = fs.readdirSync(root);
  expect(dirs).toHaveLength(1);
  return path.join(root, dirs[0]);
}

describe('active-sl datasets and laws', () => {
  it('lists the 8 built-in tasks with their row counts', () => {
    const r = cli(['datasets', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; poolRows: number; targetRows: number }[];
    expect(rows).toHaveLength(8);
    const vocab = rows.find((x) => x.name === 'vocab_scaling_law')!;
    expect([vocab.poolRows, vocab.targetRows]).toEqual([1080, 120]);
    const lr = rows.find((x) => x.name === 'lr_bsz_scaling_law')!;
    expect([lr.poolRows, lr.targetRows]).toEqual([2702, 117]);
    expect(cli(['datasets']).stdout).toMatch(/moe_scaling_law\s+193\s+28/);
  });

  it('shows formula, parameters and bounds of a law', () => {
    const r = cli(['laws', '--dataset', 'moe_scaling_law', '--law', 'sl_1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sl_1 \(4 params\)/);
    expect(r.stdout).toMatch(/B ∈ \[0\.1, 500\]/);
  });

  it('teaches with --help and an example on every command', () => {
    for (const cmd of ['run', 'table', 'datasets', 'laws', 'fetch-data', 'suggest', 'fit', 'serve', 'halving', 'stress', 'synth', 'reproduce', 'report']) {
      const r = cli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(/Example/);
      // the whole definition is loaded for the command asked about, not only its name
      expect(r.stdout, cmd).toMatch(/Options:\n[\s\S]*--/);
    }
    expect(cli(['help', 'suggest']).stdout).toMatch(/--batch <k>/);
  });

  it('lists every command in the top-level help and suggests the nearest to a typo', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['run', 'table', 'reproduce', 'report', 'suggest', 'fit', 'serve', 'halving', 'synth', 'stress', 'datasets', 'laws', 'fetch-data']) {
      expect(top.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
    }
    const typo = cli(['sugest']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'sugest'.*Did you mean suggest\?/s);
  });
});

describe('bad input is one line, exit code 2, and no files', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown method', ['--method', 'bogus'], /--method bogus: unknown method; choose from random, cheapest/],
    ['zero repeats', ['--method', 'random', '--repeats', '0'], /--repeats 0: must be a whole number ≥ 1/],
    ['negative workers', ['--method', 'random', '--workers', '-1'], /--workers -1: must be a whole number ≥ 1/],
    ['shard out of range', ['--method', 'random', '--shard', '3/2'], /--shard 3\/2: must be i\/n with 0 ≤ i < n/],
    ['unknown law', ['--method', 'random', '--laws', 'sl_99'], /has no law sl_99; its laws are sl_1/],
    ['unknown fitter', ['--method', 'random', '--fitter', 'bfgs'], /option '--fitter <name>' argument 'bfgs' is invalid. Allowed choices are lbfgsb, trf, lm/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const out = tmp();
    const r = cli(['run', '--dataset', 'parallel_scaling_law', '--out', out, ...args]);
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

  it('an unknown task lists the built-in ones', () => {
    const r = cli(['run', '--dataset', 'vocab', '--method', 'random', '--out', tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/built-in tasks are: data_constrained_scaling_law/);
  });

  it('missing data says where it looked and how to get it', () => {
    const env = { ...process.env };
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'datasets'));
    // a task file whose data is absent
    fs.writeFileSync(
      path.join(dir, 'task.json'),
      JSON.stringify({
        features: ['x'],
        targets: ['y'],
        candidates: 'pool.csv',
        target: 'target.csv',
        laws: { l: { formula: 'a * x', params: { a: [0, 1] } } },
      }),
    );
    const r = spawnSync(process.execPath, [CLI, 'run', '--task', path.join(dir, 'task.json'), '--method', 'random', '--out', path.join(dir, 'out')], {
      encoding: 'utf8',
      env,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/data file 'pool\.csv' not found; looked in/);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('a nonlinear parameter without a finite box', () => {
  // 1e999 is how JSON spells an infinite bound: JSON.parse reads it as Infinity
  const task = (dir: string, bounds: string) => {
    fs.writeFileSync(path.join(dir, 'pool.csv'), 'x,y\n1,2\n2,3\n3,4.5\n4,5\n');
    fs.writeFileSync(path.join(dir, 'target.csv'), 'x,y\n8,9\n9,10.5\n');
    const file = path.join(dir, 'task.json');
    fs.writeFileSync(
      file,
      `{"features":["x"],"targets":["y"],"cost":"x","candidates":"pool.csv","target":"target.csv","laws":{"l":{"formula":"a + b * x^c","params":${bounds}}}}`,
    );
    return file;
  };

  it('is refused under trf when the parameter is nonlinear, naming it', () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    const r = cli(['run', '--task', task(dir, '{"a":[-1e999,1e999],"b":[0,10],"c":[-1e999,2]}'), '--method', 'random', '--fitter', 'trf', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/law l: parameter 'c' is nonlinear and has an infinite bound/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('is refused under lbfgsb for every parameter, and trf is suggested when only linear ones are open', () => {
    const dir = tmp();
    const r = cli(['run', '--task', task(dir, '{"a":[-1e999,1e999],"b":[0,10],"c":[0,2]}'), '--method', 'random', '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/parameter 'a' has an infinite bound.*use --fitter trf/);
  });

  it('is fine under trf when only linear parameters are unbounded', () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    const r = cli([
      'run',
      '--task',
      task(dir, '{"a":[null,null],"b":[0,10],"c":[0,2]}'),
      '--method',
      'all-data',
      '--fitter',
      'trf',
      '--repeats',
      '1',
      '--quiet',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('active-sl run', () => {
  const base = ['run', '--dataset', 'parallel_scaling_law', '--laws', 'sl_2,sl_9', '--repeats', '2', '--restarts', '4', '--quiet'];

  it.each(['random', 'cheapest', 'cost-rand', 'all-data', 'greedy_cheapest', 'd-opt', 'v-opt', 'mspe', 'mspe-intra', 'mspe-inter'])(
    'runs %s end to end',
    (method) => {
      const out = tmp();
      const r = cli([...base, '--method', method, '--out', out, '--workers', '1']);
      expect(r.code, r.stderr).toBe(0);
      const canonical = method === 'greedy_cheapest' ? 'cheapest' : method;
      const dir = onlyRunDir(path.join(out, 'parallel_scaling_law', canonical));
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
      expect(summary.budgets).toEqual([0.01, 0.05, 0.1]);
      expect(Object.keys(summary.laws)).toEqual(['sl_2', 'sl_9']);
      expect(summary.laws.sl_2.r2).toHaveLength(3);
      expect(summary.laws.sl_2.r2[0]).toHaveLength(2);
      for (const v of summary.overall.mean) expect(v).toBeGreaterThanOrEqual(-1);
      const lines = fs.readFileSync(path.join(dir, 'runs.jsonl'), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(4);
      const first = JSON.parse(lines[0]);
      expect(Object.keys(first.groups)).toEqual(['pile', 'stack']);
      expect(r.stdout).toMatch(/overall/);
    },
  );

  it('runs mspe under --fitter trf, into a run whose config names the fitter', () => {
    const out = tmp();
    const r = cli([...base, '--method', 'mspe', '--fitter', 'trf', '--out', out, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const dir = onlyRunDir(path.join(out, 'parallel_scaling_law', 'mspe'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).fitter).toBe('trf');
    expect(fs.readFileSync(path.join(dir, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('gives identical runs.jsonl whatever --workers is', () => {
    const a = tmp();
    const b = tmp();
    expect(cli([...base, '--method', 'random', '--out', a, '--workers', '1']).code).toBe(0);
    expect(cli([...base, '--method', 'random', '--out', b, '--workers', '2']).code).toBe(0);
    const da = onlyRunDir(path.join(a, 'parallel_scaling_law', 'random'));
    const db = onlyRunDir(path.join(b, 'parallel_scaling_law', 'random'));
    expect(runsWithoutTiming(db)).toBe(runsWithoutTiming(da));
  });

  it('merges n shards into what one unsharded run gives', () => {
    const whole = tmp();
    const shards = tmp();
    expect(cli([...base, '--method', 'cost-rand', '--out', whole]).code).toBe(0);
    for (const s of ['0/3', '1/3', '2/3']) expect(cli([...base, '--method', 'cost-rand', '--out', shards, '--shard', s]).code).toBe(0);
    const t1 = JSON.parse(cli(['table', whole, '--format', 'json']).stdout);
    const t2 = JSON.parse(cli(['table', shards, '--format', 'json']).stdout);
    expect(t2).toEqual(t1);
    expect(t1[0].units).toBe(4);
  });

  it('resumes a run killed with SIGKILL to the same result', async () => {
    const whole = tmp();
    const killed = tmp();
    const args = [
      'run',
      '--dataset',
      'parallel_scaling_law',
      '--laws',
      'sl_1,sl_2,sl_3',
      '--repeats',
      '3',
      '--restarts',
      '8',
      '--method',
      'random',
      '--workers',
      '1',
      '--quiet',
    ];
    expect(cli([...args, '--out', whole]).code).toBe(0);
    // kill as soon as the first unit has been written
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args, '--out', killed]);
      const timer = setInterval(() => {
        const root = path.join(killed, 'parallel_scaling_law', 'random');
        if (!fs.existsSync(root)) return;
        const dirs = fs.readdirSync(root);
        const runs = dirs.length ? path.join(root, dirs[0], 'runs.jsonl') : '';
        if (runs && fs.existsSync(runs) && fs.readFileSync(runs, 'utf8').length > 0) {
          child.kill('SIGKILL');
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(timer);
        resolve();
      });
    });
    const r = cli([...args, '--out', killed, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    const dw = onlyRunDir(path.join(whole, 'parallel_scaling_law', 'random'));
    const dk = onlyRunDir(path.join(killed, 'parallel_scaling_law', 'random'));
    expect(runsWithoutTiming(dk)).toBe(runsWithoutTiming(dw));
  });

  it('refuses to resume a run with another configuration', () => {
    const out = tmp();
    expect(cli([...base, '--method', 'random', '--out', out]).code).toBe(0);
    const r = cli([...base.map((a) => (a === '2' ? '3' : a)), '--method', 'random', '--out', out, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume: the latest run .* has another configuration \(repeats: 2 there, 3 now\)/);
    expect(fs.readdirSync(path.join(out, 'parallel_scaling_law', 'random'))).toHaveLength(1);
  });
});

describe('resuming a run of another version', () => {
  it('continues it with a warning that names both versions, each unit recording its own', () => {
    const out = tmp();
    const args = [
      'run',
      '--dataset',
      'parallel_scaling_law',
      '--laws',
      'sl_1',
      '--repeats',
      '2',
      '--restarts',
      '4',
      '--method',
      'random',
      '--workers',
      '1',
      '--quiet',
      '--out',
      out,
    ];
    expect(cli(args.map((a) => (a === '2' ? '1' : a))).code).toBe(0);
    const dir = onlyRunDir(path.join(out, 'parallel_scaling_law', 'random'));
    // make the folder look as if an older active-sl had started it, with repeats 2 and one unit done
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, repeats: 2, version: '0.0.1' }));
    const r = cli([...args, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --resume: .* was started by active-sl 0\.0\.1, this is \d+\.\d+\.\d+; its remaining units will come from/);
    const lines = fs
      .readFileSync(path.join(dir, 'runs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { repeat: number; version?: string });
    expect(lines.map((l) => l.repeat)).toEqual([0, 1]);
    expect(lines[1].version).toBe(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    // nothing left to run: no warning
    expect(cli([...args, '--resume']).stderr).not.toMatch(/warning/);
  });
});

describe('active-sl table', () => {
  it('puts the paper figure and the difference beside each cell', () => {
    const out = tmp();
    expect(
      cli(['run', '--dataset', 'parallel_scaling_law', '--method', 'cheapest', '--laws', 'sl_9', '--repeats', '1', '--restarts', '4', '--out', out, '--quiet'])
        .code,
    ).toBe(0);
    const r = cli(['table', out, '--paper']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| parallel_scaling_law \| cheapest \| -?\d\.\d\d ± \d\.\d\d @1% \(paper -?\d\.\d\d, [+−]\d\.\d\d\)/);
    const csv = cli(['table', out, '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('task,method,level,budget,mean,std,paper_mean,paper_std,diff,units,se,z');
    expect(csv).toHaveLength(4);
  });
});

describe('active-sl reproduce', () => {
  it('runs the grid, prints the table beside the paper, writes the report, and resumes without rerunning', () => {
    const out = tmp();
    const args = [
      'reproduce',
      '--tasks',
      'parallel_scaling_law',
      '--methods',
      'cheapest,mspe',
      '--repeats',
      '1',
      '--restarts',
      '4',
      '--workers',
      '1',
      '--out',
      out,
      '--quiet',
    ];
    const r = cli(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| parallel_scaling_law \| cheapest \|/);
    expect(r.stdout).toMatch(/\| parallel_scaling_law \| mspe \|/);
    expect(r.stderr).toMatch(/report: .*report\.html/);
    // parallel's 1% buys no candidate in either group: said once, naming both, not once per method
    expect(r.stderr.match(/warning: parallel_scaling_law: group pile: budget level\(s\) 1% .*; group stack: budget level\(s\) 1%/g)).toHaveLength(1);
    const html = fs.readFileSync(path.join(out, 'report', 'report.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    const runs = path.join(out, 'parallel_scaling_law', 'mspe');
    const before = runsWithoutTiming(onlyRunDir(runs));
    // again: every unit is done, so the same run folder is continued and nothing changes
    expect(cli(args).code).toBe(0);
    expect(runsWithoutTiming(onlyRunDir(runs))).toBe(before);
    // other settings on the same --out: one line naming the folder and what differs, exit 2, nothing changed
    const other = cli(args.map((a, i) => (args[i - 1] === '--repeats' ? '2' : a)));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /^active-sl: .*parallel_scaling_law[/\\]cheapest[/\\]\d{8}-\d{6} was started with other settings \(repeats: 1 there, 2 now\); reproduce carries on what --out holds, so give another --out or that run's settings\n$/,
    );
    expect(runsWithoutTiming(onlyRunDir(runs))).toBe(before);
  });
});

describe('an output folder that cannot be written', () => {
  it('is one line naming the path and the cause, exit 2, for run, reproduce, fetch-data, halving run, stress and synth', () => {
    const dir = tmp();
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    for (const args of [
      ['run', '--dataset', 'parallel_scaling_law', '--method', 'random', '--repeats', '1', '--laws', 'sl_1', '--out', path.join(file, 'out')],
      ['reproduce', '--tasks', 'parallel_scaling_law', '--methods', 'random', '--repeats', '1', '--out', path.join(file, 'out')],
      ['fetch-data', '--dir', path.join(file, 'data'), '--url', 'http://127.0.0.1:9'],
      ['halving', 'run', '--curves', 'synthetic', '--m0', '5', '--budget', '1e3', '--strategy', 'sh', '--seeds', '1', '--out', path.join(file, 'out')],
      ['stress', '--repeats', '1', '--methods', 'all-data', '--no-extras', '--out', path.join(file, 'out')],
      ['synth', '--preset', 'control', '--out', path.join(file, 'out')],
    ]) {
      const r = cli(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toMatch(
        new RegExp(`^active-sl: cannot (write|read) ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+: a part of the path is a file, not a folder\\n$`),
      );
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('not a folder');
  });
});

describe('small things a new user meets', () => {
  it('--version prints the package version', () => {
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('--repeats 1e9 is a whole number, but far too many: refused before any work, saying why', () => {
    const out = path.join(tmp(), 'out');
    const r = cli(['run', '--dataset', 'parallel_scaling_law', '--method', 'random', '--repeats', '1e9', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^active-sl: --repeats 1e9: at most 10000 \(each repeat is a full budget loop per law/);
    expect(fs.existsSync(out)).toBe(false);
    expect(cli(['run', '--dataset', 'parallel_scaling_law', '--method', 'random', '--repeats', '2.5']).stderr).toMatch(
      /--repeats 2\.5: must be a whole number ≥ 1/,
    );
  });

  it('--help gives --workers its default as "all cores", once', () => {
    const help = cli(['run', '--help']).stdout;
    expect(help).toMatch(/--workers <n>\s+worker threads \(default: all cores\)\n/);
  });
});

describe('Ctrl-C during a run', () => {
  it('says where the finished units are and how to run the rest, exit 130', async () => {
    const out = path.join(tmp(), 'out');
    const child = spawn(
      process.execPath,
      [CLI, 'run', '--dataset', 'lr_bsz_scaling_law', '--method', 'random', '--repeats', '3', '--workers', '1', '--out', out],
      {
        cwd: repoRoot,
        env: { ...process.env, FORCE_COLOR: '0' },
      },
    );
    let err = '';
    let sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        err += String(chunk);
        // one unit is on disk: interrupt the rest, once, as one Ctrl-C would
        if (!sent && /\[1\/30\]/.test(err)) sent = child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(
      fs
        .readFileSync(path.join(onlyRunDir(path.join(out, 'lr_bsz_scaling_law', 'random')), 'runs.jsonl'), 'utf8')
        .trim()
        .split('\n').length,
    ).toBeGreaterThanOrEqual(1);
    expect(err).toMatch(
      new RegExp(
        `active-sl: interrupted; every finished unit is saved under ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the same command with --resume runs the rest`,
      ),
    );
  }, 120_000);
});

describe('the command outside the checkout', () => {
  it('installs from a packed tarball and runs from any folder', () => {
    const dir = tmp();
    // dist is already built (pretest); packing must not rebuild it under the other tests' feet
    const packed = spawnSync('npm', ['pack', repoRoot, '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const prefix = path.join(dir, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball!)], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
    const bin = path.join(prefix, 'bin', 'active-sl');
    const version = spawnSync(bin, ['--version'], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(version.stdout.trim()).toBe((JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
    const laws = spawnSync(bin, ['laws', '--dataset', 'vocab_scaling_law'], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(laws.status, laws.stderr).toBe(0);
    expect(laws.stdout).toMatch(/sl_1/);
  }, 300_000);
});

describe('table on a folder of another kind of results', () => {
  it('says it holds stress-suite results and which command tabulates them', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'stress-summary.json'), JSON.stringify({ kind: 'stress' }));
    const r = cli(['table', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no benchmark runs under ${dir}: it holds stress-suite results, which \`active-sl report ${dir}\` tabulates`);
  });
});
