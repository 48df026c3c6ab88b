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
 * positive definite. Costs n³/6 multiply-adds. Rows are produced in pairs against column pairs:
 * a 2 × 2 block of dot products shares its four loads between four multiply-adds, which in V8
 * (where loads and bounds checks, not arithmetic, are the bottleneck) is about 1.5× faster than one
 * dot product at a time; the k = j term that couples the two columns of a pair follows the loop.
 */
export function choleskyInPlace(a: Float64Array, invDiag: Float64Array, n: number): boolean {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    // i is even, so the column pairs (j, j + 1) tile 0..i−1 exactly.
    for (let j = 0; j < i; j += 2) {
      const c0 = j * n;
      const c1 = c0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < j; k++) {
        const x0 = a[r0 + k];
        const x1 = a[r1 + k];
        const y0 = a[c0 + k];
        const y1 = a[c1 + k];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      const l0 = (a[r0 + j] - s00) * invDiag[j];
      const l1 = (a[r1 + j] - s10) * invDiag[j];
      a[r0 + j] = l0;
      a[r1 + j] = l1;
      const ljj = a[c1 + j];
      a[r0 + j + 1] = (a[r0 + j + 1] - s01 - l0 * ljj) * invDiag[j + 1];
      a[r1 + j + 1] = (a[r1 + j + 1] - s11 - l1 * ljj) * invDiag[j + 1];
    }
    let s00 = 0;
    let s10 = 0;
    let s11 = 0;
    for (let k = 0; k < i; k++) {
      const x0 = a[r0 + k];
      const x1 = a[r1 + k];
      s00 += x0 * x0;
      s10 += x1 * x0;
      s11 += x1 * x1;
    }
    const d0 = a[r0 + i] - s00;
    // `!(d > 0)` also catches NaN, which a comparison with ≤ would let through.
    if (!(d0 > 0) || d0 === Infinity) return false;
    const l0 = Math.sqrt(d0);
    a[r0 + i] = l0;
    invDiag[i] = 1 / l0;
    const l10 = (a[r1 + i] - s10) * invDiag[i];
    a[r1 + i] = l10;
    const d1 = a[r1 + i + 1] - s11 - l10 * l10;
    if (!(d1 > 0) || d1 === Infinity) return false;
    const l1 = Math.sqrt(d1);
    a[r1 + i + 1] = l1;
    invDiag[i + 1] = 1 / l1;
  }
  if (i < n) {
    const r0 = i * n;
    for (let j = 0; j < i; j += 2) {
      const c0 = j * n;
      const c1 = c0 + n;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < j; k++) {
        const x0 = a[r0 + k];
        s0 += x0 * a[c0 + k];
        s1 += x0 * a[c1 + k];
      }
      const l0 = (a[r0 + j] - s0) * invDiag[j];
      a[r0 + j] = l0;
      a[r0 + j + 1] = (a[r0 + j + 1] - s1 - l0 * a[c1 + j]) * invDiag[j + 1];
    }
    const d = a[r0 + i] - dot(a, r0, a, r0, i);
    if (!(d > 0) || d === Infinity) return false;
    const l = Math.sqrt(d);
    a[r0 + i] = l;
    invDiag[i] = 1 / l;
  }
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
 * written over the no-longer-needed L. Both passes work on 2 × 2 blocks of row dot products, as
 * `choleskyInPlace` does; the terms outside a block's common range are added separately, and in
 * each row pair the diagonal block comes last because U_pp is read by the blocks before it.
 */
