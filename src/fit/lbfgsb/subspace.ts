/** The generalized Cauchy point and the subspace minimisation step of L-BFGS-B. */
import { cholesky, solveLower, solveLowerT } from '../../linalg/cholesky.js';
import { applyM } from './compact.js';
import { AT_LOWER, AT_UPPER, FIXED, FREE, type BoxWorkspace } from './workspace.js';

const EPS = Number.EPSILON;

/** max_i |x_i − P(x − g)_i|: the gradient with the components that point out of the box cut to the room left. */
export function projectedGradientNorm(ws: BoxWorkspace): number {
  const { x, g, lo, hi } = ws;
  let norm = 0;
  for (let i = 0; i < ws.n; i++) {
    let gi = g[i];
    if (gi < 0) {
      if (hi[i] < Infinity) gi = Math.max(x[i] - hi[i], gi);
    } else if (lo[i] > -Infinity) {
      gi = Math.min(x[i] - lo[i], gi);
    }
    norm = Math.max(norm, Math.abs(gi));
  }
  return norm;
}

/**
 * Generalized Cauchy point: the first local minimiser of the quadratic model along the projected
 * steepest-descent path x(t) = P(x − t·g), found by walking its breakpoints in order. Writes it
 * to z, marks the variables it pinned in `where`, and leaves c = Wᵀ(z − x).
 */
function cauchyPoint(ws: BoxWorkspace, col: number, theta: number): void {
  const { x, g, lo, hi, z, d, where, brkT, brkIdx, p, c, v, wbp, S, Y } = ws;
  const n = ws.n;
  const col2 = 2 * col;
  for (let j = 0; j < col2; j++) {
    p[j] = 0;
    c[j] = 0;
  }
  let f1 = 0;
  let nbreak = 0;
  let moving = 0;
  // Whether every moving variable eventually hits a bound (the path ends at a vertex).
  let bounded = true;
  for (let i = 0; i < n; i++) {
    const neg = -g[i];
    if (where[i] !== FIXED) {
      where[i] = FREE;
      if (x[i] <= lo[i]) {
        if (neg <= 0) where[i] = AT_LOWER;
      } else if (x[i] >= hi[i]) {
        if (neg >= 0) where[i] = AT_UPPER;
      }
    }
    if (where[i] !== FREE || neg === 0) {
      d[i] = 0;
      continue;
    }
    d[i] = neg;
    moving++;
    f1 -= neg * neg;
    for (let j = 0; j < col; j++) {
      p[j] += Y[j * n + i] * neg;
      p[col + j] += S[j * n + i] * neg;
    }
    if (neg < 0 && lo[i] > -Infinity) {
      brkT[nbreak] = (x[i] - lo[i]) / -neg;
      brkIdx[nbreak++] = i;
    } else if (neg > 0 && hi[i] < Infinity) {
      brkT[nbreak] = (hi[i] - x[i]) / neg;
      brkIdx[nbreak++] = i;
    } else {
      bounded = false;
    }
  }
  for (let j = 0; j < col; j++) p[col + j] *= theta;
  z.set(x);
  if (moving === 0) return;

  // f1, f2: first and second derivative of the model along the current segment.
  let f2 = -theta * f1;
  // The model's curvature must stay positive; rounding in the updates below could flip it.
  const f2Floor = EPS * f2;
  if (col > 0) {
    applyM(ws, col, p, v);
    for (let j = 0; j < col2; j++) f2 -= v[j] * p[j];
  }
  let dtm = -f1 / f2;
  let tsum = 0;
  let allPinned = false;

  if (nbreak > 0) {
    let nleft = nbreak;
    let tj = 0;
    for (;;) {
      const tj0 = tj;
      // Next breakpoint by a linear scan: the problems here are small and usually need only one.
      let kmin = 0;
      for (let k = 1; k < nleft; k++) if (brkT[k] < brkT[kmin]) kmin = k;
      tj = brkT[kmin];
      const ibp = brkIdx[kmin];
      brkT[kmin] = brkT[nleft - 1];
      brkIdx[kmin] = brkIdx[nleft - 1];
      const dt = tj - tj0;
      if (dtm < dt) break;

      tsum += dt;
      nleft--;
      const dibp = d[ibp];
      d[ibp] = 0;
      let zibp: number;
      if (dibp > 0) {
        zibp = hi[ibp] - x[ibp];
        z[ibp] = hi[ibp];
        where[ibp] = AT_UPPER;
      } else {
        zibp = lo[ibp] - x[ibp];
        z[ibp] = lo[ibp];
        where[ibp] = AT_LOWER;
      }
      if (nleft === 0 && nbreak === n) {
        dtm = dt;
        allPinned = true;
        break;
      }
      const dibp2 = dibp * dibp;
      f1 = f1 + dt * f2 + dibp2 - theta * dibp * zibp;
      f2 -= theta * dibp2;
      if (col > 0) {
        for (let j = 0; j < col2; j++) c[j] += dt * p[j];
        for (let j = 0; j < col; j++) {
          wbp[j] = Y[j * n + ibp];
          wbp[col + j] = theta * S[j * n + ibp];
        }
        applyM(ws, col, wbp, v);
        let wmc = 0;
        let wmp = 0;
        let wmw = 0;
        for (let j = 0; j < col2; j++) {
          wmc += c[j] * v[j];
          wmp += p[j] * v[j];
          wmw += wbp[j] * v[j];
        }
        for (let j = 0; j < col2; j++) p[j] -= dibp * wbp[j];
        f1 += dibp * wmc;
        f2 += 2 * dibp * wmp - dibp2 * wmw;
      }
      f2 = Math.max(f2Floor, f2);
      if (nleft > 0) {
        dtm = -f1 / f2;
        continue;
      }
      dtm = bounded ? 0 : -f1 / f2;
      break;
    }
  }

  if (!allPinned) {
    if (!(dtm > 0)) dtm = 0;
    tsum += dtm;
    for (let i = 0; i < n; i++) {
      if (d[i] !== 0) z[i] = Math.min(hi[i], Math.max(lo[i], x[i] + tsum * d[i]));
    }
  }
  if (col > 0) for (let j = 0; j < col2; j++) c[j] += dtm * p[j];
}

