/** The Moré–Thuente line search of L-BFGS-B (dcsrch/dcstep). */

/** Line-search constants of L-BFGS-B (dcsrch's ftol, gtol, xtol). */
const LS_FTOL = 1e-3;
const LS_GTOL = 0.9;
const LS_XTOL = 0.1;
// Moré–Thuente line search (the dcsrch/dcstep pair), as a resumable state machine so that the
// caller owns the evaluations and can intervene when a trial is not finite.

export const LS_EVALUATE = 0;
export const LS_CONVERGED = 1;
export const LS_WARNING = 2;
export const LS_ERROR = 3;
export type LsTask = typeof LS_EVALUATE | typeof LS_CONVERGED | typeof LS_WARNING | typeof LS_ERROR;

export class StrongWolfeSearch {
  /** The step to evaluate next (or the accepted one once the search has ended). */
  stp = 0;
  private stpmin = 0;
  private stpmax = 0;
  private brackt = false;
  private stage = 1;
  private finit = 0;
  private ginit = 0;
  private gtest = 0;
  private width = 0;
  private width1 = 0;
  private stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  private stmin = 0;
  private stmax = 0;
  private retreats = 0;

  start(f: number, g: number, stp: number, stpmin: number, stpmax: number): LsTask {
    if (!(stp >= stpmin) || !(stp <= stpmax) || !(stpmax > stpmin) || !(g < 0)) return LS_ERROR;
    this.stp = stp;
    this.stpmin = stpmin;
    this.stpmax = stpmax;
    this.brackt = false;
    this.stage = 1;
    this.finit = f;
    this.ginit = g;
    this.gtest = LS_FTOL * g;
    this.width = stpmax - stpmin;
    this.width1 = this.width / 0.5;
    this.stx = 0;
    this.fx = f;
    this.gx = g;
    this.sty = 0;
    this.fy = f;
    this.gy = g;
    this.stmin = 0;
    this.stmax = stp + 4 * stp;
    this.retreats = 0;
    return LS_EVALUATE;
  }

  /** Feeds f and the directional derivative g at `stp`; either ends the search or sets the next `stp`. */
  next(f: number, g: number): LsTask {
    const ftest = this.finit + this.stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;

    let task: LsTask = LS_EVALUATE;
    if (this.brackt && (this.stp <= this.stmin || this.stp >= this.stmax)) task = LS_WARNING;
    if (this.brackt && this.stmax - this.stmin <= LS_XTOL * this.stmax) task = LS_WARNING;
    if (this.stp === this.stpmax && f <= ftest && g <= this.gtest) task = LS_WARNING;
    if (this.stp === this.stpmin && (f > ftest || g >= this.gtest)) task = LS_WARNING;
    if (f <= ftest && Math.abs(g) <= LS_GTOL * -this.ginit) task = LS_CONVERGED;
    if (task !== LS_EVALUATE) return task;

    // Until a step with sufficient decrease and g ≥ 0 is seen, interpolate the function shifted by
    // the sufficient-decrease line: it keeps the search from settling on a point that fails it.
    if (this.stage === 1 && f <= this.fx && f > ftest) {
      const gtest = this.gtest;
      this.fx -= this.stx * gtest;
      this.fy -= this.sty * gtest;
      this.gx -= gtest;
      this.gy -= gtest;
      this.step(f - this.stp * gtest, g - gtest);
      this.fx += this.stx * gtest;
      this.fy += this.sty * gtest;
      this.gx += gtest;
      this.gy += gtest;
    } else {
      this.step(f, g);
    }

    // Force enough shrinkage of the bracket; otherwise bisect.
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) this.stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
    }
    if (this.brackt) {
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = this.stp + 1.1 * (this.stp - this.stx);
      this.stmax = this.stp + 4 * (this.stp - this.stx);
    }
    this.stp = Math.min(Math.max(this.stp, this.stpmin), this.stpmax);
    if ((this.brackt && (this.stp <= this.stmin || this.stp >= this.stmax)) || (this.brackt && this.stmax - this.stmin <= LS_XTOL * this.stmax)) {
      this.stp = this.stx;
    }
    // Interpolation of values that lost all precision can yield NaN; bisect or stay put instead.
    if (!Number.isFinite(this.stp)) this.stp = this.brackt ? 0.5 * (this.stx + this.sty) : Math.min(this.stpmax, Math.max(this.stpmin, this.stx));
    return LS_EVALUATE;
  }

  /**
   * The trial at `stp` was not finite: treat it as a step too long. Retreat towards the best step
   * so far (halfway the first time, to a tenth after that) and, when the bad step lay beyond it
   * and nothing is bracketed yet, never extrapolate past the retreat point again.
   */
  retreat(): void {
    const bad = this.stp;
    this.retreats++;
    const factor = this.retreats === 1 ? 0.5 : 0.1;
    const next = this.stx + factor * (bad - this.stx);
    if (!this.brackt && bad > this.stx && next > this.stpmin) this.stpmax = Math.min(this.stpmax, next);
    this.stp = next;
  }

  /** One safeguarded cubic/quadratic step (dcstep): updates the bracket and proposes the next step. */
  private step(fp: number, dp: number): void {
    const { stx, fx, sty, fy, stp, stmin, stmax } = this;
    const dx = this.gx;
    const dy = this.gy;
    const sgnd = dp * Math.sign(dx);
    let stpf: number;

    if (fp > fx) {
      // Higher value: the minimum is bracketed; take the cubic step unless it is farther than the
      // quadratic one from the best point.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp < stx) gamma = -gamma;
      const p = gamma - dx + theta;
      const q = gamma - dx + gamma + dp;
      const stpc = stx + (p / q) * (stp - stx);
      const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
      stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
      this.brackt = true;
    } else if (sgnd < 0) {
      // Derivatives of opposite sign: bracketed; take the step farther from stp (cubic or secant).
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dx;
      const stpc = stp + (p / q) * (stx - stp);
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      this.brackt = true;
    } else if (Math.abs(dp) < Math.abs(dx)) {
      // Same sign, derivative decreasing in magnitude: the cubic may not have a minimiser in the
      // right direction, in which case extrapolate to the limit.
      const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
      if (stp > stx) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma + (dx - dp) + gamma;
      const r = p / q;
      let stpc: number;
      if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
      else stpc = stp > stx ? stmax : stmin;
      const stpq = stp + (dp / (dp - dx)) * (stx - stp);
      if (this.brackt) {
        stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
        stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
      } else {
        stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
        stpf = Math.max(stmin, Math.min(stmax, stpf));
      }
    } else if (this.brackt) {
      // Same sign, derivative not decreasing: minimise the cubic through stp and sty.
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dy / s) * (dp / s)));
      if (stp > sty) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      stpf = stp + (p / q) * (sty - stp);
    } else {
      stpf = stp > stx ? stmax : stmin;
    }

    if (fp > fx) {
      this.sty = stp;
      this.fy = fp;
      this.gy = dp;
    } else {
      if (sgnd < 0) {
        this.sty = stx;
        this.fy = fx;
        this.gy = dx;
      }
      this.stx = stp;
      this.fx = fp;
      this.gx = dp;
    }
    this.stp = stpf;
  }
}
