/**
 * Dense symmetric positive-definite kernels for the GP surrogate, on row-major Float64Array
 * matrices. Every loop is a contiguous dot product (rows of a row-major triangle), which is the
 * access pattern V8 runs fastest; nothing here allocates.
 */

/**
 * Σ_k a[ao + k] · b[bo + k] for k < len. Four partial sums let consecutive multiply-adds overlap
 * instead of waiting on one accumulator, which is most of the speed of every routine below.
 */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (const end = len - 3; k < end; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < len; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/**
 * In-place Cholesky–Crout factorisation A = L Lᵀ of the n × n matrix whose lower triangle (with
 * the diagonal) is in `a`: L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj, L_ii = √(A_ii − Σ_{k<i} L_ik²).
 * L overwrites the lower triangle; 1/L_ii also goes to `invDiag` because every later solve divides
 * by it. The upper triangle is neither read nor written. Returns false (leaving `a` partly
 * overwritten) as soon as a pivot is not strictly positive and finite, i.e. A is not numerically
 * positive definite. Costs n³/6 multiply-adds. Rows are produced four at a time against column
 * pairs: a 4 × 2 block of dot products shares its six loads between eight multiply-adds, which in
 * V8 (where loads and bounds checks, not arithmetic, are the bottleneck) is about 1.3× faster than
 * 2 × 2 blocks and 2× faster than one dot product at a time; the k = j term that couples the two
 * columns of a pair follows the loop, and the 4 × 4 diagonal block and the last n mod 4 rows are
 * done one entry at a time.
 */
export function choleskyInPlace(a: Float64Array, invDiag: Float64Array, n: number): boolean {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    // i is a multiple of 4, so the column pairs (j, j + 1) tile 0..i−1 exactly.
    for (let j = 0; j < i; j += 2) {
      const c0 = j * n;
      const c1 = c0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let k = 0; k < j; k++) {
        const y0 = a[c0 + k];
        const y1 = a[c1 + k];
        const x0 = a[r0 + k];
        const x1 = a[r1 + k];
        const x2 = a[r2 + k];
        const x3 = a[r3 + k];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      const d0 = invDiag[j];
      const d1 = invDiag[j + 1];
      const ljj = a[c1 + j];
      let l = (a[r0 + j] - s00) * d0;
      a[r0 + j] = l;
      a[r0 + j + 1] = (a[r0 + j + 1] - s01 - l * ljj) * d1;
      l = (a[r1 + j] - s10) * d0;
      a[r1 + j] = l;
      a[r1 + j + 1] = (a[r1 + j + 1] - s11 - l * ljj) * d1;
      l = (a[r2 + j] - s20) * d0;
      a[r2 + j] = l;
      a[r2 + j + 1] = (a[r2 + j + 1] - s21 - l * ljj) * d1;
      l = (a[r3 + j] - s30) * d0;
      a[r3 + j] = l;
      a[r3 + j + 1] = (a[r3 + j + 1] - s31 - l * ljj) * d1;
    }
    for (let p = i; p < i + 4; p++) if (!choleskyRow(a, invDiag, n, p, i)) return false;
  }
  for (; i < n; i++) if (!choleskyRow(a, invDiag, n, i, 0)) return false;
  return true;
}

/** Row p of L from column `from` on (the columns before it are done): dot products, one entry at a time. */
function choleskyRow(a: Float64Array, invDiag: Float64Array, n: number, p: number, from: number): boolean {
  const rp = p * n;
  for (let q = from; q < p; q++) a[rp + q] = (a[rp + q] - dot(a, rp, a, q * n, q)) * invDiag[q];
  const d = a[rp + p] - dot(a, rp, a, rp, p);
  // `!(d > 0)` also catches NaN, which a comparison with ≤ would let through.
  if (!(d > 0) || d === Infinity) return false;
  const l = Math.sqrt(d);
  a[rp + p] = l;
  invDiag[p] = 1 / l;
  return true;
}

/**
 * Solves L z = b by forward substitution, z_i = (b_i − Σ_{k<i} L_ik z_k) / L_ii, with L the
 * factor left by `choleskyInPlace`. `z` may be `b`.
 */
export function forwardSolve(l: Float64Array, invDiag: Float64Array, n: number, b: ArrayLike<number>, z: Float64Array): void {
  for (let i = 0; i < n; i++) z[i] = (b[i] - dot(l, i * n, z, 0, i)) * invDiag[i];
}

