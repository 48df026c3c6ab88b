/**
 * Small dense linear algebra on row-major Float64Arrays: the few products and D×D solves the
 * acquisition functions need per candidate, written to reuse caller-owned buffers so that scoring
 * thousands of candidates allocates nothing inside its loops.
 */

/** out (rows×P) = A (rows×P) · S (P×P). */
export function timesSquare(A: Float64Array, rows: number, S: Float64Array, P: number, out: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    const a = r * P;
    for (let j = 0; j < P; j++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += A[a + p] * S[p * P + j];
      out[a + j] = s;
    }
  }
  return out;
}

/** Dot product of row `i` of A and row `j` of B, both with P columns. */
export function rowDot(A: Float64Array, i: number, B: Float64Array, j: number, P: number): number {
  const a = i * P;
  const b = j * P;
  let s = 0;
  for (let p = 0; p < P; p++) s += A[a + p] * B[b + p];
  return s;
}

/**
 * out[at + t] = rowDot(A, first + t·stride, B, j, P) for t < n: the same sums in the same order,
 * four rows of A per pass so that each element of B's row is loaded once for four of them.
 */
export function rowsDot(
  A: Float64Array,
  first: number,
  stride: number,
  n: number,
  B: Float64Array,
  j: number,
  P: number,
  out: Float64Array,
  at = 0,
): Float64Array {
  const b = j * P;
  const step = stride * P;
  let t = 0;
  for (; t + 4 <= n; t += 4) {
    const a0 = (first + t * stride) * P;
    const a1 = a0 + step;
    const a2 = a1 + step;
    const a3 = a2 + step;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let p = 0; p < P; p++) {
      const x = B[b + p];
      s0 += A[a0 + p] * x;
      s1 += A[a1 + p] * x;
      s2 += A[a2 + p] * x;
      s3 += A[a3 + p] * x;
    }
    out[at + t] = s0;
    out[at + t + 1] = s1;
    out[at + t + 2] = s2;
    out[at + t + 3] = s3;
  }
  for (; t < n; t++) out[at + t] = rowDot(A, first + t * stride, B, j, P);
  return out;
}

/**
 * LU factorisation with partial pivoting of the D×D matrix in `M`, in place; `perm` receives the
 * row order. Returns the permutation's sign, or 0 when a pivot is exactly zero (singular) —
 * the same condition under which LAPACK's getrf reports singularity.
 */
export function luInPlace(M: Float64Array, D: number, perm: Int32Array): number {
  let sign = 1;
  for (let i = 0; i < D; i++) perm[i] = i;
  for (let k = 0; k < D; k++) {
    let piv = k;
    let best = Math.abs(M[k * D + k]);
    for (let i = k + 1; i < D; i++) {
      const v = Math.abs(M[i * D + k]);
      if (v > best) {
        best = v;
        piv = i;
      }
    }
    if (best === 0 || !Number.isFinite(best)) return 0;
    if (piv !== k) {
      for (let j = 0; j < D; j++) {
        const t = M[k * D + j];
        M[k * D + j] = M[piv * D + j];
        M[piv * D + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[piv];
      perm[piv] = t;
      sign = -sign;
    }
    const d = M[k * D + k];
    for (let i = k + 1; i < D; i++) {
      const f = (M[i * D + k] /= d);
      if (f !== 0) for (let j = k + 1; j < D; j++) M[i * D + j] -= f * M[k * D + j];
    }
  }
  return sign;
}

/**
 * tr(S⁻¹ C) for D×D matrices, destroying S (factorised in place) and using `col` (length D) and
 * `perm` as scratch. Returns 0 when S is singular, as the reference does (it leaves a zero
 * inverse for a candidate whose matrix numpy cannot invert).
 */
export function traceSolve(S: Float64Array, C: Float64Array, D: number, perm: Int32Array, col: Float64Array): number {
  if (luInPlace(S, D, perm) === 0) return 0;
  let tr = 0;
  // Column j of S⁻¹C is the solution of S x = C[:, j]; only its j-th entry enters the trace.
  for (let j = 0; j < D; j++) {
    for (let i = 0; i < D; i++) col[i] = C[perm[i] * D + j];
    for (let i = 0; i < D; i++) {
      let s = col[i];
      for (let k = 0; k < i; k++) s -= S[i * D + k] * col[k];
      col[i] = s;
    }
    for (let i = D - 1; i >= j; i--) {
      let s = col[i];
      for (let k = i + 1; k < D; k++) s -= S[i * D + k] * col[k];
      col[i] = s / S[i * D + i];
    }
    tr += col[j];
  }
  return tr;
}

/**
 * log det(M) of a D×D matrix (destroyed), as numpy's slogdet read by the reference: the log of
 * |det| when the determinant is positive, −∞ when it is zero or negative.
 */
export function logDetPositive(M: Float64Array, D: number, perm: Int32Array): number {
  let sign = luInPlace(M, D, perm);
  if (sign === 0) return -Infinity;
  let s = 0;
  for (let i = 0; i < D; i++) {
    const u = M[i * D + i];
    if (u < 0) sign = -sign;
    s += Math.log(Math.abs(u));
  }
  return sign > 0 ? s : -Infinity;
}
