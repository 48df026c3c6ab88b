/**
 * Cholesky factorisation and triangular solves of small k × k blocks (row-major, any stride), in
 * place. The arithmetic is LINPACK's order (each entry's sum subtracted term by term), which the
 * reference protocol's L-BFGS-B results were made with; the Gaussian process's N × N matrices take
 * the blocked factorisation in spd.ts instead, whose loops share loads between several sums.
 */

/**
 * Lower Cholesky factor of the symmetric block in A (lower triangle read); false if not positive
 * definite. `pivots`, when given, receives each L_jj² as computed before its square root (a
 * log-determinant summed from them is exact to the last bit of each term).
 */
export function cholesky(A: Float64Array, k: number, stride: number, pivots?: Float64Array): boolean {
  for (let j = 0; j < k; j++) {
    let djj = A[j * stride + j];
    for (let q = 0; q < j; q++) djj -= A[j * stride + q] ** 2;
    if (!(djj > 0) || !Number.isFinite(djj)) return false;
    if (pivots) pivots[j] = djj;
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
