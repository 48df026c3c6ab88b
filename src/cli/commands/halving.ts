/** `active-sl halving run`: learning-curve budget allocation (Successive Halving and its surrogates). */
import { Option, type Command } from 'commander';
import { readCurves } from '../../halving/curves.js';
import { figure } from '../../text/figure.js';
import { FAMILIES } from '../../halving/ensemble.js';
import { runHalving, type HalvingRunOptions } from '../../halving/bench.js';
import { BudgetError } from '../../halving/schedule.js';
import { STRATEGIES } from '../../halving/strategies/index.js';
import { adviseHalving, SUGGEST_STRATEGIES, type HalvingSuggestStrategy } from '../../halving/suggest.js';
import { parseSyntheticSpec } from '../../halving/synthetic.js';
import { textTable } from '../format.js';
import type { CurveSource } from '../../halving/unit.js';
import { UsageError } from '../errors.js';
import { nonNegativeInt, numberFlag, positiveInt, workersOption } from '../options.js';
import { describeCommand } from './catalog.js';

interface HalvingFlags {
  curves: string;
  strategy: string;
  m0: number;
  budget: number;
  eta: number;
  seeds: number;
  seed: number;
  out: string;
  quiet?: boolean;
  family?: string;
  workers: number;
}

async function curveSource(spec: string): Promise<CurveSource> {
  if (spec.startsWith('synthetic')) {
    const text = spec.slice('synthetic'.length).replace(/^:/, '');
    try {
      const parsed = parseSyntheticSpec(text);
      return { kind: 'synthetic', spec: parsed, name: `synthetic-${parsed.noise}-${parsed.scale}` };
    } catch (e) {
      throw new UsageError(`--curves ${spec}: ${(e as Error).message}`);
    }
  }
  return { kind: 'recorded', set: await readCurves(spec) };
}

/**
 * Forecasts made from less than this fraction of the compute they reach missed their 90% interval
 * far more often than 10% on recorded curves (docs/halving.md, "Coverage"); from it on, close to nominal.
 */
export const EARLY_FORECAST_FRACTION = 0.2;

