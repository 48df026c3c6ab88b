import { describe, it, expect } from 'vitest';
import { TrfWorkspace, trustRegionReflective, type TrfOptions, type TrfResult } from './trf.js';
import type { ResidualsWithJacobian } from './levenberg-marquardt.js';
import type { MinimizeStatus } from './types.js';

const INF = Infinity;

// y = a·exp(−b·t) + c on 25 points of [0, 5], with a small deterministic perturbation.
const T = Array.from({ length: 25 }, (_, i) => (5 * i) / 24);
const Y = T.map((t, i) => 2.5 * Math.exp(-1.3 * t) + 0.7 + 0.01 * Math.sin(7 * i));
const expDecay: ResidualsWithJacobian = (x, r, J) => {
  for (let i = 0; i < T.length; i++) {
    const e = Math.exp(-x[1] * T[i]);
    r[i] = x[0] * e + x[2] - Y[i];
    if (J) {
      J[i * 3] = e;
      J[i * 3 + 1] = -x[0] * T[i] * e;
      J[i * 3 + 2] = 1;
    }
  }
};

/** The same model, undefined (NaN residuals) for b > 1.5; counts the calls that landed there. */
function guardedExpDecay(): { fn: ResidualsWithJacobian; nonFinite: () => number } {
  let count = 0;
  const fn: ResidualsWithJacobian = (x, r, J) => {
    if (x[1] > 1.5) {
      count++;
      r.fill(NaN);
      J?.fill(NaN);
      return;
    }
    expDecay(x, r, J);
  };
  return { fn, nonFinite: () => count };
}

/** Rosenbrock as least squares: r = [10(x2 − x1²), 1 − x1]. */
const rosenbrock: ResidualsWithJacobian = (x, r, J) => {
  r[0] = 10 * (x[1] - x[0] * x[0]);
  r[1] = 1 - x[0];
  if (J) J.set([-20 * x[0], 10, -1, 0]);
};

/** Two observations, three parameters: L(N) = E + A·N^(−α) through (1, 3) and (4, 1.5). */
const N2 = [1, 4];
const Y2 = [3, 1.5];
const law2: ResidualsWithJacobian = (x, r, J) => {
  for (let i = 0; i < 2; i++) {
    const p = N2[i] ** -x[2];
    r[i] = x[0] + x[1] * p - Y2[i];
    if (J) J.set([1, p, -x[1] * Math.log(N2[i]) * p], i * 3);
  }
};

/** (x0 + x1)·t + x2 against dyadic data: a constant Jacobian of rank 2 and exact residuals. */
const TL = Array.from({ length: 9 }, (_, i) => i / 8);
const YL = TL.map((t, i) => 3 * t + 1 + (-1) ** i / 16);
const linearRank2: ResidualsWithJacobian = (x, r, J) => {
  for (let i = 0; i < 9; i++) {
    r[i] = (x[0] + x[1]) * TL[i] + x[2] - YL[i];
    if (J) J.set([TL[i], TL[i], 1], i * 3);
  }
};

/** Constant residuals with a Jacobian that claims otherwise: no step can ever reduce the cost. */
const wrongJacobian: ResidualsWithJacobian = (_x, r, J) => {
  r[0] = 1;
  r[1] = 1;
  if (J) J.set([1, 0, 0, 1]);
};

/** L(N, D) = E + A·N^(−α) + B·D^(−β) on a 60 × 50 grid: m = 3000. */
const NB = Array.from({ length: 3000 }, (_, i) => 1 + (i % 60));
const DB = Array.from({ length: 3000 }, (_, i) => 1 + Math.floor(i / 60));
const YB = NB.map((nn, i) => 1.7 + 5 * nn ** -0.4 + 3 * DB[i] ** -0.3 + 0.01 * Math.sin(i));
const twoTermLaw: ResidualsWithJacobian = (x, r, J) => {
  for (let i = 0; i < 3000; i++) {
    const pn = NB[i] ** -x[2];
    const pd = DB[i] ** -x[4];
    r[i] = x[0] + x[1] * pn + x[3] * pd - YB[i];
    if (J) J.set([1, pn, -x[1] * Math.log(NB[i]) * pn, pd, -x[3] * Math.log(DB[i]) * pd], i * 5);
  }
};

/**
 * Broyden's banded function (Moré, Garbow & Hillstrom's test set) in 24 variables, plus six
 * residuals (x_4k + x_4k+1)/2 that couple neighbouring pairs: m = 30 > n = 24, enough variables
 * that the SVD of the trust-region subproblem does real work (bidiagonalisation, deflation).
 */
