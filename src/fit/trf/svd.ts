/**
 * The factorisation [J·d; diag(√C)] = U·Σ·Vᵀ behind the exact trust-region solver.
 *
 * J·d is reduced to an n × n triangle by Householder QR, Givens rotations fold the rows diag(√C)
 * into it (MINPACK's qrsolv), and the triangle is bidiagonalised by Householder reflections from
 * both sides and diagonalised by Golub–Kahan's implicitly shifted QR iteration (Golub & Reinsch;
 * the bookkeeping of JAMA's SVD). Only O(n³) work is in the reductions to the triangle and to
 * bidiagonal form; the QR iteration is O(n²) because no singular vector is formed: every left
 * transformation goes straight onto Qᵀr (only uf = Uᵀ[Qᵀr; 0] is ever needed of U), and the right
 * ones are recorded and applied to a vector on demand (V is only ever needed times a vector).
 */
import type { TrfWorkspace } from './workspace.js';

const EPS = Number.EPSILON;
/** Below this, bidiagonal entries count as zero however small their neighbours (JAMA's 2⁻⁹⁶⁶). */
const TINY = 2 ** -966;
/** Between these, squares of magnitudes neither overflow nor lose digits to underflow. */
const PYTHAG_SMALL = 2 ** -480;
const PYTHAG_BIG = 2 ** 480;

/**
 * Householder QR of J·d (zero rows pad m < n) and Qᵀr, then the SVD of the n × n triangle of
 * [R; diag(√C)]. Leaves σ in s, uf = Uᵀ[r; 0] and suf = σ·uf, V in implicit form for applyV,
 * and decides full rank as scipy does.
 */
export function factorize(ws: TrfWorkspace): void {
  const { n, m, J, r, d, A, qtr, rdiag } = ws;
  const rows = Math.max(m, n);
  for (let j = 0; j < n; j++) {
    const cj = j * rows;
    const dj = d[j];
    for (let i = 0; i < m; i++) A[cj + i] = J[i * n + j] * dj;
    for (let i = m; i < rows; i++) A[cj + i] = 0;
  }
  for (let i = 0; i < m; i++) qtr[i] = r[i];
  for (let i = m; i < rows; i++) qtr[i] = 0;

  for (let j = 0; j < n; j++) {
    const cj = j * rows;
    let ss = 0;
    for (let i = j; i < rows; i++) ss += A[cj + i] * A[cj + i];
    let alpha = Math.sqrt(ss);
    if (alpha === 0) {
      rdiag[j] = 0;
      continue;
    }
    // Reflect onto −sign(a_jj)·‖a‖·e_j so that forming the Householder vector never cancels.
    if (A[cj + j] < 0) alpha = -alpha;
    for (let i = j; i < rows; i++) A[cj + i] /= alpha;
    A[cj + j] += 1;
    const pivot = A[cj + j];
    // Four columns per pass over the Householder vector, then two, then one: each column's sums in
    // the same order whatever the grouping, so the factor does not depend on it.
    let k = j + 1;
    for (; k + 3 < n; k += 4) {
      const c0 = k * rows;
      const c1 = c0 + rows;
      const c2 = c1 + rows;
      const c3 = c2 + rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        s0 += h * A[c0 + i];
        s1 += h * A[c1 + i];
        s2 += h * A[c2 + i];
        s3 += h * A[c3 + i];
      }
      const t0 = s0 / pivot;
      const t1 = s1 / pivot;
      const t2 = s2 / pivot;
      const t3 = s3 / pivot;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        A[c0 + i] -= t0 * h;
        A[c1 + i] -= t1 * h;
        A[c2 + i] -= t2 * h;
        A[c3 + i] -= t3 * h;
      }
    }
    for (; k + 1 < n; k += 2) {
      const ck = k * rows;
      const cl = ck + rows;
      let sumK = 0;
      let sumL = 0;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        sumK += h * A[ck + i];
        sumL += h * A[cl + i];
      }
      const tK = sumK / pivot;
      const tL = sumL / pivot;
      for (let i = j; i < rows; i++) {
        const h = A[cj + i];
        A[ck + i] -= tK * h;
        A[cl + i] -= tL * h;
      }
    }
    if (k < n) {
      const ck = k * rows;
      let sum = 0;
      for (let i = j; i < rows; i++) sum += A[cj + i] * A[ck + i];
      const t = sum / pivot;
      for (let i = j; i < rows; i++) A[ck + i] -= t * A[cj + i];
    }
    let sum = 0;
    for (let i = j; i < rows; i++) sum += A[cj + i] * qtr[i];
    const t = sum / pivot;
    for (let i = j; i < rows; i++) qtr[i] -= t * A[cj + i];
    rdiag[j] = -alpha;
  }

  stackTriangle(ws);
  bidiagonalize(ws);
  bidiagonalQr(ws);

  const { s, uf, suf } = ws;
  let sMax = 0;
  let sMin = Infinity;
  for (let j = 0; j < n; j++) {
    sMax = Math.max(sMax, s[j]);
    sMin = Math.min(sMin, s[j]);
    suf[j] = s[j] * uf[j];
  }
  ws.fullRank = m >= n && n > 0 && sMin > EPS * m * sMax;
}

