/**
 * A fit's posterior carried to the rows an acquisition function looks at: predictions, scaled
 * Jacobians and J̃Σ at the candidates, predictions and scaled Jacobians in the target region.
 * Built once per fit and shared by MSPE, V-opt and D-opt.
 */
import type { BoundLaw } from '../laws/law.js';
import { timesSquare } from '../linalg/dense.js';
import { linearise, type Linearisation, type Posterior } from './fisher.js';

export interface LinearisedFit {
  posterior: Posterior;
  P: number;
  /** outputs per row */
  O: number;
  cand: Linearisation;
  /** (candidates·O) × P: row (c, d) is Σ j̃_{c,d} (Σ is symmetric). */
  candSigma: Float64Array;
  /** Candidates whose prediction, Jacobian or Σj̃ is not finite: they score 0 everywhere. */
  candBad: Uint8Array;
  target: Linearisation;
  /** Target rows with a non-finite prediction or Jacobian: left out of every sum over the region. */
  targetBad: Uint8Array;
}

function badRows(lin: Linearisation, P: number, extra?: Float64Array): Uint8Array {
  const O = lin.outputs;
  const bad = new Uint8Array(lin.rows);
  for (let r = 0; r < lin.rows; r++) {
    for (let d = 0; d < O && !bad[r]; d++) {
      if (!Number.isFinite(lin.pred[r * O + d])) bad[r] = 1;
      const o = (r * O + d) * P;
      for (let j = 0; j < P && !bad[r]; j++) {
        if (!Number.isFinite(lin.J[o + j]) || (extra !== undefined && !Number.isFinite(extra[o + j]))) bad[r] = 1;
      }
    }
  }
  return bad;
}

export function lineariseFit(posterior: Posterior, outputs: number, candidates: BoundLaw, target: BoundLaw): LinearisedFit {
  const P = posterior.scale.length;
  const cand = linearise(candidates, outputs, posterior.theta, posterior.scale);
  const candSigma = timesSquare(cand.J, cand.rows * outputs, posterior.cov, P, new Float64Array(cand.J.length));
  const tgt = linearise(target, outputs, posterior.theta, posterior.scale);
  return {
    posterior,
    P,
    O: outputs,
    cand,
    candSigma,
    candBad: badRows(cand, P, candSigma),
    target: tgt,
    targetBad: badRows(tgt, P),
  };
}

/** Rows left out of the target region for a set of fits: bad for any one of them. */
export function unionBad(fits: readonly LinearisedFit[]): Uint8Array {
  const out = new Uint8Array(fits[0].target.rows);
  for (const f of fits) for (let t = 0; t < out.length; t++) out[t] |= f.targetBad[t];
  return out;
}
