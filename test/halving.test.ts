/** `active-sl halving run` end to end through the built CLI, on synthetic and on small recorded curves. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../src/halving/strategies/index.js';
import { repoRoot } from './shared.js';

const CLI = path.join(repoRoot, 'dist', 'cli', 'main.js');
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'asl-halving-'));

/** Six models whose loss falls as a power of compute; bigger models start higher and end lower. */
function recordedCsv(dir: string, edit?: (rows: string[]) => void): string {
  const rows = ['model,params,compute,loss,extra'];
  for (let m = 0; m < 6; m++) {
    const N = 10 ** (7 + m / 2);
    for (let k = 1; k <= 30; k++) {
      const c = 1e17 * 1.3 ** k;
      const D = c / (6 * N);
      rows.push(`model-${m},${N},${c},${(1.7 + 400 / N ** 0.34 + 410 / D ** 0.28 + Math.exp(-D / N)).toFixed(5)},x`);
    }
  }
  edit?.(rows);
  const file = path.join(dir, 'curves.csv');
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

describe('halving run', () => {
  it.each(Object.keys(STRATEGIES))('%s on synthetic curves writes config, one line per seed and a summary', (strategy) => {
    const out = tmp();
    const r = cli([
      'halving',
      'run',
      '--curves',
      'synthetic:noise=ou,scale=0.02',
      '--strategy',
      strategy,
      '--m0',
      '5',
      '--budget',
      '1e3',
      '--seeds',
      '3',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const root = path.join(out, 'halving', 'synthetic-ou-0.02', strategy);
    const [run] = fs.readdirSync(root);
    const lines = fs
      .readFileSync(path.join(root, run, 'runs.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(3);
    const summary = JSON.parse(fs.readFileSync(path.join(root, run, 'summary.json'), 'utf8'));
    expect(summary.seeds).toBe(3);
    for (const v of [summary.mean.finalLoss, summary.mean.regret, summary.mean.computeSaved, summary.mean.abc]) expect(Number.isFinite(v)).toBe(true);
    expect(summary.mean.regret).toBeGreaterThanOrEqual(0);
    const svg = fs.readFileSync(path.join(root, run, 'seed-0.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    // one line per model (trained and not) plus the two frontier laws
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(5);
    expect(svg).toContain('frontier fitted on what was observed');
  });

  it('on recorded curves, SH picks no worse a model than uniform allocation on average', () => {
    const dir = tmp();
    const file = recordedCsv(dir);
    const loss = (strategy: string) => {
      const out = path.join(dir, strategy);
      expect(
        cli(['halving', 'run', '--curves', file, '--strategy', strategy, '--m0', '4', '--budget', '3e19', '--seeds', '6', '--out', out, '--quiet']).code,
      ).toBe(0);
      const root = path.join(out, 'halving', 'curves', strategy);
      return JSON.parse(fs.readFileSync(path.join(root, fs.readdirSync(root)[0], 'summary.json'), 'utf8')).mean.finalLoss as number;
    };
    expect(loss('sh')).toBeLessThanOrEqual(loss('ua'));
  });

  it('report: a halving results folder gets the strategy table, the frontier band figure and each seed-0 picture', () => {
    const out = tmp();
    for (const strategy of ['sh', 'ua']) {
      expect(
        cli([
          'halving',
          'run',
          '--curves',
          'synthetic:noise=white',
          '--strategy',
          strategy,
          '--m0',
          '5',
          '--budget',
          '1e3',
          '--seeds',
          '3',
          '--out',
          out,
          '--quiet',
        ]).code,
      ).toBe(0);
    }
    const r = cli(['report', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const html = fs.readFileSync(path.join(out, 'report', 'report.html'), 'utf8');
    expect(html).toContain('Learning-curve budget allocation');
    const table = html.slice(html.indexOf('<table class="results stress">'), html.indexOf('</table>', html.indexOf('<table class="results stress">')));
    expect(table).toMatch(/<td>sh<\/td>/);
    expect(table).toMatch(/<td>ua<\/td>/);
    expect(html).toContain('id="plot-halving-1-frontier"');
    expect(html).toContain('id="plot-halving-1-sh-seed0"');
    // the band figure draws one line per strategy and the complete curves' frontier, with marks
    const band = fs.readFileSync(path.join(out, 'report', 'halving-1-frontier.svg'), 'utf8');
    expect(band.match(/class="mark-line role-mark/g) ?? []).toHaveLength(3);
    expect(band).toMatch(/<path[^>]* d="M[\d.]+/);
    // no benchmark runs here: no header-only table.md / table.csv
    expect(fs.existsSync(path.join(out, 'report', 'table.md'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'report', 'table.csv'))).toBe(false);
    // ua on 3 seeds against sh on 3: a like-for-like comparison; sh again on 2 seeds would not be
    expect(table).toMatch(/<td>-?\d+\.\d\d%<\/td>/);
  });

  it('is deterministic, whatever --workers is', () => {
    const out = tmp();
    const args = ['halving', 'run', '--curves', 'synthetic:noise=white', '--m0', '5', '--budget', '1e3', '--seeds', '4', '--quiet'];
    expect(cli([...args, '--workers', '1', '--out', path.join(out, 'a')]).code).toBe(0);
    expect(cli([...args, '--workers', '2', '--out', path.join(out, 'b')]).code).toBe(0);
    const read = (o: string) => {
      const root = path.join(out, o, 'halving', 'synthetic-white-0.01', 'sh');
      return fs.readFileSync(path.join(root, fs.readdirSync(root)[0], 'runs.jsonl'), 'utf8');
    };
    expect(read('a')).toBe(read('b'));
  });
});

describe('halving run: bad input is one line, exit 2, nothing written', () => {
  const cases: [string, (dir: string) => string[], RegExp][] = [
    ['a missing column', (d) => ['--curves', recordedCsv(d, (rows) => (rows[0] = 'model,params,compute,los,extra'))], /no column 'loss'/],
    ['a non-numeric loss', (d) => ['--curves', recordedCsv(d, (rows) => (rows[3] = rows[3].replace(/,[^,]*,x$/, ',abc,x')))], /row 3.*loss|loss.*row 3/],
    ['a negative compute', (d) => ['--curves', recordedCsv(d, (rows) => (rows[2] = rows[2].replace(/^(model-0,[^,]*,)/, '$1-')))], /compute must be > 0/],
    ['compute not increasing', (d) => ['--curves', recordedCsv(d, (rows) => ([rows[2], rows[3]] = [rows[3], rows[2]]))], /does not increase/],
    ['a model with one point', (d) => ['--curves', recordedCsv(d, (rows) => rows.push('lonely,1e7,1e18,3.0,x'))], /one point/],
    ['η ≤ 1', () => ['--curves', 'synthetic', '--eta', '1'], /--eta 1: must be > 1/],
    ['M0 < 2', () => ['--curves', 'synthetic', '--m0', '1'], /--m0 1: must be ≥ 2/],
    ['a budget below one step', () => ['--curves', 'synthetic', '--budget', '5'], /--budget 5/],
    [
      'an unknown strategy',
      () => ['--curves', 'synthetic', '--strategy', 'magic'],
      /option '--strategy <s>' argument 'magic' is invalid. Allowed choices are ua, sh/,
    ],
    ['a bad synthetic spec', () => ['--curves', 'synthetic:noise=pink'], /noise=pink/],
    [
      'an unknown curve family',
      () => ['--curves', 'synthetic', '--strategy', 'sh-de', '--family', 'cubic'],
      /option '--family <f>' argument 'cubic' is invalid. Allowed choices are pl, exp, mmf/,
    ],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    const r = cli(['halving', 'run', ...args(dir), '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('(add --help')),
    ).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });
});

interface Advice {
  models: { action: string; next: number; lastLoss: number; compute: number; predicted: { compute: number; mean: number; lo90: number; hi90: number } }[];
  rounds: number;
  frontier: { law: { gamma: number }; lower: unknown };
}

describe('halving suggest', () => {
  it('--json: keeps ⌈M/η⌉ models with their next compute, and gives every model a 90% interval and the frontier a band', () => {
    const dir = tmp();
    // six recorded curves, each trained to its first 12 points
    const file = recordedCsv(dir, (rows) => {
      const header = rows[0];
      const kept = rows.slice(1).filter((_, i) => i % 30 < 12);
      rows.length = 0;
      rows.push(header, ...kept);
    });
    for (const strategy of ['sh', 'sh-lmc']) {
      const r = cli(['halving', 'suggest', '--curves', file, '--budget', '1e20', '--eta', '2', '--strategy', strategy, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const advice = JSON.parse(r.stdout) as Advice;
      expect(advice.models).toHaveLength(6);
      const go = advice.models.filter((m) => m.action === 'continue');
      expect(go).toHaveLength(3);
      for (const m of advice.models) {
        expect(m.next > 0).toBe(m.action === 'continue');
        expect(m.predicted.lo90).toBeLessThanOrEqual(m.predicted.mean);
        expect(m.predicted.hi90).toBeGreaterThanOrEqual(m.predicted.mean);
        expect(m.predicted.compute).toBeGreaterThan(m.compute);
      }
      // 3 kept → 2 rounds left; the next round gives each ⌊1e20 / (3 · 2)⌋
      expect(advice.rounds).toBe(2);
      expect(go[0].next).toBe(Math.floor(1e20 / 6));
      if (strategy === 'sh') {
        const worstKept = Math.max(...go.map((m) => m.lastLoss));
        for (const m of advice.models.filter((x) => x.action === 'stop')) expect(m.lastLoss).toBeGreaterThanOrEqual(worstKept);
      }
      expect(advice.frontier.law.gamma).toBeGreaterThan(0);
      expect(advice.frontier.lower).not.toBeNull();
    }
  });

  it('readable output names the action of every model', () => {
    const dir = tmp();
    const r = cli(['halving', 'suggest', '--curves', recordedCsv(dir), '--budget', '1e20', '--strategy', 'sh']);
    // the surrogate's fit can take a minute: readable output says it is under way, and how long it took
    expect(r.stderr).toMatch(/^fitting the learning-curve surrogate to \d+ curves …\ndone in [\d.]+ s\n$/);
    expect(r.stdout).toContain('if kept: ends at');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/continue/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/frontier L\(C\) = \(C \/ /);
    // forecasts a little past the compute seen (here under 2×) carry no caution; 100× the budget takes them far past it
    expect(r.stdout).not.toContain('caution:');
    const far = cli(['halving', 'suggest', '--curves', recordedCsv(dir), '--budget', '1e22', '--strategy', 'sh']);
    expect(far.stdout).toContain(
      'caution: 6 of 6 forecasts reach more than 5× the compute seen; on recorded curves such 90% intervals held the truth in only 16–60% of cases (docs/halving.md)',
    );
  });
});
