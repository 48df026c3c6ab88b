/** `active-sl run`: the benchmark protocol for one method on one task. */
import path from 'node:path';
import { Option, type Command } from 'commander';
// what --help needs is imported here; the benchmark, the task loader and the fitters load when the command runs
import { exploreProblem, METHOD_ALIASES, METHODS, type Method } from '../../benchmark/methods.js';
import type { TaskSpec } from '../../data/task.js';
import type { FitGradient } from '../../fit/multistart.js';
import { DEFAULT_RESTARTS, defaultRestarts, FITTERS, type FitterName } from '../../fit/names.js';
import { UsageError } from '../errors.js';
import { withResumeHint } from '../interrupt.js';
import { textTable } from '../format.js';
import { fScaleOption, LOSS_HELP, lossOption, lossSpecOf, type LossFlags } from '../loss-flags.js';
import { commaList, nonNegativeInt, parseShard, MAX_REPEATS, positiveInt, REPEATS_WHY, workersOption } from '../options.js';
import type { Shard } from '../../benchmark/results.js';
import { addScaleOutOptions, type ScaleOutFlags } from '../scale-out-options.js';
import { describeCommand } from './catalog.js';

interface RunFlags extends ScaleOutFlags, LossFlags {
  dataset?: string;
  task?: string;
  method: string;
  laws?: string[];
  repeats: number;
  seed: number;
  restarts?: number;
  workers: number;
  out: string;
  dataDir?: string;
  shard?: Shard;
  resume?: boolean;
  quiet?: boolean;
  fitter: string;
  gradient: string;
  explore: number;
}

function probability(value: string): number {
  const p = Number(value);
  if (value.trim() === '' || !(p >= 0 && p <= 1)) throw new UsageError(`--explore ${value}: must be a number in [0, 1]`);
  return p;
}

export function resolveMethod(name: string): Method {
  const m = METHOD_ALIASES[name];
  if (!m) {
    throw new UsageError(`--method ${name}: unknown method; choose from ${METHODS.join(', ')} (aliases: greedy_cheapest, inverse_cost)`);
  }
  return m;
}

