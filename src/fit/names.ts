/** The fitters by name and their default number of starts: what the CLI's options need, without loading the fitters. */

export type FitterName = 'lbfgsb' | 'trf' | 'lm';
export const FITTERS: readonly FitterName[] = ['lbfgsb', 'trf', 'lm'];

/**
 * Starts of the benchmark's multistart fits: the reference's 64 for its protocol; a converging fit
 * reaches the same few optima from far fewer, and 16 keep the lr_bsz units ten times faster.
 */
export const DEFAULT_RESTARTS: Readonly<Record<FitterName, number>> = { lbfgsb: 64, trf: 16, lm: 64 };

export function defaultRestarts(fitter: string): number {
  return DEFAULT_RESTARTS[fitter as FitterName] ?? DEFAULT_RESTARTS.lbfgsb;
}
