/**
 * `active-sl reproduce`: every method on every built-in task, resumable, then the Table-2 view and
 * the report; or the same grid submitted as a Slurm job array, or rendered as a Kubernetes Job.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import type { Shard } from '../../bench/results.js';
import { runBenchmark } from '../../bench/run.js';
import { METHODS, type Method } from '../../bench/unit.js';
import { loadTaskData } from '../../data/dataset.js';
import { builtinTaskNames, loadTask } from '../../data/task.js';
import { findRunDirs, mergeRuns } from '../../report/collect.js';
import { buildTable, renderMarkdown } from '../../report/table.js';
import { indexedJobManifest } from '../../scale/k8s.js';
import { gridStatus, type GridSpec } from '../../scale/shards.js';
import { arrayScript, knownPartitions, mergeLog, mergeScript, SbatchError, shardLog, slurmDir, submit, type SlurmOptions } from '../../scale/slurm.js';
import { UsageError } from '../errors.js';
import { commaList, parseShard, positiveInt } from '../options.js';
import { resolveMethod } from './run.js';

export const PAPER_METHODS: Method[] = ['random', 'cheapest', 'cost-rand', 'd-opt', 'v-opt', 'mspe', 'all-data'];

interface Flags {
  repeats: number;
  workers: number;
  restarts: number;
  out: string;
  methods?: string[];
  tasks?: string[];
  dataDir?: string;
  shard?: Shard;
  dryRun?: boolean;
  quiet?: boolean;
  slurm?: boolean;
  k8s?: boolean;
  shards: number;
  partition?: string;
  time: string;
  cpusPerTask: number;
  sbatchArg: string[];
  image: string;
  claim: string;
  mergeShards?: number;
}

/** Is an executable of this name on PATH? */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The grid as command-line arguments, for the jobs that rerun it elsewhere. */
function gridArgs(flags: Flags, tasks: string[], methods: Method[]): string[] {
  return [
    '--tasks', tasks.join(','),
    '--methods', methods.join(','),
    '--repeats', String(flags.repeats),
    '--restarts', String(flags.restarts),
    ...(flags.dataDir ? ['--data-dir', path.resolve(flags.dataDir)] : []),
  ];
}

