import { describe, expect, it } from 'vitest';
import { compileLaw } from '../law.js';
import { compileFormula, FormulaError } from './index.js';

function errorOf(f: () => unknown): FormulaError {
  try {
    f();
  } catch (e) {
    if (e instanceof FormulaError) return e;
    throw e;
  }
  throw new Error('expected a FormulaError');
}

const chinchilla = {
  formula: 'E + A * N^(-alpha) + B * D^(-beta)',
  params: { E: [0.5, 4], A: [1, 1e5], alpha: [0.05, 1.5], B: [1, 1e6], beta: [0.05, 1.5] } as Record<string, [number, number]>,
  features: ['N', 'D'],
};

describe('parsing', () => {
  it('gives ^ right associativity and precedence over unary minus', () => {
    const law = compileLaw({ formula: '-a^b^c', params: ['a', 'b', 'c'], features: ['x'] });
    // a θ-dependent power is exp(b·log a): exact to rounding, not bit-exact
    expect((law.evaluate([2, 3, 2], [[0]]).pred as number[])[0]).toBeCloseTo(-(2 ** 9), 10);
    const neg = compileLaw({ formula: 'a^-b', params: ['a', 'b'], features: ['x'] });
    expect(neg.evaluate([2, 1], [[0]]).pred).toEqual([0.5]);
  });

  it('evaluates locals, comments and every function', () => {
    const law = compileLaw({
      formula: `# effective data
        R = x / 2 - 1;   # repetitions
        u = clip(R, 0, 10);
        exp(a) + log(x) + log10(x) + sqrt(x) + abs(-x) + tanh(a) + softplus(a) + sigmoid(a) + min(a, x) + max(a, x) + u`,
      params: ['a'],
      features: ['x'],
    });
    const a = 0.3;
    const x = 7;
    const expected =
      Math.exp(a) + Math.log(x) + Math.log10(x) + Math.sqrt(x) + x + Math.tanh(a) + Math.log1p(Math.exp(a)) + 1 / (1 + Math.exp(-a)) + a + x + 2.5;
    expect((law.evaluate([a], [[x]]).pred as number[])[0]).toBeCloseTo(expected, 12);
  });

  it('reads pow, ln and log2 as x^y, log and log(x)/ln 2, derivatives included', () => {
    const alias = compileLaw({ formula: 'pow(x, a) + ln(b * x) + log2(a * x)', params: ['a', 'b'], features: ['x'] });
    const plain = compileLaw({ formula: 'x^a + log(b * x) + log(a * x) / log(2)', params: ['a', 'b'], features: ['x'] });
    const X = [[0.5], [3]];
    const A = alias.evaluate([1.7, 0.4], X);
    const P = plain.evaluate([1.7, 0.4], X);
    (A.pred as number[]).forEach((v, i) => expect(v).toBeCloseTo((P.pred as number[])[i], 12));
    (A.jac as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo((P.jac as number[][])[i][j], 12)));
    expect((alias.evaluate([3, 1], [[8]]).pred as number[])[0]).toBeCloseTo(512 + Math.log(8) + Math.log2(24), 12);
  });

  it('holds aliases to their arity and keeps them from being shadowed', () => {
    expect(errorOf(() => compileFormula({ formula: 'pow(a)', params: ['a'], features: [] })).message).toMatch(/pow takes 2 arguments, got 1/);
    expect(errorOf(() => compileFormula({ formula: 'ln = a; ln', params: ['a'], features: [] })).message).toMatch(/local 'ln' would shadow a function/);
    expect(errorOf(() => compileFormula({ formula: 'log3(a)', params: ['a'], features: [] })).message).toMatch(/known: .*pow, ln, log2/);
  });

  it('names line, column and token of a syntax error', () => {
    const e = errorOf(() => compileFormula({ formula: 'a +\n  b * )', params: ['a', 'b'], features: [] }));
    expect([e.line, e.column, e.token]).toEqual([2, 7, ')']);
    expect(e.message).toMatch(/line 2, column 7/);
  });

  it('rejects an unknown name with its place', () => {
    const e = errorOf(() => compileFormula({ formula: 'E + A * Nn', params: ['E', 'A'], features: ['N'] }));
    expect(e.message).toMatch(/unknown name 'Nn'/);
    expect([e.line, e.column]).toEqual([1, 9]);
  });

  it.each([
    ['constructor', /unknown name 'constructor'/],
    ['process.exit(1)', /unexpected character '\.'/],
    ['this', /unknown name 'this'/],
    ['`x`', /unexpected character '`'/],
    ['a[0]', /unexpected character '\['/],
    ['eval(a)', /unknown function 'eval'/],
    ['a ** 2', /use '\^'/],
    ['Function("return 1")()', /unexpected character '"'/],
  ])('refuses JavaScript: %s', (formula, message) => {
    expect(() => compileFormula({ formula, params: ['a'], features: [] })).toThrow(message);
  });

  it('refuses a local that shadows a parameter, feature or function', () => {
    expect(() => compileFormula({ formula: 'a = 2; a', params: ['a'], features: [] })).toThrow(/shadow a parameter/);
    expect(() => compileFormula({ formula: 'N = 2; N', params: [], features: ['N'] })).toThrow(/shadow a feature/);
    expect(() => compileFormula({ formula: 'exp = 2; exp', params: [], features: [] })).toThrow(/shadow a function/);
    expect(() => compileFormula({ formula: 'u = 1; u = 2; u', params: [], features: [] })).toThrow(/defined twice/);
  });

  it('refuses a parameter named twice and a wrong argument count', () => {
    expect(() => compileFormula({ formula: 'a', params: ['a', 'a'], features: [] })).toThrow(/named twice/);
    expect(() => compileFormula({ formula: 'max(a)', params: ['a'], features: [] })).toThrow(/max takes 2 arguments, got 1/);
  });

  it('refuses empty and malformed input', () => {
    expect(() => compileFormula({ formula: '', params: [], features: [] })).toThrow(/empty/);
    expect(() => compileFormula({ formula: 'u = 1;', params: [], features: [] })).toThrow(/no final expression/);
    expect(() => compileFormula({ formula: '2x', params: [], features: ['x'] })).toThrow(/malformed number/);
    expect(() => compileFormula({ formula: 'a b', params: ['a', 'b'], features: [] })).toThrow(/unexpected 'b'/);
  });

  it('refuses bounds with lo ≥ hi', () => {
    expect(() => compileLaw({ formula: 'a', params: { a: [1, 1] }, features: [] })).toThrow(/lo must be below hi/);
  });
});