/**
 * Reduces [R; diag(√C)] to an n × n upper triangle T, row-major in ws.B, and [Qᵀr; 0] alike: the
 * first n entries of the rotated vector go to ws.uf, the rest meet only zero rows and are dropped.
 * One Givens elimination per nonzero C_j, as in MINPACK's qrsolv; without any, T is R.
 */
function stackTriangle(ws: TrfWorkspace): void {
  const { n, m, diagH, A, qtr, rdiag, B, uf, work } = ws;
  const rows = Math.max(m, n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i < k; i++) B[rk + i] = 0;
    B[rk + k] = rdiag[k];
    for (let i = k + 1; i < n; i++) B[rk + i] = A[i * rows + k];
    uf[k] = qtr[k];
  }
  const extra = work;
  for (let j = 0; j < n; j++) {
    if (diagH[j] === 0) continue;
    for (let k = j + 1; k < n; k++) extra[k] = 0;
    extra[j] = Math.sqrt(diagH[j]);
    // The extra row's entry of the right-hand side starts at zero.
    let extraRhs = 0;
    for (let k = j; k < n; k++) {
      const ek = extra[k];
      if (ek === 0) continue;
      const rk = k * n;
      const rkk = B[rk + k];
      let cos: number;
      let sin: number;
      // Angles from the smaller of the two ratios, so that neither tan nor cot overflows.
      if (Math.abs(rkk) < Math.abs(ek)) {
        const cotan = rkk / ek;
        sin = 0.5 / Math.sqrt(0.25 + 0.25 * cotan * cotan);
        cos = sin * cotan;
      } else {
        const tan = ek / rkk;
        cos = 0.5 / Math.sqrt(0.25 + 0.25 * tan * tan);
        sin = cos * tan;
      }
      B[rk + k] = cos * rkk + sin * ek;
      const y = uf[k];
      uf[k] = cos * y + sin * extraRhs;
      extraRhs = -sin * y + cos * extraRhs;
      for (let i = k + 1; i < n; i++) {
        const rki = B[rk + i];
        const ei = extra[i];
        B[rk + i] = cos * rki + sin * ei;
        extra[i] = -sin * rki + cos * ei;
      }
    }
  }
}

/**
 * Householder coefficients that map (alpha, x) with ‖x‖² = tailSq onto (beta, 0): H = I − τ·v·vᵀ
 * with v = (1, x / (alpha − beta)). Sets ws.reflTau = τ, ws.reflBeta = beta and ws.reflScale =
 * 1 / (alpha − beta) (τ = 0 when x is already zero). beta takes the sign opposite to alpha, so
 * that alpha − beta never cancels.
 */
function householder(ws: TrfWorkspace, alpha: number, tailSq: number): void {
  if (tailSq === 0) {
    ws.reflTau = 0;
    ws.reflBeta = alpha;
    ws.reflScale = 0;
    return;
  }
  const size = Math.sqrt(alpha * alpha + tailSq);
  const beta = alpha >= 0 ? -size : size;
  ws.reflTau = (beta - alpha) / beta;
  ws.reflBeta = beta;
  ws.reflScale = 1 / (alpha - beta);
}

/**
 * T = U₁·Bd·V₁ᵀ with Bd upper bidiagonal: its diagonal to ws.s, its superdiagonal to ws.e. Left
 * reflections go onto ws.uf; right ones, H_k acting on entries k+1.. with v_{k+1} = 1, keep
 * their vectors in row k of ws.B (entries k+2..) and τ_k in ws.tauRight.
 */
