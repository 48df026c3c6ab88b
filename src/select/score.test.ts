/**
 * Acquisition scores against the reference's own outputs on 8 fixed states, one per task
 * (../shared/golden/acquisition/reference_scores.json).
 *
 * One of the eight laws, vocab_scaling_law sl_3, has a hand-written Jacobian in the reference
 * that is not the derivative of its prediction (see `referenceVocabSl3`); every acquisition
 * quantity is built on the Jacobian, so that state is checked twice: to 1e-6 with the
 * reference's Jacobian substituted (the acquisition code is the same), and with our exact
 * Jacobian, where the picks still agree but the values differ by the amounts recorded below.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTaskData, type GroupData } from '../data/dataset.js';
import { lawOf, loadTask } from '../data/task.js';
import type { BoundLaw, Law } from '../laws/law.js';
import type { Columns } from '../laws/formula/index.js';
import { goldenDir, goldenMissing, skipForMissing } from '../../test/shared.js';
import { noiseVariance } from './fisher.js';
import { DOPT_COST_EXPONENT } from './dopt.js';
import { MSPE_COST_EXPONENT, quadratureRange } from './mspe.js';
import { VOPT_COST_EXPONENT } from './vopt.js';
import { mspeScores, scoreCandidates, type AcquisitionScores, type AcquisitionState } from './score.js';

interface GoldenState {
  dataset: string;
  law: string;
  group: string;
  input: { selected: number[]; fits: number[][]; fit_mse: number[]; sigma2: number; candidates: number[]; budget: number };
  modes: { thetas: number[][]; weights: number[] };
  mspe: { dv_intra: number[]; dv_inter: number[]; score: number[]; cost_exponent: number; pick: number };
  vopt: { best_theta: number[]; dv: number[]; cost_exponent: number; pick: number };
  dopt: { gain: number[]; cost_exponent: number; pick: number };
}

/** Tolerance relative to the largest magnitude in the reference's vector. */
const REL = 1e-6;

/** max |ours − ref| / max |ref| (0 when both vectors are all zero). */
function relError(ours: readonly number[], ref: readonly number[]): number {
  expect(ours.length).toBe(ref.length);
  let scale = 0;
  for (const r of ref) scale = Math.max(scale, Math.abs(r));
  let err = 0;
  ours.forEach((o, i) => {
    err = Math.max(err, Math.abs(o - ref[i]));
  });
  return scale === 0 ? err : err / scale;
}

const missing = goldenMissing('acquisition');
if (missing) skipForMissing(missing);
const states = missing ? [] : (JSON.parse(fs.readFileSync(path.join(goldenDir(), 'acquisition', 'reference_scores.json'), 'utf8')) as GoldenState[]);

/** The reference's clamp and clip constants in vocab_scaling_law sl_3. */
const VOCAB_EPS = 1e-6;
const VOCAB_LOG_CLIP = 50;
const clip = (x: number) => Math.min(Math.max(x, -VOCAB_LOG_CLIP), VOCAB_LOG_CLIP);

/**
 * vocab_scaling_law sl_3 with the reference's own Jacobian in place of the exact one. The
 * prediction is L0 + (t1^q + t2^q)^(1/q) with t1 = a·P^−α, t2 = b·(D·V^φ)^−β. The reference's
 * ∂/∂a, ∂/∂α, ∂/∂b, ∂/∂β, ∂/∂φ carry an extra factor q (d combined / d log t_k is
 * combined·t_k^q/S, without q), its ∂/∂a and ∂/∂b divide by the unclamped a and b, and its ∂/∂q
 * uses logs clipped to ±50. Predictions are ours (they match the reference to 1e-9).
 */
