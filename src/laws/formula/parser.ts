/**
 * Recursive-descent parser of the formula language:
 *
 *   program  := (IDENT '=' expr ';')* expr ';'?
 *   expr     := term (('+' | '-') term)*
 *   term     := unary (('*' | '/') unary)*
 *   unary    := ('-' | '+') unary | power
 *   power    := primary ('^' unary)?          (right-associative; binds tighter than a leading minus)
 *   primary  := NUMBER | IDENT | IDENT '(' expr (',' expr)* ')' | '(' expr ')'
 *
 * Name resolution (parameter, feature, local) happens here too, so every error is located.
 */
import { FormulaError, tokenize, type Token } from './lexer.js';

export type Expr =
  | { type: 'num'; value: number }
  | { type: 'param'; index: number }
  | { type: 'feature'; index: number }
  | { type: 'local'; name: string }
  | { type: 'unary'; op: '-'; arg: Expr }
  | { type: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { type: 'call'; fn: FunctionName; args: Expr[] };

export interface Program {
  locals: { name: string; expr: Expr }[];
  result: Expr;
}

export const FUNCTIONS = {
  exp: 1,
  log: 1,
  log10: 1,
  sqrt: 1,
  abs: 1,
  tanh: 1,
  softplus: 1,
  sigmoid: 1,
  min: 2,
  max: 2,
  clip: 3,
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

/**
 * Spellings users bring from numpy and papers, rewritten to the language's own forms so the compiler
 * (and its derivatives) know one form each: pow(x, y) = x^y, ln(x) = log(x), log2(x) = log(x) / ln 2.
 */
const ALIASES: Record<string, { arity: number; expand: (args: Expr[]) => Expr }> = {
  pow: { arity: 2, expand: ([x, y]) => ({ type: 'binary', op: '^', left: x, right: y }) },
  ln: { arity: 1, expand: ([x]) => ({ type: 'call', fn: 'log', args: [x] }) },
  log2: { arity: 1, expand: ([x]) => ({ type: 'binary', op: '/', left: { type: 'call', fn: 'log', args: [x] }, right: { type: 'num', value: Math.LN2 } }) },
};

const KNOWN_FUNCTIONS = [...Object.keys(FUNCTIONS), ...Object.keys(ALIASES)].join(', ');

function isFunction(name: string): name is FunctionName {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

function isAlias(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(ALIASES, name);
}

export interface Scope {
  params: readonly string[];
  features: readonly string[];
}

export function parseFormula(source: string, scope: Scope): Program {
  const tokens = tokenize(source);
  let pos = 0;
  const locals = new Map<string, Expr>();
  const params = new Map(scope.params.map((p, i) => [p, i]));
  const features = new Map(scope.features.map((f, i) => [f, i]));

  const peek = (): Token => tokens[pos];
  const next = (): Token => tokens[pos++];
  const fail = (reason: string, t: Token = peek()): never => {
    throw new FormulaError(reason, t.line, t.column, t.text);
  };
  const expectOp = (text: string): Token => {
    const t = peek();
    if (t.kind !== 'op' || t.text !== text) {
      fail(t.kind === 'eof' ? `expected '${text}' but the formula ended` : `expected '${text}'`);
    }
    return next();
  };
  const isOp = (text: string): boolean => peek().kind === 'op' && peek().text === text;

  function primary(): Expr {
    const t = next();
    if (t.kind === 'number') return { type: 'num', value: t.value };
    if (t.kind === 'op' && t.text === '(') {
      const e = expr();
      expectOp(')');
      return e;
    }
    if (t.kind === 'ident') {
      if (isOp('(')) {
        if (!isFunction(t.text) && !isAlias(t.text)) fail(`unknown function '${t.text}' (known: ${KNOWN_FUNCTIONS})`, t);
        const name = t.text;
        next();
        const args = [expr()];
        while (isOp(',')) {
          next();
          args.push(expr());
        }
        expectOp(')');
        const arity = isFunction(name) ? FUNCTIONS[name] : ALIASES[name].arity;
        if (args.length !== arity) fail(`${name} takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`, t);
        return isFunction(name) ? { type: 'call', fn: name, args } : ALIASES[name].expand(args);
      }
      return resolve(t);
    }
    if (t.kind === 'eof') return fail('the formula ended where a value was expected', t);
    return fail(`unexpected '${t.text}'`, t);
  }

  function resolve(t: Token): Expr {
    const name = t.text;
    if (locals.has(name)) return { type: 'local', name };
    const p = params.get(name);
    if (p !== undefined) return { type: 'param', index: p };
    const f = features.get(name);
    if (f !== undefined) return { type: 'feature', index: f };
    if (isFunction(name) || isAlias(name)) return fail(`function '${name}' used without arguments`, t);
    return fail(`unknown name '${name}': not a parameter, feature or earlier local`, t);
  }

  function power(): Expr {
    const base = primary();
    if (isOp('^')) {
      next();
      return { type: 'binary', op: '^', left: base, right: unary() };
    }
    return base;
  }

  function unary(): Expr {
    if (isOp('-')) {
      next();
      return { type: 'unary', op: '-', arg: unary() };
    }
    if (isOp('+')) {
      next();
      return unary();
    }
    return power();
  }

  function term(): Expr {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = next().text as '*' | '/';
      left = { type: 'binary', op, left, right: unary() };
    }
    return left;
  }

  function expr(): Expr {
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = next().text as '+' | '-';
      left = { type: 'binary', op, left, right: term() };
    }
    return left;
  }

  const program: Program = { locals: [], result: { type: 'num', value: 0 } };
  for (;;) {
    const t = peek();
    const isDefinition = t.kind === 'ident' && tokens[pos + 1].kind === 'op' && tokens[pos + 1].text === '=';
    if (isDefinition) {
      const name = t.text;
      if (params.has(name)) fail(`local '${name}' would shadow a parameter`, t);
      if (features.has(name)) fail(`local '${name}' would shadow a feature`, t);
      if (isFunction(name) || isAlias(name)) fail(`local '${name}' would shadow a function`, t);
      if (locals.has(name)) fail(`local '${name}' is defined twice`, t);
      pos += 2;
      const e = expr();
      expectOp(';');
      locals.set(name, e);
      program.locals.push({ name, expr: e });
      continue;
    }
    if (t.kind === 'eof') fail(program.locals.length ? 'the formula has definitions but no final expression' : 'the formula is empty', t);
    program.result = expr();
    if (isOp(';')) next();
    const end = peek();
    if (end.kind !== 'eof') {
      fail(
        end.kind === 'op' && end.text === '='
          ? "unexpected '=' (a definition must come before the final expression)"
          : `unexpected '${end.text}' after the expression`,
        end,
      );
    }
    return program;
  }
}