/** Central differences of the compiled predictions. */
function numericJacobian(law: ReturnType<typeof compileLaw>, theta: number[], X: number[][]): number[][] {
  return X.map((row) =>
    theta.map((t, j) => {
      const h = 1e-6 * Math.max(1, Math.abs(t));
      const up = theta.slice();
      const dn = theta.slice();
      up[j] += h;
      dn[j] -= h;
      const fu = (law.evaluate(up, [row]).pred as number[])[0];
      const fd = (law.evaluate(dn, [row]).pred as number[])[0];
      return (fu - fd) / (2 * h);
    }),
  );
}

describe('exact Jacobian', () => {
  const cases: [string, string][] = [
    ['power of a parameter base and exponent', 'a^b * x'],
    ['division', 'a / (b + x)'],
    ['exp and log', 'exp(a * log(x)) + log(b * x)'],
    ['log10 and sqrt', 'log10(a * x) + sqrt(b * x)'],
    ['tanh, sigmoid, softplus', 'tanh(a * x) + sigmoid(b - x) + softplus(a * b * x)'],
    ['abs', 'abs(a - x) * b'],
    ['min and max', 'min(a * x, b) + max(a, b * x)'],
    ['clip', 'clip(a * x, b, 3)'],
    ['locals shared between terms', 'u = a * x^b; v = u / (1 + u); v * v + u'],
  ];
  const X = [[0.5], [1.3], [2.9], [4.2]];
  const theta = [0.7, 1.9];
  it.each(cases)('%s matches finite differences', (_name, formula) => {
    const law = compileLaw({ formula, params: ['a', 'b'], features: ['x'] });
    const { jac } = law.evaluate(theta, X);
    const fd = numericJacobian(law, theta, X);
    (jac as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v, `row ${i}, param ${j}`).toBeCloseTo(fd[i][j], 6)));
  });

  it('is exactly 0 where a clamp is active, not NaN', () => {
    const law = compileLaw({ formula: 'max(x - a, 0)^b', params: ['a', 'b'], features: ['x'] });
    const { pred, jac } = law.evaluate([2, 0.5], [[1]]);
    expect(pred).toEqual([0]);
    expect(jac).toEqual([[0, 0]]);
  });

  it('takes the exponent slope of 0^c as 0 at c = 0, so a zero coefficient gives 0, not NaN', () => {
    // data_constrained's repeat penalty C·max(D/U − 1, 0)^c at a row without repeats, at C = c = 0
    const law = compileLaw({ formula: '1 + C * max(x - 1, 0)^c', params: ['C', 'c'], features: ['x'] });
    expect(law.evaluate([0, 0], [[1]]).jac).toEqual([[1, 0]]);
    expect(law.evaluate([2, 0], [[1]]).jac).toEqual([[1, 0]]);
    // a constant exponent keeps the power form; a parameter exponent goes through exp(c·log a)
    const viaLog = compileLaw({ formula: 'C * max(x - 1, 0)^(c + 0)', params: ['C', 'c'], features: ['x'] });
    expect(viaLog.evaluate([0, 0], [[1]]).jac).toEqual([[1, 0]]);
  });

  it('gives zero columns for parameters a law does not use', () => {
    const law = compileLaw({ formula: 'a * x', params: ['a', 'unused'], features: ['x'] });
    expect(law.evaluate([2, 5], [[3]]).jac).toEqual([[3, 0]]);
  });
});

