// Speed of the halving pieces: one SH-LMC surrogate fit (20 restarts, as sh-lmc runs it) on 20
// synthetic curves × 20 points, and whole 5-seed synthetic cells (M0 = 10, B = 1e4) per strategy.
import { fitLmc } from '../dist/halving/gp/lmc.js';
import { LMC_RESTARTS, LMC_SCREEN } from '../dist/halving/forecast.js';
import { STRATEGIES } from '../dist/halving/strategies/index.js';
import { DEFAULT_SPEC, syntheticCurves } from '../dist/halving/synthetic.js';
import { runHalvingUnit } from '../dist/halving/unit.js';

export async function benchHalving() {
  const { curves } = syntheticCurves(DEFAULT_SPEC, 20, ['bench']);
  const t0 = Math.log(curves[0].compute[0]);
  // each curve observed up to 1e3 units, thinned to 20 points by the fit
  const data = curves.map((c) => {
    const n = c.compute.findIndex((x) => x > 1e3);
    return { t: Float64Array.from(c.compute.subarray(0, n), (x) => Math.log(x) - t0), y: c.loss.slice(0, n) };
  });
  const fit = (options) => {
    const started = performance.now();
    const f = fitLmc(data, { restarts: LMC_RESTARTS, seed: ['bench'], ...options });
    return {
      seconds: +((performance.now() - started) / 1000).toFixed(2),
      evaluations: f.evaluations,
      logMarginalLikelihood: +f.logMarginalLikelihood.toFixed(3),
    };
  };
  // These curves share one compute grid, so the fit takes the Kronecker path. `-- halving-full` adds
  // the unscreened fit (every start to convergence) and the same screened fit on the dense path
  // (what curves revealed to different compute cost: about 25 s here).
  const full = process.argv.includes('halving-full');
  const out = {
    lmcFit20x20: {
      screened: fit({ screen: LMC_SCREEN }),
      ...(full ? { full: fit({}), screenedDense: fit({ screen: LMC_SCREEN, structured: false }) } : {}),
    },
    cells: {},
  };
  const source = { kind: 'synthetic', spec: DEFAULT_SPEC, name: 'synthetic-white-0.01' };
  for (const name of Object.keys(STRATEGIES)) {
    const started = performance.now();
    for (let r = 0; r < 5; r++) runHalvingUnit(source, STRATEGIES[name], { m0: 10, budget: 1e4, eta: 3, seed: 0 }, r);
    out.cells[name] = { seeds: 5, m0: 10, budget: 1e4, seconds: +((performance.now() - started) / 1000).toFixed(2) };
  }
  return out;
}
