/** The package as a library: `import('active-sl')` resolves (self-reference) to the built API. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './shared.js';

function importInChild(code: string): unknown {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("import('active-sl')", () => {
  it('gives getLaw with the contract shapes for one and several outputs', () => {
    const out = importInChild(`
      const m = await import('active-sl');
      const one = m.getLaw('moe_scaling_law', 'sl_1');
      const e1 = one.evaluate([1.8, 40, 0.2, 0.1], [[8, 1e9], [16, 2e9]]);
      const many = m.getLaw('domain_mixture_scaling_law', 'sl_8');
      const e2 = many.evaluate(many.bounds.map(([lo, hi]) => (lo + hi) / 2), [[0.2, 0.2, 0.2, 0.2, 0.2]]);
      console.log(JSON.stringify({ params: one.params, bounds: one.bounds, outputs: [one.outputs, many.outputs],
        pred1: [e1.pred.length, typeof e1.pred[0]], jac1: [e1.jac.length, e1.jac[0].length],
        pred2: [e2.pred.length, e2.pred[0].length], jac2: [e2.jac.length, e2.jac[0].length, e2.jac[0][0].length],
        exports: ['compileLaw', 'scoreCandidates', 'loadTaskData', 'runBenchmark'].filter((k) => typeof m[k] === 'function') }));
    `) as Record<string, unknown>;
    expect(out.params).toEqual(['L_inf', 'B', 'alpha', 'beta']);
    expect(out.bounds).toEqual([
      [0, 3],
      [0.1, 500],
      [0, 1.5],
      [-0.5, 1.5],
    ]);
    expect(out.outputs).toEqual([1, 5]);
    expect(out.pred1).toEqual([2, 'number']);
    expect(out.jac1).toEqual([2, 4]);
    expect(out.pred2).toEqual([1, 5]);
    expect(out.jac2).toEqual([1, 5, 15]);
    expect(out.exports).toEqual(['compileLaw', 'scoreCandidates', 'loadTaskData', 'runBenchmark']);
  });
});

describe('subpath exports', () => {
  it('each subpath resolves by the package name and gives what a user builds on', () => {
    const out = importInChild(`
      const pick = async (spec, names) => { const m = await import(spec); return names.filter((n) => m[n] === undefined); };
      console.log(JSON.stringify({
        fit: await pick('active-sl/fit', ['LeastSquares', 'minimizeBox', 'trustRegionReflective', 'levenbergMarquardt', 'boxLeastSquares']),
        select: await pick('active-sl/select', ['scoreCandidates', 'mspeScores', 'randomSelector', 'targetPredictive']),
        campaign: await pick('active-sl/campaign', ['suggest', 'fitLaw', 'checkLawFits', 'readObserved', 'forecastNoise']),
        halving: await pick('active-sl/halving', ['adviseHalving', 'readCurves', 'fitLmc', 'runSchedule']),
        benchmark: await pick('active-sl/benchmark', ['runBenchmark', 'runUnit', 'taskR2']),
        data: await pick('active-sl/data', ['loadTask', 'loadTaskData', 'readTable', 'fetchData']),
        laws: await pick('active-sl/laws', ['compileLaw', 'compileFormula']),
        synth: await pick('active-sl/synth', ['generateScenario']),
      }));
    `) as Record<string, string[]>;
    // every name is there in its subpath
    for (const [subpath, missing] of Object.entries(out)) expect(missing, subpath).toEqual([]);
  });

  it('docs/api.md is the API the build exports (run `npm run api-report` after changing it)', () => {
    const r = spawnSync(process.execPath, ['scripts/api-report.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8'));
  });
});