describe('compiled kernels', () => {
  it('computes a subexpression written twice only once', () => {
    const c = compileFormula({ formula: 'exp(a * x) + exp(a * x) * b', params: ['a', 'b'], features: ['x'] });
    expect(c.source.value.match(/Math\.exp/g)).toHaveLength(1);
  });

  it('hoists data-only subexpressions out of the fit loop', () => {
    const c = compileFormula({ formula: 'a * log(x) + b * log(x)^2', params: ['a', 'b'], features: ['x'] });
    expect(c.source.cachedColumns).toBeGreaterThan(0);
    expect(c.source.value).not.toMatch(/Math\.log/);
  });

  it('sse and its gradient agree with predictions and Jacobian', () => {
    const law = compileLaw(chinchilla);
    const X = [
      [1e8, 2e9],
      [4e8, 8e9],
      [1e9, 2e10],
    ];
    const y = new Float64Array([3.1, 2.8, 2.5]);
    const theta = [1.7, 400, 0.34, 410, 0.28];
    const bound = law.bind(X);
    const out = new Float64Array(3);
    const J = new Float64Array(15);
    bound.valueJac(theta, out, J);
    let sse = 0;
    const grad = new Array(5).fill(0);
    for (let i = 0; i < 3; i++) {
      const r = out[i] - y[i];
      sse += r * r;
      for (let j = 0; j < 5; j++) grad[j] += 2 * r * J[i * 5 + j];
    }
    const g = new Float64Array(5);
    expect(bound.sseGrad(theta, y, g)).toBeCloseTo(sse, 12);
    expect(bound.sse(theta, y)).toBeCloseTo(sse, 12);
    g.forEach((v, j) => expect(v).toBeCloseTo(grad[j], 9));
  });

  it('evaluates multi-output laws with shared parameters', () => {
    const law = compileLaw({
      formula: { l1: 'a + b * p1', l2: 'a - b * p2' },
      params: ['a', 'b'],
      features: ['p1', 'p2'],
      outputs: ['l1', 'l2'],
    });
    const { pred, jac } = law.evaluate([1, 2], [[0.25, 0.75]]);
    expect(pred).toEqual([[1.5, -0.5]]);
    expect(jac).toEqual([
      [
        [1, 0.25],
        [1, -0.75],
      ],
    ]);
    expect(() => compileLaw({ formula: { l1: 'a' }, params: ['a'], features: [], outputs: ['l1', 'l2'] })).toThrow(/no formula for output 'l2'/);
  });
});