function bidiagonalize(ws: TrfWorkspace): void {
  const { n, B, s, e, uf, tauRight, work } = ws;
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    // From the left: zero column k below the diagonal. Row k is updated first, since the right
    // reflection is formed from it; the rows below are updated together with that reflection.
    let tailSq = 0;
    for (let i = k + 1; i < n; i++) tailSq += B[i * n + k] * B[i * n + k];
    householder(ws, B[rk + k], tailSq);
    const tauL = ws.reflTau;
    s[k] = ws.reflBeta;
    if (tauL === 0) {
      // Column k is zero below the diagonal already; the update below then subtracts nothing.
      for (let j = k + 1; j < n; j++) work[j] = 0;
    } else {
      const scale = ws.reflScale;
      for (let i = k + 1; i < n; i++) B[i * n + k] *= scale;
      // work_j = vᵀ·(column j), accumulated row by row since B is row-major.
      for (let j = k + 1; j < n; j++) work[j] = B[rk + j];
      for (let i = k + 1; i < n; i++) {
        const ri = i * n;
        const vi = B[ri + k];
        for (let j = k + 1; j < n; j++) work[j] += vi * B[ri + j];
      }
      for (let j = k + 1; j < n; j++) {
        work[j] *= tauL;
        B[rk + j] -= work[j];
      }
      let sum = uf[k];
      for (let i = k + 1; i < n; i++) sum += B[i * n + k] * uf[i];
      const f = tauL * sum;
      uf[k] -= f;
      for (let i = k + 1; i < n; i++) uf[i] -= f * B[i * n + k];
    }

    // From the right: zero row k beyond the superdiagonal (nothing to zero in the last two rows).
    let tauR = 0;
    if (k < n - 1) {
      tailSq = 0;
      for (let j = k + 2; j < n; j++) tailSq += B[rk + j] * B[rk + j];
      householder(ws, B[rk + k + 1], tailSq);
      tauR = ws.reflTau;
      e[k] = ws.reflBeta;
      const scale = ws.reflScale;
      if (tauR !== 0) for (let j = k + 2; j < n; j++) B[rk + j] *= scale;
    } else {
      e[k] = 0;
    }
    tauRight[k] = tauR;
    if (tauL === 0 && tauR === 0) continue;

    // Rows below: the left update, then the right one, in one pass for the dot product.
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = B[ri + k];
      const head = B[ri + k + 1] - vi * work[k + 1];
      B[ri + k + 1] = head;
      let sum = head;
      for (let j = k + 2; j < n; j++) {
        const b = B[ri + j] - vi * work[j];
        B[ri + j] = b;
        sum += b * B[rk + j];
      }
      if (tauR === 0) continue;
      const f = tauR * sum;
      B[ri + k + 1] = head - f;
      for (let j = k + 2; j < n; j++) B[ri + j] -= f * B[rk + j];
    }
  }
}

/** √(a² + b²) without overflow or harmful underflow; much cheaper than Math.hypot in V8. */
function pythag(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = x > y ? x : y;
  if (big > PYTHAG_SMALL && big < PYTHAG_BIG) return Math.sqrt(a * a + b * b);
  if (big === 0 || big === Infinity) return big;
  const ratio = (x > y ? y : x) / big;
  return big * Math.sqrt(1 + ratio * ratio);
}

/** Records the right rotation (columns j, l) ← (c·v_j + s·v_l, −s·v_j + c·v_l) for applyV (bidiagonalQr keeps within the buffer). */
function recordRotation(ws: TrfWorkspace, j: number, l: number, c: number, s: number): void {
  const k = ws.rotations;
  ws.rotJ[k] = j;
  ws.rotL[k] = l;
  ws.rotC[k] = c;
  ws.rotS[k] = s;
  ws.rotations = k + 1;
}

/** uf ← Gᵀ·uf for the left rotation (columns j, l) ← (c·u_j + s·u_l, −s·u_j + c·u_l). */
function rotateUf(uf: Float64Array, j: number, l: number, c: number, s: number): void {
  const uj = uf[j];
  const ul = uf[l];
  uf[j] = c * uj + s * ul;
  uf[l] = -s * uj + c * ul;
}

/**
 * Golub–Kahan's implicitly shifted QR on the bidiagonal (ws.s, ws.e), with deflation at
 * negligible superdiagonal entries and splitting at negligible diagonal ones, as in JAMA's SVD.
 * Leaves the singular values in ws.s (unsorted, non-negative); a negative one is flipped by
 * flipping its uf entry, i.e. its left vector. Gives up, leaving the not yet converged values as
 * they are, after ROTATION_BUDGET·n² rotations (workspace.ts) (LAPACK's dbdsqr stops at 6n² inner steps too).
 */
