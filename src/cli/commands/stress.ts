/** `active-sl stress`: the misspecification and noise stress suite. */
import type { Command } from 'commander';
import type { FitterName } from '../../fit/multistart.js';
import { fitterOption } from '../loss-flags.js';
import { METHOD_ALIASES, METHODS, type Method } from '../../benchmark/unit.js';
import { CONTROL_SCENARIO, runStressSuite, StressConflict, STRESS_METHODS } from '../../stress/suite.js';
import { NOISE_LEVELS, STRESS_SCENARIOS, type NoiseLevel } from '../../synth/presets.js';
import { UsageError } from '../errors.js';
import { commaList, nonNegativeInt, MAX_REPEATS, positiveInt, REPEATS_WHY, workersOption } from '../options.js';
import { describeCommand } from './catalog.js';

interface StressFlags {
  out: string;
  repeats: number;
  scenarios?: string[];
  noise?: string[];
  methods?: string[];
  extras: boolean;
  restarts: number;
  fitter: FitterName;
  seed: number;
  workers: number;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('stress')
    .description(describeCommand('stress'))
    .option('--out <dir>', 'results folder (units.jsonl, stress-summary.json, stress.md, scenarios/)', 'stress-output')
    .option('--repeats <n>', 'noise draws per scenario and noise level (each also a selection repeat)', positiveInt('--repeats', MAX_REPEATS, REPEATS_WHY), 10)
    .option('--scenarios <names>', `comma-separated: ${STRESS_SCENARIOS.join(', ')} (default: all)`, commaList)
    .option(
      '--noise <levels>',
      `comma-separated noise levels: ${Object.entries(NOISE_LEVELS)
        .map(([k, v]) => `${k} (sd ${v})`)
        .join(', ')} (default: all)`,
      commaList,
    )
    .option('--methods <names>', `comma-separated methods (default: ${STRESS_METHODS.join(', ')})`, commaList)
    .option('--no-extras', 'leave out the MSPE exploration mix and the robust-loss variants')
    .option('--restarts <n>', 'starts of each multistart fit', positiveInt('--restarts'), 64)
    .addOption(fitterOption('lbfgsb'))
    .option('--seed <n>', 'base seed; same seed, same results', nonNegativeInt('--seed'), 0)
    .addOption(workersOption())
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Each scenario is a task folder written by \`active-sl synth\` (ground truth, Chinchilla fitted to
it, an 8 × 8 pool, the costliest corner beyond it as the target region). ${CONTROL_SCENARIO} is the
well-specified control; the others bend, couple or saturate the truth, or spoil some runs. At each
budget level the suite records target R² (against the noiseless truth), whether \`fit\`'s 90%
intervals cover a fresh simulated run in the target region, and whether the misspecification
alarm fires. Kill it at any time; running it again continues.

Examples:
  $ npm run stress                                   # the whole suite (1620 units: about 25–35 min on 2 cores)
  $ active-sl stress --scenarios control,broken-power --noise mid --repeats 3
  $ active-sl report stress-output                   # the stress section of report.html`,
    )
    .action(async (flags: StressFlags) => {
      const scenarios = flags.scenarios ?? [...STRESS_SCENARIOS];
      const bad = scenarios.filter((s) => !(STRESS_SCENARIOS as readonly string[]).includes(s));
      if (bad.length) throw new UsageError(`--scenarios: no scenario ${bad.join(', ')}; choose from ${STRESS_SCENARIOS.join(', ')}`);
      const noises = (flags.noise ?? Object.keys(NOISE_LEVELS)) as NoiseLevel[];
      const badNoise = noises.filter((z) => !(z in NOISE_LEVELS));
      if (badNoise.length) throw new UsageError(`--noise: no level ${badNoise.join(', ')}; choose from ${Object.keys(NOISE_LEVELS).join(', ')}`);
      const methods: Method[] = (flags.methods ?? [...STRESS_METHODS]).map((name) => {
        const m = METHOD_ALIASES[name];
        if (!m) throw new UsageError(`--methods ${name}: unknown method; choose from ${METHODS.join(', ')}`);
        return m;
      });
      if (!scenarios.length || !noises.length || !methods.length) throw new UsageError('--scenarios, --noise and --methods need at least one name each');
      let result;
      try {
        result = await runStressSuite({
          out: flags.out,
          repeats: flags.repeats,
          scenarios,
          noises,
          methods,
          extras: flags.extras,
          restarts: flags.restarts,
          fitter: flags.fitter,
          seed: flags.seed,
          workers: flags.workers,
          quiet: Boolean(flags.quiet),
        });
      } catch (e) {
        if (e instanceof StressConflict) throw new UsageError(e.message);
        throw e;
      }
      process.stdout.write(result.markdown);
      process.stdout.write(`\n${result.ran} units run, ${result.skipped} already done; tables in ${result.dir}/stress.md\n`);
    });
}
