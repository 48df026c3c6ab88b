// `node benchmark/halving.mjs [--seeds 20] [--m0 5,10,20] [--budgets 1e2,1e3,1e4,1e5] [--strategies ua,sh,sh-lmc] [--noise white] [--scale 0.01]`
// The synthetic table of the halving paper (arXiv 2605.17234): for M0 ∈ {5, 10, 20} and
// B ∈ {1e2, 1e3, 1e4, 1e5}, the mean final loss of SH and each strategy's relative improvement over
// SH (negative: worse), plus AbC, regret and compute saved. JSON on stdout. `bestPossible` is the
// mean over seeds of the lowest loss any keep rule could end on with SH's schedule (every model's
// noise-free loss at the compute the winner ends with): how much room the keep rule has.
import { runHalvingUnit, unitCurves } from '../dist/halving/unit.js';
import { lossAt } from '../dist/halving/curves.js';
import { STRATEGIES } from '../dist/halving/strategies/index.js';
import { DEFAULT_SPEC } from '../dist/halving/synthetic.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const seeds = Number(flag('seeds', '20'));
const m0s = flag('m0', '5,10,20').split(',').map(Number);
const budgets = flag('budgets', '1e2,1e3,1e4,1e5').split(',').map(Number);
const strategies = flag('strategies', Object.keys(STRATEGIES).join(',')).split(',');
const spec = { ...DEFAULT_SPEC, noise: flag('noise', 'white'), scale: Number(flag('scale', '0.01')) };
const source = { kind: 'synthetic', spec, name: `synthetic-${spec.noise}-${spec.scale}` };
const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;

const cells = [];
for (const m0 of m0s) {
  for (const budget of budgets) {
    const cell = { m0, budget, strategies: {} };
    for (const name of strategies) {
      const started = performance.now();
      const records = [];
      const config = { m0, budget, eta: 3, seed: 0 };
      try {
        for (let r = 0; r < seeds; r++) records.push(runHalvingUnit(source, STRATEGIES[name], config, r));
      } catch (e) {
        cell.strategies[name] = { error: e.message };
        continue;
      }
      if (name === 'sh') {
        cell.bestPossible = +mean(
          records.map((rec, r) => {
            const end = rec.spent[rec.models.indexOf(rec.winner)];
            return Math.min(...unitCurves(source, config, r).map((c) => lossAt(c, end, c.truth)));
          }),
        ).toFixed(5);
      }
      cell.strategies[name] = {
        finalLoss: +mean(records.map((r) => r.finalLoss)).toFixed(5),
        regret: +mean(records.map((r) => r.regret)).toFixed(5),
        abc: +mean(records.map((r) => r.abc ?? NaN)).toFixed(4),
        computeSaved: +mean(records.map((r) => r.computeSaved)).toFixed(4),
        ...(records[0].abcExtended
          ? { abcExtended: Object.fromEntries(['mean', 'lower', 'upper'].map((k) => [k, +mean(records.map((r) => r.abcExtended[k] ?? NaN)).toFixed(4)])) }
          : {}),
        seconds: +((performance.now() - started) / 1000).toFixed(2),
      };
    }
    const sh = cell.strategies.sh?.finalLoss;
    for (const s of Object.values(cell.strategies)) if (sh && s.finalLoss) s.vsSh = +(((sh - s.finalLoss) / sh) * 100).toFixed(2);
    cells.push(cell);
    process.stderr.write(
      `M0 ${m0} B ${budget}${cell.bestPossible ? ` (best possible ${cell.bestPossible})` : ''}: ${Object.entries(cell.strategies)
        .map(([k, v]) => `${k} ${v.finalLoss ?? v.error} (${v.vsSh ?? ''}%)`)
        .join(', ')}\n`,
    );
  }
}
process.stdout.write(`${JSON.stringify({ seeds, spec, cells }, null, 2)}\n`);