const NBB = 24;
const MBB = 30;
const broydenBanded: ResidualsWithJacobian = (x, r, J) => {
  J?.fill(0);
  for (let i = 0; i < NBB; i++) {
    let sum = 0;
    for (let j = Math.max(0, i - 5); j < Math.min(NBB, i + 2); j++) {
      if (j === i) continue;
      sum += x[j] * (1 + x[j]);
      if (J) J[i * NBB + j] = -(1 + 2 * x[j]);
    }
    r[i] = x[i] * (2 + 5 * x[i] ** 2) + 1 - sum;
    if (J) J[i * NBB + i] = 2 + 15 * x[i] ** 2;
  }
  for (let k = 0; k < MBB - NBB; k++) {
    r[NBB + k] = 0.5 * (x[4 * k] + x[4 * k + 1]);
    if (J) {
      J[(NBB + k) * NBB + 4 * k] = 0.5;
      J[(NBB + k) * NBB + 4 * k + 1] = 0.5;
    }
  }
};
const LOWER_BB = Array.from({ length: NBB }, (_, j) => (j % 3 === 0 ? -0.45 : -1));
const UPPER_BB = Array.from({ length: NBB }, (_, j) => (j % 4 === 1 ? 0.1 : 1));
const X0_BB = Array.from({ length: NBB }, (_, j) => Math.min(UPPER_BB[j], Math.max(LOWER_BB[j], j % 3 ? -1 + 0.05 * j : -0.2)));

function residualsAndGradient(fn: ResidualsWithJacobian, x: Float64Array, m: number): { r: Float64Array; g: Float64Array } {
  const n = x.length;
  const r = new Float64Array(m);
  const J = new Float64Array(m * n);
  fn(x.slice(), r, J);
  const g = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[j] += J[i * n + j] * r[i];
  return { r, g };
}

/**
 * First-order optimality in the box for an interior-point method: iterates never reach a bound,
 * so "at a bound" means within `near` of it; there the gradient of ½‖r‖² must push outwards
 * (g ≥ −tol at a lower bound, g ≤ tol at an upper one), elsewhere vanish.
 */
function expectKkt(g: ArrayLike<number>, x: ArrayLike<number>, lower: number[], upper: number[], tol: number, near = 1e-8): void {
  for (let i = 0; i < x.length; i++) {
    expect(x[i] > lower[i] && x[i] < upper[i], `x[${i}] strictly inside`).toBe(true);
    if (x[i] - lower[i] <= near * Math.max(1, Math.abs(lower[i]))) expect(g[i], `g[${i}] at its lower bound`).toBeGreaterThanOrEqual(-tol);
    else if (upper[i] - x[i] <= near * Math.max(1, Math.abs(upper[i]))) expect(g[i], `g[${i}] at its upper bound`).toBeLessThanOrEqual(tol);
    else expect(Math.abs(g[i]), `|g[${i}]| on a free coordinate`).toBeLessThanOrEqual(tol);
  }
}

function expectRelClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs scipy ${expected[i]}`).toBeLessThanOrEqual(
      rtol * Math.max(Math.abs(expected[i]), 1e-300),
    );
  }
}

interface ScipyCase {
  name: string;
  fn: ResidualsWithJacobian;
  m: number;
  x0: number[];
  lower: number[];
  upper: number[];
  options?: TrfOptions;
  /** scipy 1.17.1 (benchmark/scipy_trf.py): x, cost, status mapped to ours, nfev, njev. */
  scipy: { x: number[]; cost: number; status: MinimizeStatus; nfev: number; njev: number };
  /** scipy's every evaluated point, x0 moved inside first: pins the path, not only where it ends. */
  trials?: number[][];
  /** Relative agreement asked of x (and of cost unless costAbs is given). */
  rtol: number;
  costAbs?: number;
  /** Gradient tolerance of the KKT check; omitted where the end point is not a KKT point. */
  kktTol?: number;
}

// Evaluation counts: every call here carries the Jacobian and scipy's nfev counts the same calls
// (x0 plus every trial point), so evaluations = nfev and iterations (accepted steps) = njev − 1.
// They match exactly on every case, including the linear one whose residuals are exact; none of
// these paths sits close enough to a threshold (ratio 0.25 / 0.75, ftol, xtol) for the last-bit
// differences between our Jacobi SVD and LAPACK's to change a decision.
const CASES: ScipyCase[] = [
  {
    name: 'exponential decay, c ≤ 0.6 active at the solution (upper bound binds)',
    fn: expDecay,
    m: 25,
    x0: [1, 1, 0.3],
    lower: [0, 0, 0],
    upper: [10, 5, 0.6],
    scipy: { x: [2.5395837655485423, 1.1224064000402263, 0.5999999999999999], cost: 0.04731231751000848, status: 'converged-ftol', nfev: 10, njev: 10 },
    trials: [
      [1.0, 1.0, 0.3],
      [2.4124609064994447, 0.8042491820977392, 0.3906780759233067],
      [2.495883294625761, 0.8760514115030582, 0.48134297864225295],
      [2.496051010536655, 1.0165713848322526, 0.5738571572419238],
      [2.5168563878394994, 1.094069733413685, 0.5999715944614618],
      [2.5359539426706763, 1.1182829154789184, 0.5999945679463987],
      [2.5391169560160267, 1.1218795969041258, 0.5999999061563321],
      [2.5395273107863647, 1.1223427556516192, 0.599999999798742],
      [2.5395776424385654, 1.122399498287861, 0.5999999999999357],
      [2.5395837655485423, 1.1224064000402263, 0.5999999999999999],
    ],
    rtol: 1e-9,
    kktTol: 1e-4,
  },
  {
    name: 'Rosenbrock in the box [−2, 0.5] × [0, 2]: x1 ≤ 0.5 binds; a Cauchy and a cut-back step on the way',
    fn: rosenbrock,
    m: 2,
    x0: [-1.2, 1],
    lower: [-2, 0],
    upper: [0.5, 2],
    scipy: { x: [0.49999999999999994, 0.25], cost: 0.125, status: 'converged-gtol', nfev: 18, njev: 17 },
    trials: [
      [-1.2, 1.0],
      [-1.0566348584944132, 1.0666136530462442],
      [-0.9749984838000924, 0.9501778071598938],
      [-0.48977955486136, 0.004750889035799344],
      [-0.8515175069888645, 0.7157556673760638],
      [-0.5704978892037341, 0.2507814933308866],
      [-0.44869414498503474, 0.18912291859380448],
      [-0.22333605863839182, 0.0032389305616800645],
      [-0.12827690677279985, 0.017707451112153542],
      [-0.017211438559188733, 0.005894386242404246],
      [0.23950347139061107, 0.0019520892030500505],
      [0.49715624127910457, 0.1754883436535346],
      [0.4867836397683129, 0.23388153249249705],
      [0.49221066057758717, 0.24220746132829296],
      [0.4999766130001014, 0.24991602342334374],
      [0.49999999425243236, 0.24999928573344582],
      [0.49999999999999944, 0.24999999989938998],
      [0.49999999999999994, 0.25],
    ],
    rtol: 1e-9,
    kktTol: 1e-12,
  },
  {
    name: 'exponential decay with two upper bounds active (b ≤ 1, c ≤ 0.6); cut-back steps on the way',
    fn: expDecay,
    m: 25,
    x0: [9, 0.1, 0.1],
    lower: [0, 0, 0],
    upper: [10, 1, 0.6],
    scipy: { x: [2.422150619208162, 0.9999999999999999, 0.5999999999999999], cost: 0.07199701267125783, status: 'converged-gtol', nfev: 14, njev: 14 },
    trials: [
      [9.0, 0.1, 0.1],
      [6.327804204290931, 0.2437282455893154, 0.07333695077483368],
      [4.427028400043052, 0.36623537227186814, 0.055984003670275916],
      [3.29167798554733, 0.44887791524323056, 0.04690724580052442],
      [2.7539919818008753, 0.47649788382544955, 0.049584197928098706],
      [2.2452859951177415, 0.696243080379111, 0.5967823639310645],
      [2.2508526118211925, 0.7951382749481758, 0.5568671010221229],
      [2.3345540933081645, 0.9136644599980819, 0.5921559368643085],
      [2.36692333160001, 0.9631591886322863, 0.5940303860801022],
      [2.4175356342398704, 0.9970524612318665, 0.59955190386174],
      [2.421958046613421, 0.9999795835424189, 0.5999964713333323],
      [2.4221484794225847, 0.9999999192810501, 0.5999999688603548],
      [2.4221506142425495, 0.9999999999962085, 0.5999999999965642],
      [2.422150619208162, 0.9999999999999999, 0.5999999999999999],
    ],
    rtol: 1e-9,
    kktTol: 1e-8,
  },
  {
    name: 'exponential decay with c ≤ 0.5 active; a constrained Cauchy step on the way',
    fn: expDecay,
    m: 25,
    x0: [5, 0.1, 0],
    lower: [0, 0, 0],
    upper: [10, 2, 0.5],
    scipy: { x: [2.551504068880432, 0.9519010897020762, 0.49999999999999994], cost: 0.1673088265816222, status: 'converged-ftol', nfev: 16, njev: 16 },
    trials: [
      [5.0, 0.1, 1e-10],
      [3.883051918745819, 0.2562644181087651, 8.094261696947723e-11],
      [3.089335323070712, 0.37160895650390996, 7.061342323709658e-11],
      [2.6845661260513216, 0.42091763756057265, 7.243069801721967e-11],
      [2.578348948108339, 0.4257920098927291, 2.632461864501963e-10],
      [2.286815804565432, 0.5767057378011148, 0.3936592936938284],
      [2.2753178789911, 0.7236689666905484, 0.4867873208763139],
      [2.4842543995606, 0.8274254157433105, 0.4808441524348569],
      [2.488892393918574, 0.8833218835402044, 0.49714532321554405],
      [2.5220519359176, 0.9247671852103029, 0.4995094686811868],
      [2.5428664934791967, 0.9440806658845812, 0.49997460067758903],
      [2.549432808864725, 0.9500067559692706, 0.4999995067895285],
      [2.551031495315011, 0.9514681247817774, 0.4999999969719747],
      [2.551400442100965, 0.9518061353138358, 0.49999999999523204],
      [2.5514848104968917, 0.9518834425889767, 0.4999999999999983],
      [2.551504068880432, 0.9519010897020762, 0.49999999999999994],
    ],
    rtol: 1e-9,
    kktTol: 1e-4,
  },
  {
    name: 'Rosenbrock with x2 ≥ 1.5 and every other bound infinite (scipy’s documentation example)',
    fn: rosenbrock,
    m: 2,
    x0: [2, 2],
    lower: [-INF, 1.5],
    upper: [INF, INF],
    scipy: { x: [1.2243707489933915, 1.5000000000000024], cost: 0.02521309394680379, status: 'converged-ftol', nfev: 9, njev: 9 },
    rtol: 1e-9,
    kktTol: 1e-6,
  },
  {
    name: 'underdetermined: 2 residuals, 3 parameters (a zero-cost curve of solutions)',
    fn: law2,
    m: 2,
    x0: [1, 1, 0.5],
    lower: [0, 0, 0.1],
    upper: [5, 10, 2],
    scipy: { x: [1.3001328794834273, 1.6998671203681108, 1.5441544534193357], cost: 1.5721401108997948e-19, status: 'converged-gtol', nfev: 32, njev: 13 },
    // Which point of the curve is reached depends on the path, so this pins the path; the cost
    // is rounding noise at 1e-19.
    trials: [
      [1.0, 1.0, 0.5],
      [1.3722031824598824, 1.5821359440863876, 1.5270682311208097],
      [0.0418486119359609, 3.326745783370735, 1.8608562350608562],
      [1.0424022471627719, 2.0341591839691473, 1.610641418855297],
      [1.2935986364108218, 1.708737347385182, 1.551086010004179],
      [1.428360043379057, 1.5173248693521757, 1.4347395532390754],
      [1.3275280527918203, 1.6610044464769427, 1.5219508306638891],
      [1.3022736422350532, 1.6969650568421377, 1.543626848597602],
      [1.2817948580580774, 1.7222157532866929, 1.5489226040551456],
      [1.2971838832237583, 1.7034730076384832, 1.544949493357029],
      [1.3010295691184746, 1.698763541901369, 1.5439559304861334],
      [1.298470255278716, 1.7019152231534274, 1.5446175780606062],
      [1.3003904144761924, 1.6995555417585542, 1.54412147894377],
      [1.2991088875070438, 1.7011165069157292, 1.5444524111923519],
      [1.3000699852941635, 1.6999458434231436, 1.5442040552170533],
      [1.3006456633892747, 1.6992245846343919, 1.5437444483562843],
      [1.3002137081992413, 1.699765754127425, 1.544088475099466],
      [1.3001117126959782, 1.6999036695065624, 1.5441754760399369],
      [1.300167929942744, 1.6998065418458606, 1.5441196343322279],
      [1.3001261027269995, 1.6998795151403732, 1.5441614848096883],
      [1.3001529258627045, 1.6998304668496003, 1.5441337187973962],
      [1.3001328059426416, 1.6998672563704642, 1.5441545333443667],
      [1.3001461246099217, 1.6998426994454001, 1.5441406587762279],
      [1.3001361356340664, 1.6998611171146107, 1.5441510647807772],
      [1.3001336383923732, 1.699865721529645, 1.544153666289158],
      [1.3001330140960277, 1.6998668726193438, 1.5441543167111755],
      [1.3001328579598306, 1.6998671604721374, 1.5441544790742463],
      [1.3001329619604678, 1.6998669685853036, 1.5441543707268608],
      [1.3001328840201463, 1.6998671124404372, 1.5441544521798074],
      [1.3001328108444092, 1.6998672362112368, 1.544154472184557],
      [1.3001328657289646, 1.6998671433803734, 1.5441544571897041],
      [1.3001328794834273, 1.6998671203681108, 1.5441544534193357],
    ],
    rtol: 1e-9,
    costAbs: 1e-18,
    kktTol: 1e-8,
  },
  {
    name: 'rank-deficient Jacobian: x0 and x1 enter only through x0 + x1',
    fn: linearRank2,
    m: 9,
    x0: [0.25, 0.5, 0],
    lower: [0, 0, -INF],
    upper: [2, 2, INF],
    // The split of x0 + x1 is decided by regularised steps along a null direction; scipy's and
    // ours agree to 6e-11 there (x0 + x1 and x2 to rounding).
    scipy: { x: [1.4615384615735558, 1.538461538426441, 1.0069444444444462], cost: 0.01736111111111114, status: 'converged-gtol', nfev: 9, njev: 9 },
    trials: [
      [0.25, 0.5, 0.0],
      [0.6283474912519218, 0.8242978496445046, 0.10005944855321836],
      [1.0939120383248615, 1.2233531757070244, 0.4200149304005681],
      [1.2021653803540366, 1.3161417545891747, 1.2185047266442777],
      [1.3848263532174312, 1.4727083027577985, 1.0781771164568297],
      [1.4530330868871557, 1.5311712173318481, 1.0148422923349423],
      [1.461408227502394, 1.5383499092877668, 1.007065376049364],
      [1.4615384300548815, 1.5384615114755897, 1.0069444736792088],
      [1.4615384615735558, 1.538461538426441, 1.0069444444444462],
    ],
    rtol: 1e-9,
    kktTol: 1e-12,
  },
  {
    name: 'start on bounds: b on its upper bound, c on its lower one (moved 1e-10 inside)',
    fn: expDecay,
    m: 25,
    x0: [1, 5, 0],
    lower: [0, 0, 0],
    upper: [10, 5, 2],
    scipy: { x: [2.5059822510587937, 1.3000558929308073, 0.6993828467347116], cost: 0.0005910403991949871, status: 'converged-gtol', nfev: 9, njev: 9 },
    rtol: 1e-9,
    kktTol: 1e-8,
  },
  {
    name: 'lower bounds only (upper bounds infinite)',
    fn: expDecay,
    m: 25,
    x0: [1, 0.5, 0.2],
    lower: [0, 0, 0],
    upper: [INF, INF, INF],
    scipy: { x: [2.5059822501416913, 1.300055890174469, 0.6993828461191143], cost: 0.0005910403991949909, status: 'converged-gtol', nfev: 9, njev: 8 },
    rtol: 1e-9,
    kktTol: 1e-8,
  },
  {
    name: 'no finite bound at all (scipy’s trf_no_bounds path)',
    fn: expDecay,
    m: 25,
    x0: [1, 1, 0],
    lower: [-INF, -INF, -INF],
    upper: [INF, INF, INF],
    scipy: { x: [2.5059822531074833, 1.3000558991181765, 0.6993828481235523], cost: 0.0005910403991950153, status: 'converged-gtol', nfev: 8, njev: 8 },
    rtol: 1e-9,
    kktTol: 1e-8,
  },
  {
    name: 'evaluation budget of 5 (scipy’s max_nfev = 5)',
    fn: expDecay,
    m: 25,
    x0: [1, 1, 0.3],
    lower: [0, 0, 0],
    upper: [10, 5, 0.6],
    options: { maxEvaluations: 5 },
    scipy: { x: [2.5168563878394994, 1.094069733413685, 0.5999715944614618], cost: 0.04855933829335107, status: 'max-evaluations', nfev: 5, njev: 5 },
    rtol: 1e-9,
  },
  {
    name: 'a wrong Jacobian: every step rejected until the radius, hence the step, meets xtol',
    fn: wrongJacobian,
    m: 2,
    x0: [-1.2, 1],
    lower: [-INF, -INF],
    upper: [INF, INF],
    scipy: { x: [-1.2, 1], cost: 1, status: 'converged-xtol', nfev: 16, njev: 1 },
    rtol: 0,
  },
  {
    name: 'm = 3000 residuals, 5 parameters (a two-term scaling law)',
    fn: twoTermLaw,
    m: 3000,
    x0: [1, 1, 0.2, 1, 0.2],
    lower: [0, 0, 0, 0, 0],
    upper: [10, 100, 2, 100, 2],
    scipy: {
      x: [1.7004954171035798, 5.000021081610256, 0.40000446529046213, 2.9996935797528774, 0.30010066026808324],
      cost: 0.07500085705301035,
      status: 'converged-gtol',
      nfev: 11,
      njev: 11,
    },
    rtol: 1e-9,
    kktTol: 1e-8,
  },
  {
    name: 'n = 24, m = 30 (Broyden banded plus pair sums): six bounds active at the end',
    fn: broydenBanded,
    m: MBB,
    x0: X0_BB,
    lower: LOWER_BB,
    upper: UPPER_BB,
    options: { ftol: 1e-12, xtol: 1e-12 },
    scipy: {
      x: [
        -0.41259690473815563, -0.46369978834925907, -0.5211420086657877, -0.44999999999999996, -0.5958188522037704, -0.628606374140372, -0.44999999999999996,
        -0.6349941177660686, -0.6237246018768533, -0.44999999999999996, -0.6358105866359545, -0.6437608774659708, -0.44999999999999996, -0.6494600972064933,
        -0.5610130385247285, 0.24143097528836172, 0.29309141038603304, 0.09999999999999999, 0.19032655674495597, 0.22882257769419184, 0.2413181446534075,
        0.09999999999999999, -0.03323060773922495, -0.06396902995966877,
      ],
      cost: 8.878730249146367,
      status: 'converged-ftol',
      nfev: 18,
      njev: 18,
    },
    rtol: 1e-9,
    kktTol: 1e-5,
  },
];

describe('trustRegionReflective against scipy’s least_squares(method="trf", x_scale="jac")', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const points: number[][] = [];
      const recorded: ResidualsWithJacobian = (x, r, J) => {
        points.push(Array.from(x));
        c.fn(x, r, J);
      };
      const res = trustRegionReflective(recorded, c.x0, c.lower, c.upper, c.m, c.options);
      expect(res.status).toBe(c.scipy.status);
      expect([res.evaluations, res.iterations], 'evaluations = nfev, iterations = njev − 1').toEqual([c.scipy.nfev, c.scipy.njev - 1]);
      expectRelClose(res.x, c.scipy.x, c.rtol, 'x');
      if (c.costAbs !== undefined) expect(Math.abs(res.cost - c.scipy.cost)).toBeLessThanOrEqual(c.costAbs);
      else expectRelClose([res.cost], [c.scipy.cost], c.rtol, 'cost');
      const { r, g } = residualsAndGradient(c.fn, res.x, c.m);
      let sumSq = 0;
      for (const ri of r) sumSq += ri * ri;
      expect(res.f).toBe(sumSq);
      expect(res.cost).toBe(0.5 * res.f);
      if (c.kktTol !== undefined) expectKkt(g, res.x, c.lower, c.upper, c.kktTol);
      if (c.trials) {
        expect(points.length).toBe(c.trials.length);
        c.trials.forEach((pt, k) => expectRelClose(points[k], pt, c.rtol, `trial ${k}`));
      }
    });
  }

  it('survives a trial point with NaN residuals and follows scipy’s path around it', () => {
    // scipy: one trial lands at b > 1.5, its radius shrinks to a quarter of that step, and the
    // fit goes on to the unguarded solution.
    const { fn, nonFinite } = guardedExpDecay();
    const res = trustRegionReflective(fn, [0.5, 0.5, 1], [0, 0, 0], [10, 5, 2], 25);
    expect(nonFinite()).toBe(1);
    expect(res.status).toBe('converged-ftol');
    expect([res.evaluations, res.iterations]).toEqual([8, 6]); // scipy nfev 8, njev 7
    expectRelClose(res.x, [2.505982249662966, 1.300055888718508, 0.6993828457904928], 1e-9, 'x');
    expectRelClose([res.cost], [0.0005910403991949968], 1e-9, 'cost');
  });

  it('pressed against a NaN wall: 24 non-finite trials, none 20 in a row, ends as scipy does (ftol and xtol)', () => {
    // scipy's status 4 (ftol and xtol both met) maps to 'converged-ftol'. The solution of the
    // box problem lies beyond the wall at b = 1.5, so the end point is not a KKT point.
    const { fn, nonFinite } = guardedExpDecay();
    const res = trustRegionReflective(fn, [1, 1.2, 1.5], [0, 0, 0], [10, 5, 2], 25);
    expect(nonFinite()).toBe(24);
    expect(res.status).toBe('converged-ftol');
    expect([res.evaluations, res.iterations]).toEqual([46, 21]); // scipy nfev 46, njev 22
    expectRelClose(res.x, [1.2692120197470909, 1.499999997162724, 1.2823654320322195], 1e-9, 'x');
    expectRelClose([res.cost], [2.8988112352958666], 1e-9, 'cost');
    expect(Number.isFinite(res.f)).toBe(true);
  });
});

describe('trustRegionReflective', () => {
  it('moves a start on a bound 1e-10·max(1, |bound|) inside, and a start outside the box into it first', () => {
    const firstX: number[][] = [];
    let first = true;
    const recording: ResidualsWithJacobian = (x, r, J) => {
      if (first) firstX.push(Array.from(x));
      first = false;
      expDecay(x, r, J);
    };
    const lower = [0, 0, 0];
    const upper = [10, 5, 2];
    const onBound = trustRegionReflective(recording, [1, 5, 0], lower, upper, 25);
    first = true;
    const outside = trustRegionReflective(recording, [1, 9, -3], lower, upper, 25);
    expect(firstX[0]).toEqual([1, 5 - 5e-10, 1e-10]);
    expect(firstX[1]).toEqual(firstX[0]);
    expect(Array.from(outside.x)).toEqual(Array.from(onBound.x));
    expect(outside.evaluations).toBe(onBound.evaluations);
  });

  it('keeps every trial point strictly inside the box, even when steps end on a bound', () => {
    const lower = [-2, -1];
    const upper = [0.5, 2];
    let calls = 0;
    let outside = 0;
    const checked: ResidualsWithJacobian = (x, r, J) => {
      calls++;
      for (let i = 0; i < 2; i++) if (!(x[i] > lower[i] && x[i] < upper[i])) outside++;
      rosenbrock(x, r, J);
    };
    const res = trustRegionReflective(checked, [-1.2, 1], lower, upper, 2);
    expect(calls).toBe(res.evaluations);
    expect(outside).toBe(0);
    // The solution sits one ulp inside x1 ≤ 0.5: steps did reach the bound and were pulled back.
    expect(res.x[0]).toBe(0.49999999999999994);
  });

  it('reports non-finite residuals or Jacobian at the start without going on', () => {
    let calls = 0;
    const nanStart: ResidualsWithJacobian = (x, r, J) => {
      calls++;
      expDecay(x, r, J);
      r[3] = NaN;
    };
    const a = trustRegionReflective(nanStart, [1, 1, 0], [0, 0, 0], [10, 5, 2], 25);
    expect([a.status, a.evaluations, calls]).toEqual(['non-finite', 1, 1]);
    expect(a.f).toBeNaN();
    expect(a.cost).toBeNaN();
    const infJacobian: ResidualsWithJacobian = (x, r, J) => {
      expDecay(x, r, J);
      if (J) J[4] = Infinity;
    };
    expect(trustRegionReflective(infJacobian, [1, 1, 0], [0, 0, 0], [10, 5, 2], 25).status).toBe('non-finite');
    expect(trustRegionReflective(expDecay, [1, NaN, 0], [0, 0, 0], [10, 5, 2], 25)).toMatchObject({ status: 'non-finite', evaluations: 0 });
  });

  it('gives up after 20 consecutive non-finite trial points, at the last finite point', () => {
    let calls = 0;
    const finiteOnlyFirst: ResidualsWithJacobian = (x, r, J) => {
      calls++;
      expDecay(x, r, J);
      if (calls > 1) r[0] = NaN;
    };
    const x0 = [1, 1, 0.3];
    const res = trustRegionReflective(finiteOnlyFirst, x0, [0, 0, 0], [10, 5, 2], 25);
    expect([res.status, res.evaluations, res.iterations]).toEqual(['non-finite', 21, 0]);
    expect(Array.from(res.x)).toEqual(x0);
    const { r } = residualsAndGradient(expDecay, Float64Array.from(x0), 25);
    expect(res.f).toBe(r.reduce((s, v) => s + v * v, 0));
  });

  it('treats a non-finite Jacobian at a trial point as a rejected step', () => {
    // scipy would stop with an error in its SVD; here the step is retried with a smaller radius.
    const { fn: guarded, nonFinite } = guardedExpDecay();
    const jacobianOnly: ResidualsWithJacobian = (x, r, J) => {
      expDecay(x, r, null);
      if (J) guarded(x, new Float64Array(25), J);
    };
    const res = trustRegionReflective(jacobianOnly, [0.5, 0.5, 1], [0, 0, 0], [10, 5, 2], 25);
    expect(nonFinite()).toBe(1);
    expect(res.status).toMatch(/^converged-/);
    expectRelClose(res.x, [2.505982249662966, 1.300055888718508, 0.6993828457904928], 1e-6, 'x');
  });

  it('never calls fn more often than maxEvaluations', () => {
    let calls = 0;
    const counted: ResidualsWithJacobian = (x, r, J) => {
      calls++;
      rosenbrock(x, r, J);
    };
    for (const cap of [0, 1, 2, 7]) {
      calls = 0;
      const res = trustRegionReflective(counted, [-1.2, 1], [-2, -1], [0.5, 2], 2, { maxEvaluations: cap });
      expect([res.status, res.evaluations, calls]).toEqual(['max-evaluations', cap, cap]);
    }
    // The default is 100·n: with ftol = xtol = 0 nothing stops the futile steps of a wrong
    // Jacobian but the budget.
    const res = trustRegionReflective(wrongJacobian, [-1.2, 1], [-INF, -INF], [INF, INF], 2, { ftol: 0, xtol: 0 });
    expect([res.status, res.evaluations, res.iterations]).toEqual(['max-evaluations', 200, 0]);
  });

  it('gives bit-identical results with a reused workspace, across different problems', () => {
    const ws = new TrfWorkspace(3, 25);
    const runs: Array<[number[], number[], number[]]> = [
      [
        [1, 1, 0.3],
        [0, 0, 0],
        [10, 5, 0.6],
      ],
      [
        [1, 5, 0],
        [0, 0, 0],
        [10, 5, 2],
      ],
      [
        [1, 1, 0],
        [-INF, -INF, -INF],
        [INF, INF, INF],
      ],
    ];
    const fresh: TrfResult[] = runs.map(([x0, lo, hi]) => trustRegionReflective(expDecay, x0, lo, hi, 25));
    for (let round = 0; round < 2; round++) {
      runs.forEach(([x0, lo, hi], k) => {
        const res = trustRegionReflective(expDecay, x0, lo, hi, 25, {}, ws);
        expect(res).toEqual(fresh[k]);
        expect(res.x).not.toBe(ws.x);
      });
    }
    expect(() => trustRegionReflective(expDecay, [1, 1, 0], [0, 0, 0], [10, 5, 2], 24, {}, ws)).toThrow(RangeError);
  });

  it('rejects inconsistent arguments', () => {
    expect(() => trustRegionReflective(expDecay, [1, 1, 0], [0, 0], [10, 5, 2], 25)).toThrow(RangeError);
    expect(() => trustRegionReflective(expDecay, [1, 1, 0], [0, 5, 0], [10, 5, 2], 25)).toThrow(RangeError);
    expect(() => trustRegionReflective(expDecay, [1, 1, 0], [0, NaN, 0], [10, 5, 2], 25)).toThrow(RangeError);
    expect(() => trustRegionReflective(expDecay, [1, 1, 0], [0, 0, 0], [10, 5, 2], 2.5)).toThrow(RangeError);
    expect(() => trustRegionReflective(expDecay, [1, 1, 0], [0, 0, 0], [10, 5, 2], 25, { maxEvaluations: NaN })).toThrow(RangeError);
  });
});

describe('the stall rule (not scipy’s; off by default)', () => {
  const x0 = [1, 0.5, 0];
  const lower = [-INF, -INF, -INF];
  const upper = [INF, INF, INF];

  it('stops a start whose cost fell too little over the window', () => {
    const free = trustRegionReflective(expDecay, x0, lower, upper, T.length);
    expect(free.status).not.toBe('stalled');
    expect(free.iterations).toBeGreaterThan(2);
    // demanding a 99.99999% fall per accepted step stops it after the first window
    const r = trustRegionReflective(expDecay, x0, lower, upper, T.length, { stall: { window: 1, ratio: 0.9999999 } });
    expect(r.status).toBe('stalled');
    expect(r.iterations).toBe(1);
    expect(r.f).toBeGreaterThan(free.f);
  });

  it('stops a start still above the ceiling after the window, and leaves one below it alone', () => {
    const above = trustRegionReflective(expDecay, x0, lower, upper, T.length, { stall: { window: 2, ratio: 0, ceiling: 0 } });
    expect(above.status).toBe('stalled');
    expect(above.iterations).toBe(2);
    const free = trustRegionReflective(expDecay, x0, lower, upper, T.length);
    const below = trustRegionReflective(expDecay, x0, lower, upper, T.length, { stall: { window: 2, ratio: 0, ceiling: 1e6 } });
    expect(below.status).toBe(free.status);
    expect(below.f).toBe(free.f);
  });
});
