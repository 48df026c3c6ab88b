/** The dense kernels the acquisition loops run per candidate. */
import { describe, expect, it } from 'vitest';
import { rowDot, rowsDot } from './dense.js';

describe('rowsDot', () => {
  it('gives rowDot row by row, bit for bit, for every stride and a count that is not a multiple of four', () => {
    const P = 7;
    const A = Float64Array.from({ length: 23 * P }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 9) - 4));
    const B = Float64Array.from({ length: 3 * P }, (_, i) => Math.cos(i * 0.3) * 10 ** ((i % 5) - 2));
    for (const [first, stride, n] of [
      [0, 1, 23],
      [1, 2, 11],
      [2, 3, 7],
      [0, 1, 3],
    ]) {
      const out = new Float64Array(n + 2).fill(NaN);
      rowsDot(A, first, stride, n, B, 2, P, out, 2);
      for (let t = 0; t < n; t++) expect(Object.is(out[2 + t], rowDot(A, first + t * stride, B, 2, P))).toBe(true);
      expect(Number.isNaN(out[0]) && Number.isNaN(out[1])).toBe(true);
    }
  });
});
