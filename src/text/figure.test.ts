import { describe, expect, it } from 'vitest';
import { figure } from './figure.js';

describe('figure', () => {
  it('says a number in four significant digits, in exponent form when large or small', () => {
    expect(figure(1e21 / 3)).toBe('3.333e+20');
    expect(figure(20 / 3)).toBe('6.667');
    expect(figure(123456)).toBe('123500');
    expect(figure(0.0001234567)).toBe('1.235e-4');
    expect(figure(0)).toBe('0');
    expect(figure(-Infinity)).toBe('-Infinity');
  });
});
