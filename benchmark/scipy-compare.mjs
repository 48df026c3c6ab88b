// Our 64-start fit, under the reference's protocol (lbfgsb) and converged (trf), against scipy's
// L-BFGS-B on the same problems and starts (see scipy_fit.py).
// Skipped, with the reason, where python3 + scipy or REFERENCE_REPO are not available.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchFit, fitProblems } from './fit.mjs';

export async function benchScipy() {
  const repo = process.env.REFERENCE_REPO;
  if (!repo || !fs.existsSync(repo)) return { skipped: 'set REFERENCE_REPO to a checkout of github.com/PlanarG/active-sl' };
  const problems = await fitProblems();
  const script = fileURLToPath(new URL('./scipy_fit.py', import.meta.url));
  const payload = problems.map((p) => ({ ...p, X: p.rowsX, y: Array.from(p.y), starts: p.starts.map((s) => Array.from(s)) }));
  const r = spawnSync('python3', [script], {
    input: JSON.stringify(payload),
    encoding: 'utf8',
    env: { ...process.env, REFERENCE_REPO: repo },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) return { skipped: `python3 scipy_fit.py failed: ${r.stderr.trim().split('\n').pop()}` };
  const scipy = JSON.parse(r.stdout);
  const ours = await benchFit();
  const trf = await benchFit({ fitter: 'trf' });
  return ours.map((o, i) => ({
    task: o.task,
    law: o.law,
    params: o.params,
    rows: o.rows,
    oursMilliseconds: o.milliseconds,
    scipyMilliseconds: scipy[i].milliseconds,
    oursMedianMilliseconds: o.medianMilliseconds,
    scipyMedianMilliseconds: scipy[i].medianMilliseconds,
    speedup: +(scipy[i].milliseconds / o.milliseconds).toFixed(1),
    medianSpeedup: +(scipy[i].medianMilliseconds / o.medianMilliseconds).toFixed(1),
    oursBestLoss: o.bestLoss,
    scipyBestLoss: scipy[i].bestLoss,
    trfMilliseconds: trf[i].milliseconds,
    trfSpeedup: +(scipy[i].milliseconds / trf[i].milliseconds).toFixed(1),
    trfBestLoss: trf[i].bestLoss,
  }));
}