export function inverseFromCholesky(a: Float64Array, invDiag: Float64Array, n: number): void {
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const u0 = j * n;
    const u1 = u0 + n;
    const j1 = j + 1;
    const d0 = invDiag[j];
    a[u0 + j] = d0;
    a[u1 + j1] = invDiag[j1];
    a[u0 + j1] = -a[u1 + j] * d0 * invDiag[j1];
    let i = j + 2;
    for (; i + 1 < n; i += 2) {
      const r0 = i * n;
      const r1 = r0 + n;
      // s[row of U][row of L] over k ≥ j + 1; U_{j+1, j} is 0 (its slot holds L), hence the split.
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = j1; k < i; k++) {
        const x0 = a[u0 + k];
        const x1 = a[u1 + k];
        const y0 = a[r0 + k];
        const y1 = a[r1 + k];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      s00 += a[r0 + j] * d0;
      s01 += a[r1 + j] * d0;
      const v0 = -s00 * invDiag[i];
      const v1 = -s10 * invDiag[i];
      a[u0 + i] = v0;
      a[u1 + i] = v1;
      const lNext = a[r1 + i];
      a[u0 + i + 1] = -(s01 + lNext * v0) * invDiag[i + 1];
      a[u1 + i + 1] = -(s11 + lNext * v1) * invDiag[i + 1];
    }
    if (i < n) {
      const r0 = i * n;
      let s0 = a[r0 + j] * d0;
      let s1 = 0;
      for (let k = j1; k < i; k++) {
        const y0 = a[r0 + k];
        s0 += a[u0 + k] * y0;
        s1 += a[u1 + k] * y0;
      }
      a[u0 + i] = -s0 * invDiag[i];
      a[u1 + i] = -s1 * invDiag[i];
    }
  }
  if (j < n) a[j * n + j] = invDiag[j];

  let p = 0;
  for (; p + 1 < n; p += 2) {
    const p0 = p * n;
    const p1 = p0 + n;
    const m1 = p + 1;
    const upp = a[p0 + p];
    for (let q = 0; q < p; q += 2) {
      const q0 = q * n;
      const q1 = q0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let m = m1; m < n; m++) {
        const x0 = a[p0 + m];
        const x1 = a[p1 + m];
        const y0 = a[q0 + m];
        const y1 = a[q1 + m];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      a[p0 + q] = s00 + upp * a[q0 + p];
      a[p0 + q + 1] = s01 + upp * a[q1 + p];
      a[p1 + q] = s10;
      a[p1 + q + 1] = s11;
    }
    let s00 = 0;
    let s10 = 0;
    let s11 = 0;
    for (let m = m1; m < n; m++) {
      const x0 = a[p0 + m];
      const x1 = a[p1 + m];
      s00 += x0 * x0;
      s10 += x1 * x0;
      s11 += x1 * x1;
    }
    a[p1 + p] = s10;
    a[p1 + m1] = s11;
    a[p0 + p] = s00 + upp * upp;
  }
  if (p < n) {
    const p0 = p * n;
    const upp = a[p0 + p];
    for (let q = 0; q < p; q++) a[p0 + q] = upp * a[q * n + p];
    a[p0 + p] = upp * upp;
  }
}

/**
 * Eigendecomposition A = V diag(d) Vᵀ of the symmetric n × n matrix in `v` (row-major, both
 * triangles; overwritten by V, eigenvectors in its columns, so V_kj = v[k·n + j]): Householder
 * reduction to tridiagonal form, then the implicit QL algorithm (EISPACK's tred2 and tql2, as in
 * JAMA). `d` receives the eigenvalues (not sorted), `e` is scratch of length n. Costs about 9n³
 * operations; nothing is allocated. Returns false when QL does not converge in 30·n sweeps (which
 * only happens for non-finite input).
 */
export function symmetricEigen(v: Float64Array, n: number, d: Float64Array, e: Float64Array): boolean {
  if (n === 0) return true;
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  // Householder reduction to tridiagonal form.
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j] * d[k];
          e[k] += v[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;

  // Implicit QL on the tridiagonal matrix (diagonal d, subdiagonal e). Its rotations mix two
  // columns of V over all rows, so V is transposed for them (rows are contiguous) and back after.
  transposeInPlace(v, n);
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  let sweeps = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      do {
        if (++sweeps > 30 * n) return false;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ri = i * n;
          const rn = ri + n;
          for (let k = 0; k < n; k++) {
            h = v[rn + k];
            const vk = v[ri + k];
            v[rn + k] = s * vk + c * h;
            v[ri + k] = c * vk - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  transposeInPlace(v, n);
  for (let j = 0; j < n; j++) if (!Number.isFinite(d[j])) return false;
  return true;
}

function transposeInPlace(v: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = v[i * n + j];
      v[i * n + j] = v[j * n + i];
      v[j * n + i] = x;
    }
  }
}
