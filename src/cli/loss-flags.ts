/** `--loss`, `--f-scale` and `--fitter`, shared by `run`, `fit` and `suggest`: how every fit is made. */
import { Option } from 'commander';
import { FITTERS, type FitterName } from '../fit/names.js';
import { DEFAULT_LOSS, ROBUST_LOSSES, type LossSpec, type RobustLoss } from '../fit/robust.js';
import { UsageError } from './errors.js';
import { numberFlag } from './options.js';

export interface LossFlags {
  loss: RobustLoss;
  fScale?: number;
}

export function lossOption(): Option {
  return new Option('--loss <name>', "fit loss (scipy least_squares' losses; l2 = plain squared error)").choices(ROBUST_LOSSES).default(DEFAULT_LOSS.loss);
}

export function fScaleOption(): Option {
  return new Option(
    '--f-scale <C>',
    "required with a robust --loss: the residual size beyond which a run counts as an outlier, in the target's units " + '(e.g. 2–3× your run-to-run noise)',
  ).argParser(numberFlag('--f-scale', true));
}

/**
 * There is no default scale: scipy's 1 would be far larger than any residual of a loss ≈ 2–4, so a
 * robust loss would silently act as plain least squares.
 */
export function lossSpecOf(flags: LossFlags): LossSpec {
  if (flags.loss === 'l2') {
    // silently ignoring it would leave the user believing outliers are down-weighted
    if (flags.fScale !== undefined)
      throw new UsageError(`--f-scale ${flags.fScale} needs a robust --loss (soft_l1, huber or cauchy); with the default l2 every residual counts in full`);
    return { ...DEFAULT_LOSS };
  }
  if (flags.fScale === undefined) {
    throw new UsageError(
      `--loss ${flags.loss} needs --f-scale <C>: the residual size (in the target's units) beyond which a run counts as an outlier, e.g. 2–3× your run-to-run noise`,
    );
  }
  return { loss: flags.loss, fScale: flags.fScale };
}

/** How help texts end: what the loss flags do, with an example. */
export const LOSS_HELP = `
Robust fits: --loss soft_l1|huber|cauchy counts a residual r as C²ρ((r/C)²) with C = --f-scale,
i.e. as r² while |r| is well below C and less than that beyond, so a few broken runs (a diverged
job, a mislogged loss) do not drag the law. Set C to 2–3× the run-to-run noise of your target.`;

/** `--fitter` with its default: the paper's protocol for the benchmark, the converging fitter for a campaign. */
export function fitterOption(fallback: FitterName): Option {
  return new Option('--fitter <name>', "local optimiser (trf: to the optimum, linear parameters solved exactly; lbfgsb: the paper's protocol)")
    .choices(FITTERS)
    .default(fallback);
}
