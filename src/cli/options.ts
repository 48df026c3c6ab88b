/** Parsing of numeric and list flags, each error naming the flag and what is allowed. */
import type { Shard } from '../bench/results.js';
import { UsageError } from './errors.js';

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new UsageError(`${flag} ${value}: must be a whole number ≥ 1`);
    }
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} ${value}: must be a whole number ≥ 0`);
    return n;
  };
}

/** A finite number ≥ 0 (or > 0), naming the flag when it is not. */
export function numberFlag(flag: string, positive = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (positive && n === 0)) {
      throw new UsageError(`${flag} ${value}: must be a number ${positive ? '> 0' : '≥ 0'}`);
    }
    return n;
  };
}

export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new UsageError(`--shard ${value}: must be i/n with 0 ≤ i < n (e.g. --shard 0/4 … 3/4; Slurm: --shard $SLURM_ARRAY_TASK_ID/N)`);
  }
  return { index, count };
}

export function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