/**
 * Minimises the quadratic model over the variables left free at the Cauchy point, then keeps the
 * result in the box: projection if that still gives descent, otherwise the longest feasible
 * fraction of the step. With few variables active (and not `direct`) through the inverse
 * (`reducedInverseStep`); otherwise by scipy's direct primal method, Sherman–Morrison–Woodbury on
 * the reduced matrix θI − VMVᵀ, V = ZᵀW. Expects r = −Zᵀ(g + B(z − x)) on entry; updates z.
 * False if the middle matrix is not numerically factorisable (the caller then drops the memory).
 */
function subspaceStep(ws: BoxWorkspace, col: number, theta: number, nfree: number, direct: boolean): boolean {
  const { S, Y, SY, L1, X, L2, u, freeIdx, r, where, YY, SYF, activeIdx } = ws;
  const n = ws.n;
  const m = ws.memory;
  let nact = 0;
  for (let k = 0; k < n; k++) if (where[k] !== FREE) activeIdx[nact++] = k;

  if (!direct && reducedInverseCheaper(n, nact, col) && reducedInverseStep(ws, col, theta, nfree, nact)) {
    keepInBox(ws, nfree);
    return true;
  }

  // K = M⁻¹ − VᵀV/θ = [[−(D + YᵀZZᵀY/θ), Lᵀ − YᵀZZᵀS], [L − SᵀZZᵀY, θ·SᵀAAᵀS]]
  // = [[L1, 0], [−Xᵀ, L2]] · diag(−I, I) · [[L1ᵀ, −X], [0, L2ᵀ]].
  // Products over the free variables = full-space products minus the few active variables.
  for (let i = 0; i < col; i++) {
    for (let j = 0; j <= i; j++) {
      let yy = YY[i * m + j];
      for (let a = 0; a < nact; a++) {
        const k = activeIdx[a];
        yy -= Y[i * n + k] * Y[j * n + k];
      }
      L1[i * m + j] = yy / theta + (i === j ? SY[i * m + i] : 0);
    }
  }
  if (!cholesky(L1, col, m)) return false;
  // X ← L1⁻¹ (Lᵀ − YᵀZZᵀS), column by column.
  for (let i = 0; i < col; i++) {
    for (let j = 0; j < col; j++) {
      let ys = SYF[j * m + i];
      for (let a = 0; a < nact; a++) {
        const k = activeIdx[a];
        ys -= Y[i * n + k] * S[j * n + k];
      }
      X[i * m + j] = (j > i ? SY[j * m + i] : 0) - ys;
    }
  }
  for (let j = 0; j < col; j++) {
    for (let i = 0; i < col; i++) {
      let s = X[i * m + j];
      for (let q = 0; q < i; q++) s -= L1[i * m + q] * X[q * m + j];
      X[i * m + j] = s / L1[i * m + i];
    }
  }
  // L2 ← Cholesky(θ·SᵀAAᵀS + XᵀX); the active part is summed directly to avoid cancellation.
  for (let i = 0; i < col; i++) {
    for (let j = 0; j <= i; j++) {
      let sas = 0;
      for (let a = 0; a < nact; a++) {
        const k = activeIdx[a];
        sas += S[i * n + k] * S[j * n + k];
      }
      let xx = 0;
      for (let q = 0; q < col; q++) xx += X[q * m + i] * X[q * m + j];
      L2[i * m + j] = theta * sas + xx;
    }
  }
  if (!cholesky(L2, col, m)) return false;

  // u = K⁻¹ Vᵀ r.
  for (let j = 0; j < col; j++) {
    let wy = 0;
    let wsum = 0;
    for (let q = 0; q < nfree; q++) {
      const k = freeIdx[q];
      wy += Y[j * n + k] * r[q];
      wsum += S[j * n + k] * r[q];
    }
    u[j] = wy;
    u[col + j] = theta * wsum;
  }
  solveLower(L1, col, m, u, 0);
  for (let i = 0; i < col; i++) {
    let s = u[col + i];
    for (let q = 0; q < col; q++) s += X[q * m + i] * u[q];
    u[col + i] = s;
  }
  solveLower(L2, col, m, u, col);
  solveLowerT(L2, col, m, u, col);
  for (let i = 0; i < col; i++) {
    let s = -u[i];
    for (let q = 0; q < col; q++) s += X[i * m + q] * u[col + q];
    u[i] = s;
  }
  solveLowerT(L1, col, m, u, 0);

  // Subspace step  d̂ = r/θ + V·u/θ²  (written over r).
  const invTheta = 1 / theta;
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    let vu = 0;
    for (let j = 0; j < col; j++) vu += Y[j * n + k] * u[j] + theta * S[j * n + k] * u[col + j];
    r[q] = r[q] * invTheta + vu * invTheta * invTheta;
  }

  keepInBox(ws, nfree);
  return true;
}