/**
 * Solves Lᵀ x = z in place (x overwrites z) by back substitution, x_i = (z_i − Σ_{k>i} L_ki x_k) / L_ii.
 * It runs column-oriented (subtract x_i · row i of L from the earlier entries) so that the inner
 * loop reads a row of the row-major L instead of a column.
 */
export function backSolveInPlace(l: Float64Array, invDiag: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const xi = x[i] * invDiag[i];
    x[i] = xi;
    const ri = i * n;
    for (let k = 0; k < i; k++) x[k] -= l[ri + k] * xi;
  }
}

/**
 * Turns the Cholesky factor in `a` into A⁻¹ = L⁻ᵀ L⁻¹ (lower triangle with the diagonal), in place,
 * in n³/3 multiply-adds. First U = L⁻ᵀ is built in the upper triangle: row j of U is column j of
 * L⁻¹, U_jj = 1/L_jj and U_ji = −(Σ_{j≤k<i} L_ik U_jk) / L_ii for i > j, which needs only the
 * strictly lower L (its diagonal is in `invDiag`). Then (A⁻¹)_pq = Σ_{m≥p} U_pm U_qm for q ≤ p is
 * written over the no-longer-needed L. Both passes work on 4 × 2 blocks of row dot products, as
 * `choleskyInPlace` does; the terms outside a block's common range are added separately, and in
 * each block of rows the diagonal block comes last because U_pp is read by the blocks before it.
 */
