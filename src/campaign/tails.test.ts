/** The reference distributions' tails, at textbook critical values. */
import { describe, expect, it } from 'vitest';
import { chiSquareUpperP, fUpperP, incompleteBeta, logGamma, studentTwoSidedP, upperIncompleteGamma } from './tails.js';

describe('tail probabilities', () => {
  it('log Γ matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 12);
  });

  it("Student's t: the two-sided 5% and 1% points of the tables", () => {
    expect(studentTwoSidedP(12.706204736, 1)).toBeCloseTo(0.05, 8);
    expect(studentTwoSidedP(2.228138852, 10)).toBeCloseTo(0.05, 8);
    expect(studentTwoSidedP(2.84533971, 20)).toBeCloseTo(0.01, 8);
    expect(studentTwoSidedP(0, 7)).toBe(1);
    expect(studentTwoSidedP(Infinity, 7)).toBe(0);
    expect(studentTwoSidedP(NaN, 7)).toBe(1);
  });

  it('F: the upper 5% points, and F(1, ν) = t²', () => {
    expect(fUpperP(3.098391212, 3, 20)).toBeCloseTo(0.05, 8);
    expect(fUpperP(5.636326, 5, 10)).toBeCloseTo(0.01, 5);
    expect(fUpperP(2.5 ** 2, 1, 9)).toBeCloseTo(studentTwoSidedP(2.5, 9), 12);
    expect(fUpperP(0, 3, 20)).toBe(1);
  });

  it('χ²: the upper 5% points; deep tails stay positive and tiny', () => {
    expect(chiSquareUpperP(3.841458821, 1)).toBeCloseTo(0.05, 8);
    expect(chiSquareUpperP(11.070497694, 5)).toBeCloseTo(0.05, 8);
    expect(chiSquareUpperP(124.342113404, 100)).toBeCloseTo(0.05, 7);
    const deep = chiSquareUpperP(400, 10);
    expect(deep).toBeGreaterThan(0);
    expect(deep).toBeLessThan(1e-70);
  });

  it('the incomplete functions are 0 and 1 at their ends and symmetric where they should be', () => {
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
    expect(incompleteBeta(0.3, 2.5, 4) + incompleteBeta(0.7, 4, 2.5)).toBeCloseTo(1, 13);
    expect(upperIncompleteGamma(1, 2)).toBeCloseTo(Math.exp(-2), 13);
    expect(upperIncompleteGamma(3, 0)).toBe(1);
  });
});