/**
 * v[off..off+n) ← H·v, H = B⁻¹, by the two-loop recursion. The inverse of the compact matrix B
 * (B₀ = θI and the stored pairs) is the L-BFGS matrix built from H₀ = I/θ and the same pairs.
 */
function applyInverse(ws: BoxWorkspace, col: number, theta: number, v: Float64Array, off: number): void {
  const { S, Y, u, invD } = ws;
  const n = ws.n;
  for (let j = col - 1; j >= 0; j--) {
    let sv = 0;
    for (let i = 0; i < n; i++) sv += S[j * n + i] * v[off + i];
    const a = sv * invD[j];
    u[j] = a;
    for (let i = 0; i < n; i++) v[off + i] -= a * Y[j * n + i];
  }
  const invTheta = 1 / theta;
  for (let i = 0; i < n; i++) v[off + i] *= invTheta;
  for (let j = 0; j < col; j++) {
    let yv = 0;
    for (let i = 0; i < n; i++) yv += Y[j * n + i] * v[off + i];
    const c = u[j] - yv * invD[j];
    for (let i = 0; i < n; i++) v[off + i] += c * S[j * n + i];
  }
}

/**
 * Whether the reduced-inverse step below costs fewer flops than the direct primal method:
 * (nact + 1) two-loop passes of 4·col·n against about 2·col³ + 2·col²·nact.
 */
function reducedInverseCheaper(n: number, nact: number, col: number): boolean {
  return 4 * col * n * (nact + 1) < 2 * col * col * (col + nact);
}

/**
 * r ← (ZᵀBZ)⁻¹r, the same subspace step as the direct method's, from H = B⁻¹ and the block
 * inverse (B_FF)⁻¹ = H_FF − H_FA·H_AA⁻¹·H_AF over the free (F) and active (A) variables: one
 * two-loop pass per active variable and one for r, cheap when few are active. Expects the `nact`
 * active variables in `activeIdx`. False when H_AA is not numerically positive definite (the caller
 * then takes the direct method).
 */
