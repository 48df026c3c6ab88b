/** `active-sl fetch-data`: download the ScaleBench parquet files. */
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_DATA_URL, fetchData } from '../../data/fetch.js';
import { packageRoot } from '../../data/locate.js';
import { builtinTaskNames } from '../../data/task.js';
import { UsageError } from '../errors.js';
import { describeCommand } from './catalog.js';

export function register(program: Command): void {
  program
    .command('fetch-data')
    .description(describeCommand('fetch-data'))
    .option('--dir <dir>', 'destination folder (files go to <dir>/<task>/)', path.join(packageRoot(), 'datasets'))
    .option('--tasks <names>', 'comma-separated subset of the built-in tasks')
    .option('--url <base>', 'base URL of the dataset files (env ACTIVE_SL_DATA_URL)', process.env.ACTIVE_SL_DATA_URL ?? DEFAULT_DATA_URL)
    .option('--force', 're-download files that are already there')
    .addHelpText(
      'after',
      '\nThe default folder is the one `run` and `datasets` look in after --data-dir and ACTIVE_SL_DATA.\n' +
        'Examples:\n  $ active-sl fetch-data\n  $ active-sl fetch-data --dir ~/scalebench --tasks moe_scaling_law,parallel_scaling_law\n' +
        '  $ ACTIVE_SL_DATA=~/scalebench active-sl datasets',
    )
    .action(async (opts: { dir: string; tasks?: string; url: string; force?: boolean }) => {
      const all = builtinTaskNames();
      const tasks = opts.tasks
        ? opts.tasks
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : all;
      const unknown = tasks.filter((t) => !all.includes(t));
      if (unknown.length) throw new UsageError(`--tasks: unknown task ${unknown.join(', ')}; choose from ${all.join(', ')}`);
      const files = await fetchData({
        dir: opts.dir,
        tasks,
        baseUrl: opts.url,
        force: opts.force,
        onProgress: (e) => {
          if (e.state === 'done') process.stderr.write(`downloaded ${e.task}/${e.file} (${e.bytes} bytes)\n`);
          if (e.state === 'skip') process.stderr.write(`already there: ${e.task}/${e.file}\n`);
        },
      });
      process.stderr.write(`${files.length} files in ${path.resolve(opts.dir)}\n`);
    });
}
