/** `active-sl reproduce`: every method on every built-in task, resumable, then the Table-2 view. */
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { Shard } from '../../bench/results.js';
import { runBenchmark } from '../../bench/run.js';
import { METHODS, type Method } from '../../bench/unit.js';
import { loadTaskData } from '../../data/dataset.js';
import { builtinTaskNames, loadTask } from '../../data/task.js';
import { findRunDirs, mergeRuns } from '../../report/collect.js';
import { buildTable, renderMarkdown } from '../../report/table.js';
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
    .option('--dry-run', 'list the runs and stop')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Prints the table beside the paper's Table 2 and writes <out>/report/report.html (as
\`active-sl report <out>\`). Re-running the same command skips finished units, so an interrupted
reproduction continues.
On n machines, run it with --shard 0/n … n-1/n on shared storage and merge with
\`active-sl table <out> --paper\`.

Examples:
  $ active-sl reproduce --repeats 2 --workers 2
  $ active-sl reproduce --tasks parallel_scaling_law,moe_scaling_law --methods cheapest,mspe
  $ active-sl reproduce --shard $SLURM_ARRAY_TASK_ID/16 --out /shared/results`,
    )
    .action(async (flags: Flags) => {
      const methods = (flags.methods ?? PAPER_METHODS).map(resolveMethod);
      const all = builtinTaskNames();
      const tasks = flags.tasks ?? all;
      const unknown = tasks.filter((t) => !all.includes(t));
      if (unknown.length) throw new UsageError(`--tasks: unknown task ${unknown.join(', ')}; choose from ${all.join(', ')}`);
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
      const runDirs = findRunDirs([flags.out]);
      const rows = buildTable(mergeRuns(runDirs), true);
      process.stdout.write(renderMarkdown(rows, true));
      process.stderr.write(`results: ${path.resolve(flags.out)}\n`);
      // vega loads only here: a dry run or a failed grid should not pay for it
      const { writeReport } = await import('../../report/html.js');
      const files = await writeReport(flags.out, runDirs, { dataDir: flags.dataDir });
      for (const m of files.missing) process.stderr.write(`active-sl: no ${m.kind === 'costs' ? 'cost' : 'R²'} figure for ${m.task}: ${m.reason}\n`);
      process.stderr.write(`report: ${path.resolve(files.html)}\n`);
    });
}
