/** The compact limited-memory BFGS matrix and the small dense kernels it needs. */
import type { BoxWorkspace } from './workspace.js';
// Small dense helpers on row-major k × k blocks with a given stride. In-place, no allocation.

/** Lower Cholesky factor of the symmetric block in A (lower triangle read); false if not positive definite. */
export function cholesky(A: Float64Array, k: number, stride: number): boolean {
  for (let j = 0; j < k; j++) {
    let djj = A[j * stride + j];
    for (let q = 0; q < j; q++) djj -= A[j * stride + q] ** 2;
    if (!(djj > 0) || !Number.isFinite(djj)) return false;
    const ljj = Math.sqrt(djj);
    A[j * stride + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * stride + j];
      for (let q = 0; q < j; q++) s -= A[i * stride + q] * A[j * stride + q];
      A[i * stride + j] = s / ljj;
    }
  }
  return true;
}

/** v[off..off+k) ← L⁻¹ v (L lower triangular). */
export function solveLower(L: Float64Array, k: number, stride: number, v: Float64Array, off: number): void {
  for (let i = 0; i < k; i++) {
    let s = v[off + i];
    for (let q = 0; q < i; q++) s -= L[i * stride + q] * v[off + q];
    v[off + i] = s / L[i * stride + i];
  }
}

/** v[off..off+k) ← L⁻ᵀ v (L lower triangular). */
export function solveLowerT(L: Float64Array, k: number, stride: number, v: Float64Array, off: number): void {
  for (let i = k - 1; i >= 0; i--) {
    let s = v[off + i];
    for (let q = i + 1; q < k; q++) s -= L[q * stride + i] * v[off + q];
    v[off + i] = s / L[i * stride + i];
  }
}

// ---------------------------------------------------------------------------------------------
// The compact limited-memory BFGS matrix  B = θI − W·M·Wᵀ,  W = [Y, θS],
// M⁻¹ = [[−D, Lᵀ], [L, θSᵀS]],  D = diag(s_i·y_i),  L = strict lower triangle of SᵀY.

/**
 * T ← Cholesky(θ·SᵀS + L·D⁻¹·Lᵀ): the Schur complement that turns products with M into two
 * triangular solves. False if it is not numerically positive definite.
 */
export function formT(ws: BoxWorkspace, col: number, theta: number): boolean {
  const { SY, SS, T, invD } = ws;
  const m = ws.memory;
  for (let k = 0; k < col; k++) invD[k] = 1 / SY[k * m + k];
  for (let i = 0; i < col; i++) {
    for (let j = 0; j <= i; j++) {
      let t = theta * SS[i * m + j];
      for (let k = 0; k < j; k++) t += SY[i * m + k] * SY[j * m + k] * invD[k];
      T[i * m + j] = t;
    }
  }
  return cholesky(T, col, m);
}

/**
 * out ← M·v (length 2·col) from the block factorisation
 * M⁻¹ = [[I, 0], [−LD⁻¹, I]] · diag(−D, T) · [[I, −D⁻¹Lᵀ], [0, I]].
 */
export function applyM(ws: BoxWorkspace, col: number, v: Float64Array, out: Float64Array): void {
  const { SY, T, invD } = ws;
  const m = ws.memory;
  for (let i = 0; i < col; i++) {
    let s = v[col + i];
    for (let k = 0; k < i; k++) s += SY[i * m + k] * v[k] * invD[k];
    out[col + i] = s;
  }
  solveLower(T, col, m, out, col);
  solveLowerT(T, col, m, out, col);
  for (let i = 0; i < col; i++) {
    let s = -v[i];
    for (let k = i + 1; k < col; k++) s += SY[k * m + i] * out[col + k];
    out[i] = s * invD[i];
  }
}

/** Appends the pair (s, y) = (x − xOld, g − gOld), dropping the oldest when full; returns the new count. */
export function pushPair(ws: BoxWorkspace, col: number, memory: number): number {
  const { S, Y, SY, SS, YY, SYF, x, xOld, g, gOld } = ws;
  const n = ws.n;
  const m = ws.memory;
  let k = col;
  if (col === memory) {
    S.copyWithin(0, n, memory * n);
    Y.copyWithin(0, n, memory * n);
    for (let i = 0; i < memory - 1; i++) {
      for (let j = 0; j <= i; j++) SY[i * m + j] = SY[(i + 1) * m + j + 1];
      for (let j = 0; j < memory - 1; j++) {
        SS[i * m + j] = SS[(i + 1) * m + j + 1];
        YY[i * m + j] = YY[(i + 1) * m + j + 1];
        SYF[i * m + j] = SYF[(i + 1) * m + j + 1];
      }
    }
    k = memory - 1;
  }
  const off = k * n;
  for (let i = 0; i < n; i++) {
    S[off + i] = x[i] - xOld[i];
    Y[off + i] = g[i] - gOld[i];
  }
  // the full-space products let the subspace step work in O(m²) per iteration instead of O(m²n)
  for (let j = 0; j <= k; j++) {
    let sy = 0;
    let ys = 0;
    let ss = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      sy += S[off + i] * Y[j * n + i];
      ys += Y[off + i] * S[j * n + i];
      ss += S[off + i] * S[j * n + i];
      yy += Y[off + i] * Y[j * n + i];
    }
    SY[k * m + j] = sy;
    SS[k * m + j] = ss;
    SS[j * m + k] = ss;
    YY[k * m + j] = yy;
    YY[j * m + k] = yy;
    SYF[k * m + j] = sy;
    SYF[j * m + k] = ys;
  }
  return k + 1;
}