function reducedInverseStep(ws: BoxWorkspace, col: number, theta: number, nfree: number, nact: number): boolean {
  const { r, freeIdx, activeIdx, hr, HA, HAA, wa } = ws;
  const n = ws.n;
  hr.fill(0);
  for (let q = 0; q < nfree; q++) hr[freeIdx[q]] = r[q];
  applyInverse(ws, col, theta, hr, 0);
  if (nact > 0) {
    HA.fill(0, 0, nact * n);
    for (let a = 0; a < nact; a++) {
      HA[a * n + activeIdx[a]] = 1;
      applyInverse(ws, col, theta, HA, a * n);
    }
    for (let i = 0; i < nact; i++) {
      for (let j = 0; j <= i; j++) HAA[i * nact + j] = HA[i * n + activeIdx[j]];
      wa[i] = hr[activeIdx[i]];
    }
    if (!cholesky(HAA, nact, nact)) return false;
    solveLower(HAA, nact, nact, wa, 0);
    solveLowerT(HAA, nact, nact, wa, 0);
  }
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    let d = hr[k];
    for (let i = 0; i < nact; i++) d -= wa[i] * HA[i * n + k];
    r[q] = d;
  }
  return true;
}

/**
 * z ← z + d̂ on the free variables (d̂ in r), kept in the box: projection if that still gives
 * descent from x, otherwise the longest feasible fraction of the step.
 */
function keepInBox(ws: BoxWorkspace, nfree: number): void {
  const { freeIdx, r, z, zc, x, g, lo, hi } = ws;
  const n = ws.n;
  // Projection first: it keeps the full Newton-like step on the coordinates that stay inside.
  let clipped = false;
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    zc[k] = z[k];
    let t = z[k] + r[q];
    if (t <= lo[k]) {
      t = lo[k];
      clipped = true;
    } else if (t >= hi[k]) {
      t = hi[k];
      clipped = true;
    }
    z[k] = t;
  }
  if (!clipped) return;
  let dd = 0;
  for (let i = 0; i < n; i++) dd += (z[i] - x[i]) * g[i];
  if (dd <= 0) return;

  // The projected point is not a descent direction from x: fall back to the longest step from
  // the Cauchy point along d̂ that stays feasible.
  for (let q = 0; q < nfree; q++) z[freeIdx[q]] = zc[freeIdx[q]];
  let alpha = 1;
  let ibd = -1;
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    const dk = r[q];
    let limit = alpha;
    if (dk < 0 && lo[k] > -Infinity) {
      const room = lo[k] - z[k];
      if (room >= 0) limit = 0;
      else if (dk * alpha < room) limit = room / dk;
    } else if (dk > 0 && hi[k] < Infinity) {
      const room = hi[k] - z[k];
      if (room <= 0) limit = 0;
      else if (dk * alpha > room) limit = room / dk;
    }
    if (limit < alpha) {
      alpha = limit;
      ibd = q;
    }
  }
  if (alpha < 1 && ibd >= 0) {
    const k = freeIdx[ibd];
    z[k] = r[ibd] > 0 ? hi[k] : lo[k];
    r[ibd] = 0;
  }
  for (let q = 0; q < nfree; q++) {
    const k = freeIdx[q];
    z[k] = Math.min(hi[k], Math.max(lo[k], z[k] + alpha * r[q]));
  }
}

/**
 * The point the line search aims at (z): Cauchy point plus subspace minimisation, or the plain
 * quasi-Newton step when nothing is bounded. False when the algebra broke down or z is not finite.
 */
export function searchTarget(ws: BoxWorkspace, col: number, theta: number, constrained: boolean, direct: boolean): boolean {
  const { x, g, z, r, freeIdx, where, c, v, S, Y } = ws;
  const n = ws.n;
  let nfree = 0;
  if (!constrained && col > 0) {
    // Nothing can become active, so the Cauchy point adds nothing: minimise the model from x.
    z.set(x);
    for (let i = 0; i < n; i++) {
      freeIdx[nfree] = i;
      r[nfree++] = -g[i];
    }
  } else {
    cauchyPoint(ws, col, theta);
    if (col > 0) {
      for (let i = 0; i < n; i++) if (where[i] === FREE) freeIdx[nfree++] = i;
      if (nfree > 0) {
        // r = −Zᵀ(g + θ(z − x) − W·M·c), the model's negative gradient at the Cauchy point.
        applyM(ws, col, c, v);
        for (let q = 0; q < nfree; q++) {
          const k = freeIdx[q];
          let wmc = 0;
          for (let j = 0; j < col; j++) wmc += Y[j * n + k] * v[j] + theta * S[j * n + k] * v[col + j];
          r[q] = -theta * (z[k] - x[k]) - g[k] + wmc;
        }
      }
    }
  }
  if (col > 0 && nfree > 0 && !subspaceStep(ws, col, theta, nfree, direct)) return false;
  for (let i = 0; i < n; i++) if (!Number.isFinite(z[i])) return false;
  return true;
}