export function register(program: Command): void {
  const halving = program
    .command('halving')
    .description(describeCommand('halving'))
    .addHelpText(
      'after',
      `
Examples:
  $ active-sl halving run --curves synthetic --strategy sh-lmc --m0 10 --budget 1e4 --seeds 20
  $ active-sl halving run --curves my-curves.csv --strategy sh --m0 8 --budget 1e21
  $ active-sl halving suggest --curves observed.csv --budget 5e20
  $ active-sl halving run --help      (each command's options, and what the strategies do)
docs/halving.md has the curve-file format, the strategies and what they were measured to save.`,
    );
  halving
    .command('run')
    .description('run a halving strategy over seeds on recorded or synthetic learning curves')
    .requiredOption(
      '--curves <file|synthetic:spec>',
      'a CSV (model, params, compute, loss; extra columns ignored) or synthetic:noise=white|brownian|ou,scale=0.01',
    )
    .addOption(new Option('--strategy <s>', 'keep rule').choices(Object.keys(STRATEGIES)).default('sh'))
    .addOption(new Option('--family <f>', "curve family of sh-de's networks (default pl)").choices(FAMILIES))
    .option('--m0 <n>', 'models at the start (≥ 2)', positiveInt('--m0'), 10)
    .option('--budget <B>', 'total compute, in the curves’ compute unit (synthetic: 1e15 FLOPs)', numberFlag('--budget', true), 1e4)
    .option('--eta <η>', 'pruning factor (> 1): each round keeps ⌈survivors / η⌉', numberFlag('--eta', true), 3)
    .option('--seeds <n>', 'repeats (model subsets or synthetic draws)', positiveInt('--seeds'), 20)
    .option('--seed <n>', 'base seed', nonNegativeInt('--seed'), 0)
    .addOption(workersOption('worker threads; results do not depend on it'))
    .option('--out <dir>', 'results root; a run goes to <out>/halving/<curves>/<strategy>/<run id>/', 'output')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Each round every surviving model gets ⌊B / (|survivors| · ⌈log_η M0⌉)⌋ more compute, then the best
⌈|survivors| / η⌉ survive (ua: every model gets ⌊B / M0⌋, nothing is pruned). Per seed: the loss of
the model that wins (noise-free for synthetic curves), the regret against the best model trained
fully, the compute saved against training all M0 fully, and the area between the frontier law
L(C) = (C/α)^(−γ) fitted on what was observed and the one fitted on the complete curves (on
log-compute, over the curves' compute range).

Examples:
  $ active-sl halving run --curves synthetic:noise=ou,scale=0.02 --strategy sh --m0 10 --budget 1e4
  $ active-sl halving run --curves synthetic --strategy sh-de --family mmf --m0 5 --budget 1e3
  $ active-sl halving run --curves gemstones.csv --strategy ua --m0 10 --budget 1e21 --seeds 10`,
    )
    .action(async (flags: HalvingFlags) => {
      if (flags.family !== undefined && flags.strategy !== 'sh-de') throw new UsageError(`--family goes with --strategy sh-de, not ${flags.strategy}`);
      // --strategy and --family are checked against their choices by commander
      const strategy = STRATEGIES[flags.family && flags.family !== 'pl' ? `sh-de-${flags.family}` : flags.strategy];
      if (!(flags.eta > 1)) throw new UsageError(`--eta ${flags.eta}: must be > 1`);
      if (flags.m0 < 2) throw new UsageError(`--m0 ${flags.m0}: must be ≥ 2`);
      const source = await curveSource(flags.curves);
      if (source.kind === 'recorded' && flags.m0 > source.set.curves.length) {
        throw new UsageError(`--m0 ${flags.m0}: ${flags.curves} has only ${source.set.curves.length} models`);
      }
      let result;
      try {
        // vega loads only when the picture is drawn, after the numbers are on disk
        const draw: HalvingRunOptions['draw'] = async (title, curves, record) =>
          (await import('../../report/halving-plots.js')).halvingSvg(title, curves, record);
        result = await runHalving(source, strategy, {
          m0: flags.m0,
          budget: flags.budget,
          eta: flags.eta,
          seed: flags.seed,
          seeds: flags.seeds,
          workers: flags.workers,
          out: flags.out,
          quiet: Boolean(flags.quiet),
          draw,
        });
      } catch (e) {
        if (e instanceof BudgetError) throw new UsageError(`--budget ${flags.budget}: ${e.message}`);
        throw e;
      }
      const m = result.summary.mean;
      const f = (v: number | null, d = 4) => (v === null ? '—' : v.toFixed(d));
      process.stdout.write(
        `${result.summary.curves} · ${strategy.name} · M0 ${flags.m0} · B ${flags.budget} · η ${flags.eta} · ${flags.seeds} seeds\n` +
          `final loss ${f(m.finalLoss)}  regret ${f(m.regret)}  compute saved ${(100 * m.computeSaved).toFixed(1)}%  AbC ${f(m.abc, 3)}\n` +
          `results: ${result.dir} (seed 0 drawn in seed-0.svg)\n`,
      );
      const noted = result.summary.seedsWithNotes;
      if (noted)
        process.stderr.write(
          `note: ${noted} of ${flags.seeds} seeds carry notes from the strategy (\`notes\` in runs.jsonl), e.g. a surrogate fit that failed\n`,
        );
    });

  halving
    .command('suggest')
    .description('a live campaign: which models to keep training, how much compute each gets next, and the frontier so far')
    .requiredOption('--curves <observed.csv>', 'the curves trained so far: model, params, compute, loss (extra columns ignored)')
    .requiredOption('--budget <left>', 'compute left, in the curves’ compute unit', numberFlag('--budget', true))
    .option('--eta <η>', 'pruning factor (> 1): keep ⌈models / η⌉', numberFlag('--eta', true), 3)
    .addOption(new Option('--strategy <s>', 'keep rule').choices(SUGGEST_STRATEGIES).default('sh-lmc'))
    .option('--seed <n>', 'seed of the surrogate fit', nonNegativeInt('--seed'), 0)
    .option('--json', 'print only the JSON result')
    .addHelpText(
      'after',
      `
Every model in the file is taken to be still training. This round keeps ⌈models / η⌉ of them (by
the surrogate's predicted loss at the compute each would end with for sh-lmc, by the last loss for
sh), gives each ⌊left / (kept · rounds left)⌋ next, and predicts every model's final loss with a
90% interval from the learning-curve surrogate (a multi-output Gaussian process over all curves,
fitted to each curve from a tenth of the least compute any model has had; a forecast is the last
loss plus the fall the process predicts from there).
The frontier L(C) = (C/α)^(−γ) is fitted to the lower envelope of the curves; its band refits it with
the continuing models' predicted ends at their 90% bounds.

Examples:
  $ active-sl halving suggest --curves runs.csv --budget 5e20
  $ active-sl halving suggest --curves runs.csv --budget 5e20 --eta 2 --strategy sh --json`,
    )
    .action(async (flags: { curves: string; budget: number; eta: number; strategy: string; seed: number; json?: boolean }) => {
      if (!(flags.eta > 1)) throw new UsageError(`--eta ${flags.eta}: must be > 1`);
      const set = await readCurves(flags.curves);
      // the surrogate's fit is the long part (a minute on a few dozen long curves): say it is under way
      const started = Date.now();
      const say = (line: string) => (flags.json ? undefined : process.stderr.write(line));
      say(`fitting the learning-curve surrogate to ${set.curves.length} curves …\n`);
      const advice = adviseHalving(set, flags.budget, flags.eta, flags.strategy as HalvingSuggestStrategy, [flags.seed]);
      say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(advice, null, 2)}\n`);
        return;
      }
      // compute in FLOPs runs to 1e21 and beyond: four significant figures, in exponent form when large
      const g = figure;
      const rows = advice.models.map((m) => [
        m.model,
        g(m.params),
        g(m.compute),
        g(m.lastLoss),
        m.action,
        m.next ? g(m.next) : '—',
        g(m.predicted.compute),
        `${g(m.predicted.mean)} [${g(m.predicted.lo90)}, ${g(m.predicted.hi90)}]`,
      ]);
      process.stdout.write(
        `${textTable(['model', 'params', 'compute', 'last loss', 'action', 'next', 'if kept: ends at', 'predicted loss there [90%]'], rows, ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r'])}\n`,
      );
      process.stdout.write('(for a model to stop, the last two columns are where it would have gone: what the keep rule weighed)\n');
      // measured on recorded curves (docs/halving.md): early forecasts share a bias their band does not show
      const early = advice.models.filter((m) => m.compute < EARLY_FORECAST_FRACTION * m.predicted.compute).length;
      if (early > 0) {
        process.stdout.write(
          `caution: ${early} of ${advice.models.length} forecasts reach more than ${1 / EARLY_FORECAST_FRACTION}× the compute seen; on recorded curves such 90% intervals held the truth in only 16–60% of cases (docs/halving.md): read them as too narrow\n`,
        );
      }
      const f = advice.frontier;
      if (f) {
        const law = (l: { alpha: number; gamma: number } | null) => (l ? `(C / ${g(l.alpha)})^(−${g(l.gamma)})` : '—');
        process.stdout.write(`\nfrontier L(C) = ${law(f.law)}; band ${law(f.lower)} … ${law(f.upper)}\n`);
      }
      for (const note of advice.notes) process.stdout.write(`note: ${note}\n`);
    });
}
