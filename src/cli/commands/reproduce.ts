/**
 * `active-sl reproduce`: every method on every built-in task, resumable, then the Table-2 view and
 * the report; or the same grid submitted as a Slurm job array, or rendered as a Kubernetes Job.
 */
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Shard } from '../../benchmark/results.js';
import { ResumeConflict, runBenchmark } from '../../benchmark/run.js';
import { METHODS, type Method } from '../../benchmark/unit.js';
import { loadTaskData } from '../../data/dataset.js';
import { DEFAULT_RESTARTS, defaultRestarts, FITTERS, type FitterName } from '../../fit/multistart.js';
import { builtinTaskNames, loadTask } from '../../data/task.js';
import type { GridSpec } from '../../cluster/shards.js';
import { UsageError } from '../errors.js';
import { withResumeHint } from '../interrupt.js';
import { commaList, parseShard, MAX_REPEATS, positiveInt, REPEATS_WHY } from '../options.js';
import { addScaleOutOptions, scaleOut, tableAndReport, type ScaleOutFlags } from '../scale-out.js';
import { resolveMethod } from './run.js';
import { describeCommand } from './catalog.js';

export const PAPER_METHODS: Method[] = ['random', 'cheapest', 'cost-rand', 'd-opt', 'v-opt', 'mspe', 'all-data'];

interface Flags extends ScaleOutFlags {
  repeats: number;
  workers: number;
  restarts?: number;
  fitter: string;
  out: string;
  methods?: string[];
  tasks?: string[];
  dataDir?: string;
  shard?: Shard;
  dryRun?: boolean;
  quiet?: boolean;
}

/** The grid as command-line arguments, for the jobs that rerun it elsewhere. */
function gridArgs(flags: Flags, tasks: string[], methods: Method[]): string[] {
  return [
    ...[
      '--tasks',
      tasks.join(','),
      '--methods',
      methods.join(','),
      '--repeats',
      String(flags.repeats),
      '--restarts',
      String(flags.restarts),
      '--fitter',
      flags.fitter,
    ],
    ...(flags.dataDir ? ['--data-dir', path.resolve(flags.dataDir)] : []),
  ];
}