function referenceVocabSl3(law: Law): Law {
  const bind = (X: Columns | readonly (readonly number[])[]): BoundLaw => {
    const b = law.bind(X);
    const cols = X as Columns;
    return {
      ...b,
      valueJac(theta, out, J) {
        b.value(theta, out);
        const [, a, alpha, bb, beta, phi, q] = Array.from(theta);
        const qs = Math.max(q, VOCAB_EPS);
        for (let i = 0; i < b.n; i++) {
          const lP = Math.log(Math.max(cols[0][i], VOCAB_EPS));
          const lV = Math.log(Math.max(cols[1][i], VOCAB_EPS));
          const lD = Math.log(Math.max(cols[2][i], VOCAB_EPS));
          const lt1 = Math.log(Math.max(a, VOCAB_EPS)) - alpha * lP;
          const lEff = lD + phi * lV;
          const lt2 = Math.log(Math.max(bb, VOCAB_EPS)) - beta * lEff;
          const u = qs * lt1;
          const w = qs * lt2;
          const m = Math.max(u, w);
          const lS = m + Math.log(Math.exp(u - m) + Math.exp(w - m));
          const comb = Math.exp(clip(lS * (1 / qs)));
          const s1 = 1 / (1 + Math.exp(-clip(u - w)));
          const s2 = 1 - s1;
          const row = J.subarray(i * 7, i * 7 + 7);
          row[0] = 1;
          row[1] = (comb * s1 * qs) / a;
          row[2] = comb * s1 * qs * -lP;
          row[3] = (comb * s2 * qs) / bb;
          row[4] = comb * s2 * qs * -lEff;
          row[5] = comb * s2 * qs * -beta * lV;
          row[6] = comb * (-((1 / qs) ** 2) * clip(lS) + (1 / qs) * (s1 * clip(lt1) + s2 * clip(lt2)));
        }
      },
    };
  };
  return { ...law, bind };
}

/** States whose law's reference Jacobian is not the derivative, and how to reproduce it. */
const REFERENCE_JACOBIAN: Record<string, (law: Law) => Law> = { 'vocab_scaling_law/sl_3': referenceVocabSl3 };

interface Case {
  golden: GoldenState;
  law: Law;
  group: GroupData;
  state: AcquisitionState;
  ours: AcquisitionScores;
}

async function build(golden: GoldenState, asReference: boolean): Promise<Case> {
  const task = loadTask(golden.dataset);
  const exact = lawOf(task, golden.law);
  const swap = REFERENCE_JACOBIAN[`${golden.dataset}/${golden.law}`];
  const law = asReference && swap ? swap(exact) : exact;
  const data = await loadTaskData(task);
  const group = data.groups.find((g) => g.name === golden.group);
  if (!group) throw new Error(`no group ${golden.group} in ${golden.dataset}`);
  const state: AcquisitionState = {
    law,
    pool: group.pool,
    target: group.target,
    selected: golden.input.selected,
    candidates: golden.input.candidates,
    fits: golden.input.fits,
    fitMse: golden.input.fit_mse,
    sigma2: golden.input.sigma2,
    totalCost: group.totalCost,
    budget: golden.input.budget,
    // the reference floors its y grid at 0 (vocab's targets go below it)
    yRange: quadratureRange(group.pool.y, true),
  };
  return { golden, law, group, state, ours: scoreCandidates(state) };
}

