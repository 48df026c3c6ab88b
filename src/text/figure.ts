/** Numbers in messages: four significant digits, in exponent form when large or small. */
export function figure(v: number): string {
  if (!Number.isFinite(v) || v === 0) return String(v);
  const rounded = Number(v.toPrecision(4));
  const size = Math.abs(rounded);
  return size >= 1e6 || size < 1e-3 ? rounded.toExponential() : String(rounded);
}
