/**
 * Deterministic randomness. Every random draw of a run comes from a generator seeded by the names
 * of what it belongs to (base seed, task, law, repeat, group), so results do not depend on how
 * units are spread over workers or shards, nor on the order they finish in.
 */
import seedrandom from 'seedrandom';

export type Rng = () => number;

/** FNV-1a over the UTF-16 code units: a stable 32-bit id for a seed path. */
export function hashSeed(parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u241f');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function rngFor(parts: readonly (string | number)[]): Rng {
  return seedrandom(parts.join('/'));
}

/** An index drawn with probability proportional to weights (all ≥ 0, not all 0). */
export function weightedIndex(rng: Rng, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  let u = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}
