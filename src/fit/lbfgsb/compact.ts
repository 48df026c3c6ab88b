/** The compact limited-memory BFGS matrix and the small dense kernels it needs. */
import { cholesky, solveLower, solveLowerT } from '../../linalg/cholesky.js';
import type { BoxWorkspace } from './workspace.js';
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
