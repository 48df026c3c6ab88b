/**
 * Tokens of the formula language. Every token carries its line and column (1-based) so that any
 * later error can point at the exact place in the user's text.
 */

export type TokenKind = 'number' | 'ident' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Parsed value, for numbers. */
  value: number;
  line: number;
  column: number;
}

/** A formula that cannot be compiled; names the place and the offending token. */
export class FormulaError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    readonly token: string,
  ) {
    super(`${reason} at line ${line}, column ${column}${token ? ` (near '${token}')` : ''}`);
    this.name = 'FormulaError';
  }
}

const OPERATORS = new Set(['+', '-', '*', '/', '^', '(', ')', ',', '=', ';']);
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\n') {
      line += 1;
      i += 1;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i += 1;
      continue;
    }
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i += 1;
      continue;
    }
    const column = i - lineStart + 1;
    const rest = source.slice(i, i + 64);
    const num = NUMBER.exec(rest);
    if (num) {
      const text = num[0];
      const value = Number(text);
      if (!Number.isFinite(value)) throw new FormulaError('number out of range', line, column, text);
      // "2x" or "1e5e" would otherwise lex as two tokens and hide a typo
      if (/[A-Za-z_.]/.test(source[i + text.length] ?? '')) {
        throw new FormulaError('malformed number', line, column, source.slice(i, i + text.length + 1));
      }
      tokens.push({ kind: 'number', text, value, line, column });
      i += text.length;
      continue;
    }
    const id = IDENT.exec(rest);
    if (id) {
      let end = i;
      while (end < source.length && /[A-Za-z0-9_]/.test(source[end])) end += 1;
      const text = source.slice(i, end);
      tokens.push({ kind: 'ident', text, value: NaN, line, column });
      i = end;
      continue;
    }
    if (ch === '*' && source[i + 1] === '*') {
      throw new FormulaError("unknown operator '**' (use '^' for powers)", line, column, '**');
    }
    if (OPERATORS.has(ch)) {
      tokens.push({ kind: 'op', text: ch, value: NaN, line, column });
      i += 1;
      continue;
    }
    throw new FormulaError(`unexpected character '${ch}'`, line, column, ch);
  }
  const column = i - lineStart + 1;
  tokens.push({ kind: 'eof', text: '', value: NaN, line, column });
  return tokens;
}