export function inverseFromCholesky(a: Float64Array, invDiag: Float64Array, n: number): void {
  // First pass, rows of U four at a time against row pairs of L. Row j + r of U starts at column
  // j + r (the slots before it hold L), so the common range is k ≥ j + 3 and the earlier terms,
  // with the six entries of U's leading 3 × 3 block, are added after the loop.
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const u0 = j * n;
    const u1 = u0 + n;
    const u2 = u1 + n;
    const u3 = u2 + n;
    const k3 = j + 3;
    // The 4 × 4 diagonal block of U, one entry at a time.
    for (let r = 0; r < 4; r++) {
      const ur = u0 + r * n;
      a[ur + j + r] = invDiag[j + r];
      for (let c = r + 1; c < 4; c++) {
        let s = 0;
        for (let k = j + r; k < j + c; k++) s += a[ur + k] * a[(j + c) * n + k];
        a[ur + j + c] = -s * invDiag[j + c];
      }
    }
    const w00 = a[u0 + j];
    const w01 = a[u0 + j + 1];
    const w02 = a[u0 + j + 2];
    const w11 = a[u1 + j + 1];
    const w12 = a[u1 + j + 2];
    const w22 = a[u2 + j + 2];
    let i = j + 4;
    for (; i + 1 < n; i += 2) {
      const r0 = i * n;
      const r1 = r0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let k = k3; k < i; k++) {
        const y0 = a[r0 + k];
        const y1 = a[r1 + k];
        const x0 = a[u0 + k];
        const x1 = a[u1 + k];
        const x2 = a[u2 + k];
        const x3 = a[u3 + k];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      const l0 = a[r0 + j];
      const l1 = a[r0 + j + 1];
      const l2 = a[r0 + j + 2];
      const m0 = a[r1 + j];
      const m1 = a[r1 + j + 1];
      const m2 = a[r1 + j + 2];
      s00 += w00 * l0 + w01 * l1 + w02 * l2;
      s01 += w00 * m0 + w01 * m1 + w02 * m2;
      s10 += w11 * l1 + w12 * l2;
      s11 += w11 * m1 + w12 * m2;
      s20 += w22 * l2;
      s21 += w22 * m2;
      const di = invDiag[i];
      const dNext = invDiag[i + 1];
      const lNext = a[r1 + i];
      const v0 = -s00 * di;
      const v1 = -s10 * di;
      const v2 = -s20 * di;
      const v3 = -s30 * di;
      a[u0 + i] = v0;
      a[u1 + i] = v1;
      a[u2 + i] = v2;
      a[u3 + i] = v3;
      a[u0 + i + 1] = -(s01 + lNext * v0) * dNext;
      a[u1 + i + 1] = -(s11 + lNext * v1) * dNext;
      a[u2 + i + 1] = -(s21 + lNext * v2) * dNext;
      a[u3 + i + 1] = -(s31 + lNext * v3) * dNext;
    }
    if (i < n) {
      const r0 = i * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = k3; k < i; k++) {
        const y0 = a[r0 + k];
        s0 += a[u0 + k] * y0;
        s1 += a[u1 + k] * y0;
        s2 += a[u2 + k] * y0;
        s3 += a[u3 + k] * y0;
      }
      const l0 = a[r0 + j];
      const l1 = a[r0 + j + 1];
      const l2 = a[r0 + j + 2];
      s0 += w00 * l0 + w01 * l1 + w02 * l2;
      s1 += w11 * l1 + w12 * l2;
      s2 += w22 * l2;
      const di = invDiag[i];
      a[u0 + i] = -s0 * di;
      a[u1 + i] = -s1 * di;
      a[u2 + i] = -s2 * di;
      a[u3 + i] = -s3 * di;
    }
  }
  // The last n mod 4 rows of U, one entry at a time.
  for (; j < n; j++) {
    const u = j * n;
    a[u + j] = invDiag[j];
    for (let i = j + 1; i < n; i++) a[u + i] = -dot(a, u + j, a, i * n + j, i - j) * invDiag[i];
  }

  // Second pass, rows of A⁻¹ four at a time against column pairs of earlier rows. Row p + r of U
  // starts at column p + r, so the common range is m ≥ p + 3 and the few earlier terms are added
  // after the loop; U's diagonal is read by every block of its row, so the diagonal block is last.
  let p = 0;
  for (; p + 3 < n; p += 4) {
    const p0 = p * n;
    const p1 = p0 + n;
    const p2 = p1 + n;
    const p3 = p2 + n;
    const m3 = p + 3;
    // U_pp, U_p,p+1, U_p,p+2, U_p+1,p+1, U_p+1,p+2, U_p+2,p+2.
    const u00 = a[p0 + p];
    const u01 = a[p0 + p + 1];
    const u02 = a[p0 + p + 2];
    const u11 = a[p1 + p + 1];
    const u12 = a[p1 + p + 2];
    const u22 = a[p2 + p + 2];
    for (let q = 0; q < p; q += 2) {
      const q0 = q * n;
      const q1 = q0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let m = m3; m < n; m++) {
        const y0 = a[q0 + m];
        const y1 = a[q1 + m];
        const x0 = a[p0 + m];
        const x1 = a[p1 + m];
        const x2 = a[p2 + m];
        const x3 = a[p3 + m];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      const a0 = a[q0 + p];
      const a1 = a[q0 + p + 1];
      const a2 = a[q0 + p + 2];
      const b0 = a[q1 + p];
      const b1 = a[q1 + p + 1];
      const b2 = a[q1 + p + 2];
      a[p0 + q] = s00 + u00 * a0 + u01 * a1 + u02 * a2;
      a[p0 + q + 1] = s01 + u00 * b0 + u01 * b1 + u02 * b2;
      a[p1 + q] = s10 + u11 * a1 + u12 * a2;
      a[p1 + q + 1] = s11 + u11 * b1 + u12 * b2;
      a[p2 + q] = s20 + u22 * a2;
      a[p2 + q + 1] = s21 + u22 * b2;
      a[p3 + q] = s30;
      a[p3 + q + 1] = s31;
    }
    let d00 = 0;
    let d10 = 0;
    let d11 = 0;
    let d20 = 0;
    let d21 = 0;
    let d22 = 0;
    let d30 = 0;
    let d31 = 0;
    let d32 = 0;
    let d33 = 0;
    for (let m = m3; m < n; m++) {
      const x0 = a[p0 + m];
      const x1 = a[p1 + m];
      const x2 = a[p2 + m];
      const x3 = a[p3 + m];
      d00 += x0 * x0;
      d10 += x1 * x0;
      d11 += x1 * x1;
      d20 += x2 * x0;
      d21 += x2 * x1;
      d22 += x2 * x2;
      d30 += x3 * x0;
      d31 += x3 * x1;
      d32 += x3 * x2;
      d33 += x3 * x3;
    }
    a[p1 + p] = d10 + u11 * u01 + u12 * u02;
    a[p2 + p] = d20 + u22 * u02;
    a[p2 + p + 1] = d21 + u22 * u12;
    a[p3 + p] = d30;
    a[p3 + p + 1] = d31;
    a[p3 + p + 2] = d32;
    a[p0 + p] = d00 + u00 * u00 + u01 * u01 + u02 * u02;
    a[p1 + p + 1] = d11 + u11 * u11 + u12 * u12;
    a[p2 + p + 2] = d22 + u22 * u22;
    a[p3 + p + 3] = d33;
  }
  // The last n mod 4 rows, one entry at a time (diagonal last: it is U_pp until then).
  for (; p < n; p++) {
    const p0 = p * n;
    for (let q = 0; q < p; q++) a[p0 + q] = dot(a, p0 + p, a, q * n + p, n - p);
    a[p0 + p] = dot(a, p0 + p, a, p0 + p, n - p);
  }
}
