/** `active-sl halving run`: learning-curve budget allocation (Successive Halving and its surrogates). */
import type { Command } from 'commander';
import { readCurves } from '../../halving/curves.js';
import { runHalving } from '../../halving/bench.js';
import { BudgetError } from '../../halving/schedule.js';
import { STRATEGIES } from '../../halving/strategies/index.js';
import { parseSyntheticSpec } from '../../halving/synthetic.js';
import type { CurveSource } from '../../halving/unit.js';
import { UsageError } from '../errors.js';
import { nonNegativeInt, numberFlag, positiveInt } from '../options.js';

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

export function register(program: Command): void {
  const halving = program.command('halving').description('learning-curve budget allocation: which models to keep training (Successive Halving, arXiv 2605.17234)');
  halving
    .command('run')
    .description('run a halving strategy over seeds on recorded or synthetic learning curves')
    .requiredOption('--curves <file|synthetic:spec>', 'a CSV (model, params, compute, loss; extra columns ignored) or synthetic:noise=white|brownian|ou,scale=0.01')
    .option('--strategy <s>', `keep rule: ${Object.keys(STRATEGIES).join(', ')}`, 'sh')
    .option('--m0 <n>', 'models at the start (≥ 2)', positiveInt('--m0'), 10)
    .option('--budget <B>', 'total compute, in the curves’ compute unit (synthetic: 1e15 FLOPs)', numberFlag('--budget', true), 1e4)
    .option('--eta <η>', 'pruning factor (> 1): each round keeps ⌈survivors / η⌉', numberFlag('--eta', true), 3)
    .option('--seeds <n>', 'repeats (model subsets or synthetic draws)', positiveInt('--seeds'), 20)
    .option('--seed <n>', 'base seed', nonNegativeInt('--seed'), 0)
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
  $ active-sl halving run --curves ../shared/curves/gemstones.csv --strategy ua --m0 10 --budget 1e21 --seeds 10`,
    )
    .action(async (flags: HalvingFlags) => {
      const strategy = STRATEGIES[flags.strategy];
      if (!strategy) throw new UsageError(`--strategy ${flags.strategy}: choose from ${Object.keys(STRATEGIES).join(', ')}`);
      if (!(flags.eta > 1)) throw new UsageError(`--eta ${flags.eta}: must be > 1`);
      if (flags.m0 < 2) throw new UsageError(`--m0 ${flags.m0}: must be ≥ 2`);
      const source = await curveSource(flags.curves);
      if (source.kind === 'recorded' && flags.m0 > source.set.curves.length) {
        throw new UsageError(`--m0 ${flags.m0}: ${flags.curves} has only ${source.set.curves.length} models`);
      }
      let result;
      try {
        result = runHalving(source, strategy, { m0: flags.m0, budget: flags.budget, eta: flags.eta, seed: flags.seed, seeds: flags.seeds, out: flags.out, quiet: Boolean(flags.quiet) });
      } catch (e) {
        if (e instanceof BudgetError) throw new UsageError(`--budget ${flags.budget}: ${e.message}`);
        throw e;
      }
      const m = result.summary.mean;
      const f = (v: number | null, d = 4) => (v === null ? '—' : v.toFixed(d));
      process.stdout.write(
        `${result.summary.curves} · ${strategy.name} · M0 ${flags.m0} · B ${flags.budget} · η ${flags.eta} · ${flags.seeds} seeds\n` +
          `final loss ${f(m.finalLoss)}  regret ${f(m.regret)}  compute saved ${(100 * m.computeSaved).toFixed(1)}%  AbC ${f(m.abc, 3)}\n`,
      );
    });
}
