/**
 * The symmetric eigenproblem on a row-major Float64Array, in place, allocating nothing: the
 * Gaussian process solves one per likelihood evaluation, where ml-matrix's Matrix objects would
 * allocate. The posterior's floored inverse (select/fisher.ts) keeps ml-matrix's decomposition of
 * the same algorithm: the reference protocol's results were computed with it, and this port rounds
 * differently (some bit of the result differs on 1,735 of 2,000 random Fisher-like matrices), so
 * moving it here would move those results.
 */

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