function writableOut(out: string): string {
  const abs = path.resolve(out);
  try {
    fs.mkdirSync(abs, { recursive: true });
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${out}: not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}

function submitToSlurm(flags: Flags, grid: GridSpec, args: string[]): void {
  if (!flags.dryRun && !onPath('sbatch')) {
    throw new UsageError('--slurm: sbatch is not on PATH; run this on a Slurm login node (or add --dry-run to see the scripts)');
  }
  const out = flags.dryRun ? path.resolve(flags.out) : writableOut(flags.out);
  if (flags.partition && !flags.dryRun) {
    const known = knownPartitions();
    if (known && !known.includes(flags.partition)) {
      throw new UsageError(`--partition ${flags.partition}: Slurm knows no such partition; it has ${known.join(', ')}`);
    }
  }
  const options: SlurmOptions = {
    shards: flags.shards,
    partition: flags.partition,
    time: flags.time,
    cpusPerTask: flags.cpusPerTask,
    sbatchArgs: flags.sbatchArg,
    out,
    args,
    cwd: process.cwd(),
    node: process.execPath,
    cli: fileURLToPath(new URL('../main.js', import.meta.url)),
  };
  const status = gridStatus(out, grid, flags.shards);
  const open = status.filter((s) => !s.done).map((s) => s.shard.index);
  if (flags.dryRun) {
    process.stdout.write(`# array.sbatch (shards ${open.join(',') || 'none: all finished'} of ${flags.shards})\n${arrayScript(options, open.length ? open : [0])}\n`);
    process.stdout.write(`# merge.sbatch (submitted with --dependency=afterany:<array job id>)\n${mergeScript(options)}`);
    return;
  }
  const dir = slurmDir(out);
  fs.mkdirSync(dir, { recursive: true });
  const arrayFile = path.join(dir, 'array.sbatch');
  const mergeFile = path.join(dir, 'merge.sbatch');
  if (open.length) fs.writeFileSync(arrayFile, arrayScript(options, open));
  fs.writeFileSync(mergeFile, mergeScript(options));
  let jobs;
  try {
    jobs = submit(arrayFile, mergeFile, open);
  } catch (e) {
    if (e instanceof SbatchError) throw new UsageError(e.message);
    throw e;
  }
  const done = flags.shards - open.length;
  process.stdout.write(
    (jobs.arrayJob
      ? `submitted array job ${jobs.arrayJob}: shards ${open.join(',')} of ${flags.shards}${done ? ` (${done} already finished)` : ''}\n`
      : `every shard of this grid has finished; nothing to run\n`) +
      `submitted merge job ${jobs.mergeJob}${jobs.arrayJob ? ` (after ${jobs.arrayJob})` : ''}: table and report\n` +
      `results: ${out}\nlogs: ${dir} (merge: ${mergeLog(out)})\nreport: ${path.join(out, 'report', 'report.html')} once job ${jobs.mergeJob} ends\n`,
  );
}

/** The merge step: every shard finished? Then the table and the report; else which did not, with logs. */
async function mergeShards(flags: Flags, grid: GridSpec, shards: number): Promise<boolean> {
  const out = path.resolve(flags.out);
  const unfinished = gridStatus(out, grid, shards).filter((s) => !s.done);
  for (const s of unfinished) {
    const what = s.missing.map((m) => `${m.task} ${m.method} ${m.have}/${m.want} units`).join(', ');
    process.stderr.write(`active-sl: shard ${s.shard.index}/${shards} did not finish (${what}); log: ${shardLog(out, s.shard.index)}\n`);
  }
  if (unfinished.length) {
    process.stderr.write(`active-sl: rerun the same \`reproduce --slurm\` command to resubmit only these shards\n`);
    return false;
  }
  await tableAndReport(flags);
  return true;
}

async function tableAndReport(flags: Flags): Promise<void> {
  const runDirs = findRunDirs([flags.out]);
  const rows = buildTable(mergeRuns(runDirs), true);
  process.stdout.write(renderMarkdown(rows, true));
  process.stderr.write(`results: ${path.resolve(flags.out)}\n`);
  // vega loads only here: a dry run or a failed grid should not pay for it
  const { writeReport } = await import('../../report/html.js');
  const files = await writeReport(flags.out, runDirs, { dataDir: flags.dataDir });
  for (const m of files.missing) process.stderr.write(`active-sl: no ${m.kind === 'costs' ? 'cost' : 'R²'} figure for ${m.task}: ${m.reason}\n`);
  process.stderr.write(`report: ${path.resolve(files.html)}\n`);
}

export function register(program: Command): void {
  program
    .command('reproduce')
    .description("the paper's grid: every method on every built-in task (resumable), then the table beside Table 2 and the HTML report")
    .option('--repeats <n>', 'repeats per law', positiveInt('--repeats'), 10)
    .option('--workers <n>', 'worker threads (default: all cores)', positiveInt('--workers'), os.availableParallelism())
    .option('--restarts <n>', 'starts of each multistart fit', positiveInt('--restarts'), 64)
    .option('--methods <list>', `comma-separated (default: ${PAPER_METHODS.join(',')}; also ${METHODS.filter((m) => !PAPER_METHODS.includes(m)).join(', ')})`, commaList)
    .option('--tasks <list>', 'comma-separated built-in tasks (default: all 8)', commaList)
    .option('--out <dir>', 'results root', 'output')
    .option('--data-dir <dir>', 'folder holding <task>/{train,test}-00000-of-00001.parquet')
    .option('--shard <i/n>', 'this machine runs the i-th of n interleaved slices of every run', parseShard)
    .option('--dry-run', 'list the runs and stop; with --slurm or --k8s, print the job scripts instead of submitting')
    .option('--quiet', 'no progress output')
    .option('--slurm', 'submit the grid as a Slurm job array of --shards tasks plus a merge job (needs sbatch)')
    .option('--k8s', 'with --dry-run: print a Kubernetes Indexed Job for the grid and its merge Job')
    .option('--shards <n>', 'array tasks / pods, each running 1/n of every run', positiveInt('--shards'), 4)
    .option('--partition <p>', 'Slurm partition (default: the cluster default)')
    .option('--time <limit>', 'Slurm wall-time limit of each task', '04:00:00')
    .option('--cpus-per-task <c>', 'CPUs (= workers) of each task or pod', positiveInt('--cpus-per-task'), 8)
    .option('--sbatch-arg <option>', 'an extra sbatch option, e.g. "--account=ml" (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--image <ref>', 'container image with active-sl installed, for --k8s', 'active-sl:latest')
    .option('--claim <name>', 'ReadWriteMany PersistentVolumeClaim for the results, for --k8s', 'active-sl-results')
    .addOption(new Option('--merge-shards <n>', 'the merge step of --slurm: check all n shards finished, then table and report').argParser(positiveInt('--merge-shards')).hideHelp())
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
  $ active-sl reproduce --shard $SLURM_ARRAY_TASK_ID/16 --out /shared/results
  $ active-sl reproduce --slurm --shards 16 --cpus-per-task 8 --partition cpu --out /shared/results
  $ active-sl reproduce --slurm --shards 16 --sbatch-arg=--account=ml --dry-run
  $ active-sl reproduce --k8s --shards 16 --image registry.example.com/active-sl:1 --dry-run > grid.yaml`,
    )
    .action(async (flags: Flags) => {
      const methods = (flags.methods ?? PAPER_METHODS).map(resolveMethod);
      const all = builtinTaskNames();
      const tasks = flags.tasks ?? all;
      const unknown = tasks.filter((t) => !all.includes(t));
      if (unknown.length) throw new UsageError(`--tasks: unknown task ${unknown.join(', ')}; choose from ${all.join(', ')}`);
      const grid: GridSpec = { tasks, methods, repeats: flags.repeats, restarts: flags.restarts, seed: 0 };
      if (flags.slurm && flags.k8s) throw new UsageError('--slurm and --k8s: choose one');
      if (flags.mergeShards !== undefined) {
        if (!(await mergeShards(flags, grid, flags.mergeShards))) process.exitCode = 1;
        return;
      }
      if (flags.slurm) {
        submitToSlurm(flags, grid, gridArgs(flags, tasks, methods));
        return;
      }
      if (flags.k8s) {
        if (!flags.dryRun) throw new UsageError('--k8s renders the Jobs only: add --dry-run and apply the output with kubectl');
        process.stdout.write(indexedJobManifest({ shards: flags.shards, cpusPerTask: flags.cpusPerTask, image: flags.image, claim: flags.claim, args: gridArgs({ ...flags, dataDir: undefined }, tasks, methods) }));
        return;
      }
      const plan = tasks.flatMap((t) => methods.map((m) => ({ task: t, method: m })));
      if (flags.dryRun) {
        for (const p of plan) process.stdout.write(`${p.task} ${p.method} × ${Object.keys(loadTask(p.task).laws).length} laws × ${flags.repeats} repeats\n`);
        return;
      }
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
              restarts: flags.restarts,
              fitter: 'lbfgsb',
              gradient: 'reference',
              workers: flags.workers,
              out: flags.out,
              dataDir: flags.dataDir,
              shard: flags.shard ?? null,
              resume: true,
              quiet: Boolean(flags.quiet),
            },
            data,
          );
        }
      }
      // a shard's table would show a slice of the grid; the merge (or `active-sl table`) shows it all
      if (flags.shard) {
        process.stderr.write(`shard ${flags.shard.index}/${flags.shard.count} done; results: ${path.resolve(flags.out)}\n`);
        return;
      }
      await tableAndReport(flags);
    });
}