async function resolveTask(flags: RunFlags): Promise<TaskSpec> {
  if (flags.dataset && flags.task) throw new UsageError('give either --dataset <name> or --task <file>, not both');
  if (!flags.dataset && !flags.task) throw new UsageError('which task? give --dataset <name> (see `active-sl datasets`) or --task <file.json>');
  const { loadTask } = await import('../../data/task.js');
  return loadTask(flags.dataset ?? flags.task!);
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .description(describeCommand('run'))
    .option('--dataset <name>', 'a built-in task (see `active-sl datasets`)')
    .option('--task <file>', 'a task file of your own (format: docs/task-file.md)')
    .requiredOption('--method <m>', `selection method: ${METHODS.join(', ')}`)
    .option('--laws <ids>', 'comma-separated law ids (default: all laws of the task)', commaList)
    .option('--repeats <n>', 'independent repeats per law', positiveInt('--repeats', MAX_REPEATS, REPEATS_WHY), 10)
    .option('--seed <n>', 'base seed; same seed, same results', nonNegativeInt('--seed'), 0)
    .option(
      '--restarts <n>',
      `starts of each multistart fit (default: ${DEFAULT_RESTARTS.lbfgsb} with lbfgsb, ${DEFAULT_RESTARTS.trf} with trf)`,
      positiveInt('--restarts'),
    )
    .addOption(workersOption())
    .addOption(new Option('--fitter <name>', 'local optimiser (see below)').choices(FITTERS).default('lbfgsb'))
    .addOption(
      new Option('--gradient <g>', "fit gradient: reference (through clip(), as the reference's Jacobians) or exact")
        .choices(['reference', 'exact'])
        .default('reference'),
    )
    .option('--explore <ε>', "model-based methods: the chance that a pick is a cost-aware space-filling one instead of the acquisition's best", probability, 0)
    .option('--out <dir>', 'results root; a run goes to <out>/<task>/<method>/<run id>/', 'output')
    .option('--data-dir <dir>', 'folder holding <task>/{train,test}-00000-of-00001.parquet')
    .option('--shard <i/n>', 'run only the i-th of n interleaved slices of the units (0 ≤ i < n)', parseShard)
    .option('--resume', 'continue the latest run with the same configuration, skipping finished units')
    .option('--quiet', 'no progress output')
    .option('--dry-run', 'with --slurm or --k8s: print the job scripts instead of submitting');
  command.addOption(lossOption()).addOption(fScaleOption());
  addScaleOutOptions(command)
    .addHelpText(
      'after',
      `
Each unit (one law × one repeat) writes one line to runs.jsonl as it finishes; summary.json has
per-law R² (r2[level][repeat]), means and stds, and the overall mean over laws. Results do not
depend on --workers. Kill a run at any time and continue it with --resume.
${LOSS_HELP}
A run with a robust loss or --explore goes to its own method folder, e.g. <out>/<task>/mspe+huber(0.02)/,
and is its own row in \`active-sl table\` and \`report\`.
--fitter lbfgsb (default) is the paper's protocol: L-BFGS-B from every start, stopped by its
tolerances whether or not it has converged, so Table 2 stays comparable with the paper. --fitter trf
fits to the optimum instead: bounded trust-region least squares with the linear parameters solved
exactly at every step (a law linear in every parameter is one exact solve), and starts that reach
the same optimum counted once; 16 starts by default. It reaches a lower SSE than the paper's
protocol on most designs, is faster where that protocol runs its starts to the iteration limit and
slower where it stops them early at poor fits (docs/design.md, "Converged fits"). --fitter lm is
Levenberg–Marquardt kept inside the bounds by projection (the reference's LM ignores them).
--explore ε: at each pick, with chance ε, take the affordable candidate farthest from those already
run (features scaled to [0, 1], log scale for ones spanning decades) per (cost share)^0.4 instead,
which guards against a model that is confidently wrong about where to look.

Examples:
  $ active-sl run --dataset parallel_scaling_law --method cheapest --repeats 3
  $ active-sl run --dataset vocab_scaling_law --method random --laws sl_1,sl_4 --workers 2
  $ active-sl run --task ./pilots/task.json --method cost-rand --out results
  $ active-sl run --dataset moe_scaling_law --method random --shard 0/4   # one of 4 machines
  $ active-sl run --dataset vocab_scaling_law --method mspe --slurm --shards 10 --out /shared/results
  $ active-sl run --dataset parallel_scaling_law --method mspe --loss huber --f-scale 0.02 --explore 0.2`,
    )
    .action(async (flags: RunFlags) => {
      const method = resolveMethod(flags.method);
      const [{ ResumeConflict, runBenchmark }, { lawOf }, { startProblem }, { scaleOut, tableAndReport }] = await Promise.all([
        import('../../benchmark/run.js'),
        import('../../data/task.js'),
        import('../../fit/starts.js'),
        import('../scale-out.js'),
      ]);
      flags.restarts ??= defaultRestarts(flags.fitter);
      if (exploreProblem(method, flags.explore)) {
        throw new UsageError(
          `--explore ${flags.explore}: only the model-based methods (d-opt, v-opt, mspe, mspe-intra, mspe-inter) mix in exploration, not ${method}`,
        );
      }
      const loss = lossSpecOf(flags);
      const plain = loss.loss === 'l2' && flags.explore === 0;
      // the shard bookkeeping of --slurm/--k8s reads the plain method folders
      if (!plain && (flags.slurm || flags.k8s || flags.mergeShards !== undefined)) {
        throw new UsageError(`--slurm/--k8s: not yet with --loss ${loss.loss} or --explore ${flags.explore}; use --shard i/n on each machine instead`);
      }
      const task = await resolveTask(flags);
      const all = Object.keys(task.laws);
      const laws = flags.laws ?? all;
      const unknown = laws.filter((l) => !all.includes(l));
      if (unknown.length) throw new UsageError(`--laws: ${task.name} has no law ${unknown.join(', ')}; its laws are ${all.join(', ')}`);
      if (laws.length === 0) throw new UsageError('--laws: give at least one law id');
      for (const id of laws) {
        const problem = startProblem(lawOf(task, id), flags.fitter);
        if (problem) throw new UsageError(`${flags.task ?? flags.dataset}: ${problem}`);
      }
      const taskRef = flags.dataset ?? path.resolve(flags.task!);
      const job = {
        subcommand: 'run' as const,
        args: [
          ...(flags.dataset ? ['--dataset', flags.dataset] : ['--task', taskRef]),
          ...['--method', method, '--laws', laws.join(','), '--repeats', String(flags.repeats), '--seed', String(flags.seed)],
          ...['--restarts', String(flags.restarts), '--fitter', flags.fitter, '--gradient', flags.gradient],
          ...(flags.dataDir ? ['--data-dir', path.resolve(flags.dataDir)] : []),
        ],
        shardArgs: ['--resume'],
      };
      const grid = { tasks: [taskRef], methods: [method], repeats: flags.repeats, restarts: flags.restarts, seed: flags.seed, laws, fitter: flags.fitter };
      if (await scaleOut(flags, grid, job, () => tableAndReport(flags.out, flags.dataDir))) return;
      let result;
      try {
        result = await withResumeHint(flags.out, ' with --resume', () =>
          runBenchmark({
            task,
            method,
            laws,
            repeats: flags.repeats,
            seed: flags.seed,
            restarts: grid.restarts,
            fitter: flags.fitter as FitterName,
            gradient: flags.gradient as FitGradient,
            loss,
            explore: flags.explore,
            workers: flags.workers,
            out: flags.out,
            dataDir: flags.dataDir,
            shard: flags.shard ?? null,
            resume: Boolean(flags.resume),
            quiet: Boolean(flags.quiet),
          }),
        );
      } catch (e) {
        if (e instanceof ResumeConflict) throw new UsageError(e.message);
        throw e;
      }
      const s = result.summary;
      const levels = s.budgets.map((b) => `${+(b * 100).toFixed(2)}%`);
      const fmt = (m: number, sd: number) => `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
      const rows = Object.entries(s.laws).map(([id, l]) => [id, ...l.mean.map((m, b) => fmt(m, l.std[b]))]);
      rows.push(['overall', ...s.overall.mean.map((m, b) => fmt(m, s.overall.std[b]))]);
      process.stdout.write(`${s.task} · ${s.method} · target-region R² (mean ± std over ${s.repeats} repeats)\n`);
      process.stdout.write(`${textTable(['law', ...levels], rows, ['l', ...levels.map(() => 'r' as const)])}\n`);
      if (result.skipped) process.stderr.write(`resumed: ${result.skipped} units were already done, ${result.ran} ran now\n`);
    });
}