function bidiagonalQr(ws: TrfWorkspace): void {
  const { n, s, e, uf } = ws;
  const capacity = ws.rotC.length;
  ws.rotations = 0;
  let p = n;
  while (p > 0) {
    if (ws.rotations + p > capacity) break;
    // k: the largest index below p − 1 with e[k] negligible (−1 if none), so that
    // s[k + 1 .. p − 1] with the e between them is an unreduced block.
    let k: number;
    for (k = p - 2; k >= 0; k--) {
      if (Math.abs(e[k]) <= TINY + EPS * (Math.abs(s[k]) + Math.abs(s[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    if (k === p - 2) {
      // s[p − 1] has converged.
      if (s[p - 1] < 0) {
        s[p - 1] = -s[p - 1];
        uf[p - 1] = -uf[p - 1];
      }
      p--;
      continue;
    }
    let ks: number;
    for (ks = p - 1; ks > k; ks--) {
      const t = (ks !== p - 1 ? Math.abs(e[ks]) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]) : 0);
      if (Math.abs(s[ks]) <= TINY + EPS * t) {
        s[ks] = 0;
        break;
      }
    }
    if (ks === p - 1) {
      // s[p − 1] is negligible: chase e[p − 2] up and out with rotations from the right.
      let f = e[p - 2];
      e[p - 2] = 0;
      for (let j = p - 2; j > k; j--) {
        const t = pythag(s[j], f);
        const c = s[j] / t;
        const sn = f / t;
        s[j] = t;
        if (j !== k + 1) {
          f = -sn * e[j - 1];
          e[j - 1] = c * e[j - 1];
        }
        recordRotation(ws, j, p - 1, c, sn);
      }
    } else if (ks > k) {
      // s[ks] is negligible: split there, chasing e[ks] down and out with rotations from the left.
      let f = e[ks];
      e[ks] = 0;
      for (let j = ks + 1; j < p; j++) {
        const t = pythag(s[j], f);
        const c = s[j] / t;
        const sn = f / t;
        s[j] = t;
        f = -sn * e[j];
        e[j] = c * e[j];
        rotateUf(uf, j, ks, c, sn);
      }
    } else {
      // One implicit QR step on s[k + 1 .. p − 1], shifted by the eigenvalue of the trailing
      // 2 × 2 of BᵀB nearer its last diagonal entry (computed on scaled entries).
      const lo = k + 1;
      const scale = Math.max(Math.abs(s[p - 1]), Math.abs(s[p - 2]), Math.abs(e[p - 2]), Math.abs(s[lo]), Math.abs(e[lo]));
      const sp = s[p - 1] / scale;
      const spm1 = s[p - 2] / scale;
      const epm1 = e[p - 2] / scale;
      const sk = s[lo] / scale;
      const ek = e[lo] / scale;
      const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      const c2 = sp * epm1 * (sp * epm1);
      let shift = 0;
      if (b !== 0 || c2 !== 0) {
        shift = Math.sqrt(b * b + c2);
        if (b < 0) shift = -shift;
        shift = c2 / (b + shift);
      }
      let f = (sk + sp) * (sk - sp) + shift;
      let g = sk * ek;
      for (let j = lo; j < p - 1; j++) {
        let t = pythag(f, g);
        let c = f / t;
        let sn = g / t;
        if (j !== lo) e[j - 1] = t;
        f = c * s[j] + sn * e[j];
        e[j] = c * e[j] - sn * s[j];
        g = sn * s[j + 1];
        s[j + 1] = c * s[j + 1];
        recordRotation(ws, j, j + 1, c, sn);
        t = pythag(f, g);
        c = f / t;
        sn = g / t;
        s[j] = t;
        f = c * e[j] + sn * s[j + 1];
        s[j + 1] = -sn * e[j] + c * s[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = c * e[j + 1];
        rotateUf(uf, j, j + 1, c, sn);
      }
      e[p - 2] = f;
    }
  }
  for (let j = 0; j < p; j++) {
    if (s[j] < 0) {
      s[j] = -s[j];
      uf[j] = -uf[j];
    }
  }
}

/** x ← V·x in place, V = H_0·…·H_{n−3}·G_1·…·G_K from bidiagonalize and bidiagonalQr. */
export function applyV(ws: TrfWorkspace, x: Float64Array): void {
  const { n, B, tauRight, rotJ, rotL, rotC, rotS } = ws;
  for (let k = ws.rotations - 1; k >= 0; k--) {
    const j = rotJ[k];
    const l = rotL[k];
    const c = rotC[k];
    const s = rotS[k];
    const xj = x[j];
    const xl = x[l];
    x[j] = c * xj - s * xl;
    x[l] = s * xj + c * xl;
  }
  for (let k = n - 3; k >= 0; k--) {
    const tau = tauRight[k];
    if (tau === 0) continue;
    const rk = k * n;
    let sum = x[k + 1];
    for (let j = k + 2; j < n; j++) sum += B[rk + j] * x[j];
    const f = tau * sum;
    x[k + 1] -= f;
    for (let j = k + 2; j < n; j++) x[j] -= f * B[rk + j];
  }
}