describe.each(states.map((s) => [`${s.dataset} ${s.law} ${s.group}`, s] as const))('reference state %s', (_name, golden) => {
  let c: Case;
  beforeAll(async () => {
    c = await build(golden, true);
    const e = {
      weights: relError(c.ours.modes.weights, golden.modes.weights),
      dvIntra: relError(c.ours.mspe.dvIntra, golden.mspe.dv_intra),
      dvInter: relError(c.ours.mspe.dvInter, golden.mspe.dv_inter),
      vopt: relError(c.ours.vopt.dv, golden.vopt.dv),
      dopt: relError(c.ours.dopt.gain, golden.dopt.gain),
    };
    if (process.env.ACTIVE_SL_REPORT) {
      console.log(
        `${golden.dataset.padEnd(30)} w ${e.weights.toExponential(1)} intra ${e.dvIntra.toExponential(1)} inter ${e.dvInter.toExponential(1)} ` +
          `vopt ${e.vopt.toExponential(1)} dopt ${e.dopt.toExponential(1)} picks ${c.ours.mspe.pick}/${golden.mspe.pick} ${c.ours.vopt.pick}/${golden.vopt.pick} ${c.ours.dopt.pick}/${golden.dopt.pick}`,
      );
    }
  });

  it('derives the same sigma2 from the best fit and the pool', () => {
    const best = Math.min(...golden.input.fit_mse);
    const s2 = noiseVariance(best, golden.input.selected.length, c.group.pool.y);
    expect(Math.abs(s2 - golden.input.sigma2) / golden.input.sigma2).toBeLessThan(1e-12);
  });

  it('builds the same modes with the same weights', () => {
    expect(c.ours.modes.weights.length).toBe(golden.modes.weights.length);
    expect(relError(c.ours.modes.weights, golden.modes.weights)).toBeLessThan(REL);
    c.ours.modes.thetas.forEach((t, k) => expect(t).toEqual(golden.modes.thetas[k]));
  });

  it('scores the within-mode variance reduction like the reference', () => {
    expect(relError(c.ours.mspe.dvIntra, golden.mspe.dv_intra)).toBeLessThan(REL);
  });

  it('scores the between-mode disagreement reduction like the reference', () => {
    expect(relError(c.ours.mspe.dvInter, golden.mspe.dv_inter)).toBeLessThan(REL);
  });

  it("penalises cost with the reference's exponent and picks the same MSPE candidate", () => {
    expect(MSPE_COST_EXPONENT).toBe(golden.mspe.cost_exponent);
    expect(relError(c.ours.mspe.score, golden.mspe.score)).toBeLessThan(REL);
    expect(c.ours.mspe.pick).toBe(golden.mspe.pick);
  });

  it('scores V-opt from the best fit and picks the same candidate', () => {
    expect(VOPT_COST_EXPONENT).toBe(golden.vopt.cost_exponent);
    expect(c.ours.vopt.bestTheta).toEqual(golden.vopt.best_theta);
    expect(relError(c.ours.vopt.dv, golden.vopt.dv)).toBeLessThan(REL);
    expect(c.ours.vopt.pick).toBe(golden.vopt.pick);
  });

  it('scores one term each for the mspe-intra and mspe-inter ablations', () => {
    const both = mspeScores(c.state);
    const intra = mspeScores(c.state, { terms: 'intra', modes: both.modes });
    const inter = mspeScores(c.state, { terms: 'inter', modes: both.modes });
    expect(Array.from(intra.dvIntra)).toEqual(Array.from(both.dvIntra));
    expect(intra.dvInter.every((v) => v === 0)).toBe(true);
    expect(inter.dvIntra.every((v) => v === 0)).toBe(true);
    if (c.law.outputs === 1) expect(Array.from(inter.dvInter)).toEqual(Array.from(both.dvInter));
    else if (both.modes.modes.length > 1) {
      // Multi-output: the full method leaves the inter-mode term out; the ablation sums it per output.
      expect(both.dvInter.every((v) => v === 0)).toBe(true);
      expect(inter.dvInter.some((v) => v > 0)).toBe(true);
    }
  });

  it('scores D-opt from the best fit and picks the same candidate', () => {
    expect(DOPT_COST_EXPONENT).toBe(golden.dopt.cost_exponent);
    expect(relError(c.ours.dopt.gain, golden.dopt.gain)).toBeLessThan(REL);
    expect(c.ours.dopt.pick).toBe(golden.dopt.pick);
  });
});

describe.runIf(!missing)('vocab_scaling_law sl_3 with our exact Jacobian', () => {
  const golden = states.find((s) => s.dataset === 'vocab_scaling_law' && s.law === 'sl_3')!;
  let exact: Case;
  let asRef: Case;
  beforeAll(async () => {
    [exact, asRef] = await Promise.all([build(golden, false), build(golden, true)]);
  });

  it('still picks the reference candidates for MSPE, V-opt and D-opt', () => {
    expect(exact.ours.mspe.pick).toBe(golden.mspe.pick);
    expect(exact.ours.vopt.pick).toBe(golden.vopt.pick);
    expect(exact.ours.dopt.pick).toBe(golden.dopt.pick);
  });

  it('differs from the reference only through the Jacobian (same weights, values off by its factor q)', () => {
    expect(relError(exact.ours.modes.weights, golden.modes.weights)).toBeLessThan(REL);
    // Measured: dvIntra 0.266, dvInter 1.4e-5, V-opt 4.1e-4, D-opt 1.5e-4 relative; the reference
    // run with a finite-difference Jacobian reproduces these same deviations.
    expect(relError(exact.ours.mspe.dvIntra, golden.mspe.dv_intra)).toBeGreaterThan(0.1);
    expect(relError(asRef.ours.mspe.dvIntra, golden.mspe.dv_intra)).toBeLessThan(REL);
  });
});
