/** The buffers of `trustRegionReflective`, allocated once per (n, m) so that the hot path allocates nothing. */

/** The bidiagonal QR iteration gives up after this many rotations per n² (LAPACK's dbdsqr allows 6n² inner steps); it typically needs 0.7·n². */
export const ROTATION_BUDGET = 6;

/** Preallocated buffers for `trustRegionReflective`; reuse one across calls of the same (n, m). */
export class TrfWorkspace {
  readonly n: number;
  readonly m: number;

  /** @internal current point, its residuals and Jacobian (row-major m × n); swapped with the trial's on acceptance */
  x: Float64Array;
  /** @internal */
  r: Float64Array;
  /** @internal */
  J: Float64Array;
  /** @internal trial point, residuals, Jacobian */
  xTrial: Float64Array;
  /** @internal */
  rTrial: Float64Array;
  /** @internal */
  JTrial: Float64Array;
  /** @internal */
  readonly lo: Float64Array;
  /** @internal */
  readonly hi: Float64Array;
  /** @internal gradient Jᵀr */
  readonly g: Float64Array;
  /** @internal Coleman–Li vector and its derivative (−1, 0, 1) */
  readonly v: Float64Array;
  /** @internal */
  readonly dv: Float64Array;
  /** @internal running maximum of the Jacobian's column norms (scipy's scale_inv) */
  readonly scaleInv: Float64Array;
  /** @internal hat-variable scaling x = d·x_h, the extra diagonal C and the hat gradient d·g */
  readonly d: Float64Array;
  /** @internal */
  readonly diagH: Float64Array;
  /** @internal */
  readonly gH: Float64Array;
  /** @internal column-major max(m, n) × n copy of J·d, overwritten by its Householder QR */
  readonly A: Float64Array;
  /** @internal Qᵀr (length max(m, n)) */
  readonly qtr: Float64Array;
  /** @internal diagonal of R */
  readonly rdiag: Float64Array;
  /** @internal row-major n × n triangle of [R; √C]; then, in row k beyond k + 1, the vector of the k-th right reflection of the bidiagonalisation */
  readonly B: Float64Array;
  /** @internal superdiagonal of the bidiagonal form, and the right reflections' τ */
  readonly e: Float64Array;
  /** @internal */
  readonly tauRight: Float64Array;
  /** @internal the right rotations of the bidiagonal QR iteration, in order: columns (rotJ, rotL), cosine and sine */
  readonly rotJ: Int32Array;
  /** @internal */
  readonly rotL: Int32Array;
  /** @internal */
  readonly rotC: Float64Array;
  /** @internal */
  readonly rotS: Float64Array;
  /** @internal how many of them there are */
  rotations = 0;
  /** @internal the last Householder reflection formed: τ, the value it maps onto, 1 / (alpha − beta) */
  reflTau = 0;
  /** @internal */
  reflBeta = 0;
  /** @internal */
  reflScale = 0;
  /** @internal scratch of length n for the reductions */
  readonly work: Float64Array;
  /**
   * @internal singular values, Uᵀ[r; 0] and σ·Uᵀ[r; 0] (scipy's s, uf, suf). s also holds J's
   * squared column norms while the gradient is formed; s and uf hold the diagonal and the rotated
   * right-hand side while the factorisation is under way.
   */
  readonly s: Float64Array;
  /** @internal */
  readonly uf: Float64Array;
  /** @internal */
  readonly suf: Float64Array;
  /** @internal trust-region step in hat and original variables */
  readonly pH: Float64Array;
  /** @internal */
  readonly p: Float64Array;
  /** @internal reflected step */
  readonly rH: Float64Array;
  /** @internal */
  readonly rDir: Float64Array;
  /** @internal constrained Cauchy step */
  readonly agH: Float64Array;
  /** @internal */
  readonly ag: Float64Array;
  /** @internal the selected step */
  readonly stepH: Float64Array;
  /** @internal */
  readonly step: Float64Array;
  /** @internal x + p once p has been cut back to the first bound */
  readonly xOnBound: Float64Array;
  /** @internal which variables that cut-back step hits: −1 lower, 1 upper, 0 none */
  readonly hits: Int8Array;
  /** @internal J·d·s products (length m) */
  readonly Js: Float64Array;
  /** @internal */
  readonly Js0: Float64Array;
  /** @internal scratch for stepping one ulp from a bound; word order probed at construction */
  readonly ulpF: Float64Array;
  /** @internal */
  readonly ulpW: Uint32Array;
  /** @internal index of the low word in ulpW */
  readonly ulpLow: number;
  /** @internal whether J is full rank as scipy judges it (σ_min > ε·m·σ_max, m ≥ n) */
  fullRank = false;
  /** @internal a 1-D quadratic a·t² + b·t + c, and the minimum value found along it */
  qa = 0;
  /** @internal */
  qb = 0;
  /** @internal */
  qc = 0;
  /** @internal */
  qMin = 0;

  constructor(n: number, m: number) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`TrfWorkspace: n must be a non-negative integer, got ${n}`);
    if (!Number.isInteger(m) || m < 0) throw new RangeError(`TrfWorkspace: m must be a non-negative integer, got ${m}`);
    this.n = n;
    this.m = m;
    const vec = (): Float64Array => new Float64Array(n);
    const rows = Math.max(m, n);
    this.x = vec();
    this.r = new Float64Array(m);
    this.J = new Float64Array(m * n);
    this.xTrial = vec();
    this.rTrial = new Float64Array(m);
    this.JTrial = new Float64Array(m * n);
    this.lo = vec();
    this.hi = vec();
    this.g = vec();
    this.v = vec();
    this.dv = vec();
    this.scaleInv = vec();
    this.d = vec();
    this.diagH = vec();
    this.gH = vec();
    this.A = new Float64Array(rows * n);
    this.qtr = new Float64Array(rows);
    this.rdiag = vec();
    this.B = new Float64Array(n * n);
    this.e = vec();
    this.tauRight = vec();
    const rotationCapacity = ROTATION_BUDGET * n * n;
    this.rotJ = new Int32Array(rotationCapacity);
    this.rotL = new Int32Array(rotationCapacity);
    this.rotC = new Float64Array(rotationCapacity);
    this.rotS = new Float64Array(rotationCapacity);
    this.work = vec();
    this.s = vec();
    this.uf = vec();
    this.suf = vec();
    this.pH = vec();
    this.p = vec();
    this.rH = vec();
    this.rDir = vec();
    this.agH = vec();
    this.ag = vec();
    this.stepH = vec();
    this.step = vec();
    this.xOnBound = vec();
    this.hits = new Int8Array(n);
    this.Js = new Float64Array(m);
    this.Js0 = new Float64Array(m);
    this.ulpF = new Float64Array(1);
    this.ulpW = new Uint32Array(this.ulpF.buffer);
    this.ulpF[0] = 1; // exponent bits sit in the high word
    this.ulpLow = this.ulpW[0] === 0 ? 0 : 1;
  }
}