export function register(program: Command): void {
  const command = program
    .command('reproduce')
    .description(describeCommand('reproduce'))
    .option('--repeats <n>', 'repeats per law', positiveInt('--repeats', MAX_REPEATS, REPEATS_WHY), 10)
    .option('--workers <n>', 'worker threads (default: all cores)', positiveInt('--workers'), os.availableParallelism())
    .option(
      '--restarts <n>',
      `starts of each multistart fit (default: ${DEFAULT_RESTARTS.lbfgsb} with lbfgsb, ${DEFAULT_RESTARTS.trf} with trf)`,
      positiveInt('--restarts'),
    )
    .addOption(
      new Option('--fitter <name>', "local optimiser: lbfgsb is the paper's protocol, trf fits to the optimum (see `run --help`)")
        .choices(FITTERS)
        .default('lbfgsb'),
    )
    .option(
      '--methods <list>',
      `comma-separated (default: ${PAPER_METHODS.join(',')}; also ${METHODS.filter((m) => !PAPER_METHODS.includes(m)).join(', ')})`,
      commaList,
    )
    .option('--tasks <list>', 'comma-separated built-in tasks (default: all 8)', commaList)
    .option('--out <dir>', 'results root', 'output')
    .option('--data-dir <dir>', 'folder holding <task>/{train,test}-00000-of-00001.parquet')
    .option('--shard <i/n>', 'this machine runs the i-th of n interleaved slices of every run', parseShard)
    .option('--dry-run', 'list the runs and stop; with --slurm or --k8s, print the job scripts instead of submitting')
    .option('--quiet', 'no progress output');
  addScaleOutOptions(command)
    .addHelpText(
      'after',
      `
Prints the table beside the paper's Table 2 and writes <out>/report/report.html (as
\`active-sl report <out>\`). Re-running the same command skips finished units, so an interrupted
reproduction continues.
On n machines, run it with --shard 0/n … n-1/n on shared storage and merge with
\`active-sl table <out> --paper\`.

With --slurm the grid goes to Slurm instead: <out>/slurm/array.sbatch (one array task per shard,
each \`reproduce --shard $SLURM_ARRAY_TASK_ID/n --workers <cpus>\`, resumable) and merge.sbatch (after
the array, whatever its outcome: it names any shard that did not finish, with its log, or writes
the table and the report). Re-running the same command submits only the unfinished shards.

Examples:
  $ active-sl reproduce --repeats 2 --workers 2
  $ active-sl reproduce --tasks parallel_scaling_law,moe_scaling_law --methods cheapest,mspe
  $ active-sl reproduce --fitter trf --out results/converged     # the grid under converged fits
  $ active-sl reproduce --shard $SLURM_ARRAY_TASK_ID/16 --out /shared/results
  $ active-sl reproduce --slurm --shards 16 --cpus-per-task 8 --partition cpu --out /shared/results
  $ active-sl reproduce --slurm --shards 16 --sbatch-arg=--account=ml --dry-run
  $ active-sl reproduce --k8s --shards 16 --image registry.example.com/active-sl:1 --dry-run > grid.yaml`,
    )
    .action(async (flags: Flags) => {
      const methods = (flags.methods ?? PAPER_METHODS).map(resolveMethod);
      flags.restarts ??= defaultRestarts(flags.fitter);
      const all = builtinTaskNames();
      const tasks = flags.tasks ?? all;
      const unknown = tasks.filter((t) => !all.includes(t));
      if (unknown.length) throw new UsageError(`--tasks: unknown task ${unknown.join(', ')}; choose from ${all.join(', ')}`);
      const grid: GridSpec = { tasks, methods, repeats: flags.repeats, restarts: flags.restarts, seed: 0, fitter: flags.fitter };
      const job = { subcommand: 'reproduce' as const, args: gridArgs(flags, tasks, methods), shardArgs: [] };
      if (await scaleOut(flags, grid, job, () => tableAndReport(flags.out, flags.dataDir))) return;
      const plan = tasks.flatMap((t) => methods.map((m) => ({ task: t, method: m })));
      if (flags.dryRun) {
        for (const p of plan) process.stdout.write(`${p.task} ${p.method} × ${Object.keys(loadTask(p.task).laws).length} laws × ${flags.repeats} repeats\n`);
        return;
      }
      // a task's warnings hold for every method run on it: say each once
      const said = new Set<string>();
      const onWarning = (m: string) => {
        if (!said.has(m)) process.stderr.write(`active-sl: warning: ${m}\n`);
        said.add(m);
      };
      async function runGrid(): Promise<void> {
        for (const name of tasks) {
          const task = loadTask(name);
          const data = await loadTaskData(task, { dataDir: flags.dataDir });
          for (const method of methods) {
            await runBenchmark(
              {
                task,
                method,
                laws: Object.keys(task.laws),
                repeats: flags.repeats,
                seed: 0,
                restarts: grid.restarts,
                fitter: flags.fitter as FitterName,
                gradient: 'reference',
                workers: flags.workers,
                out: flags.out,
                dataDir: flags.dataDir,
                shard: flags.shard ?? null,
                resume: true,
                quiet: Boolean(flags.quiet),
                onWarning,
              },
              data,
            );
          }
        }
      }
      // reproduce always resumes: the same command carries on from the units already saved
      await withResumeHint(flags.out, '', async () => {
        try {
          await runGrid();
        } catch (e) {
          if (!(e instanceof ResumeConflict)) throw e;
          throw new UsageError(
            `${e.dir} was started with other settings (${e.differences}); reproduce carries on what --out holds, so give another --out or that run's settings`,
          );
        }
      });
      // a shard's table would show a slice of the grid; the merge (or `active-sl table`) shows it all
      if (flags.shard) {
        process.stderr.write(`shard ${flags.shard.index}/${flags.shard.count} done; results: ${path.resolve(flags.out)}\n`);
        return;
      }
      await tableAndReport(flags.out, flags.dataDir);
    });
}
