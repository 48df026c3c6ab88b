/** Number and CSV text for the generated files, and short numbers for messages. */

/** The shortest text that parses back to the same double (ECMAScript's Number-to-String). */
export function exactNumber(x: number): string {
  return String(x);
}

/** Four significant digits, trailing zeros dropped: for messages, never for data. */
export function shortNumber(x: number): string {
  const big = Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3);
  const text = big ? x.toExponential(3) : x.toPrecision(4);
  return text.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

/** A CSV with a header and one column per name (all columns of equal length); '\n' line ends. */
export function csvText(header: readonly string[], columns: readonly ArrayLike<number>[]): string {
  const n = columns.length > 0 ? columns[0].length : 0;
  const lines = [header.join(',')];
  for (let i = 0; i < n; i++) lines.push(columns.map((c) => exactNumber(c[i])).join(','));
  return `${lines.join('\n')}\n`;
}
