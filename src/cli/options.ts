/** Parsing of numeric and list flags, each error naming the flag and what is allowed. */
import os from 'node:os';
import { Option } from 'commander';
import type { Shard } from '../benchmark/results.js';
import { UsageError } from './errors.js';

/** A whole number ≥ 1 (1e3 is one), at most `max`: a count beyond it is a slip, not a plan. */
export function positiveInt(flag: string, max = Number.MAX_SAFE_INTEGER, why = '') {
  return (value: string): number => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} ${value}: must be a whole number ≥ 1`);
    if (n > max) throw new UsageError(`${flag} ${value}: at most ${max}${why ? ` (${why})` : ''}`);
    return n;
  };
}

/** The most repeats `run`, `reproduce` and `stress` take: ScaleBench's grid uses 10, the paper's tables 10. */
export const MAX_REPEATS = 10_000;
export const REPEATS_WHY = "each repeat is a full budget loop per law; ScaleBench's tables use 10";

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag} ${value}: must be a whole number ≥ 0`);
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
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** --workers, defaulting to every core; help says "all cores" rather than this machine's count. */
export function workersOption(description = 'worker threads'): Option {
  return new Option('--workers <n>', description).argParser(positiveInt('--workers')).default(os.availableParallelism(), 'all cores');
}
