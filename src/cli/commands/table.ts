/** `active-sl table`: merge result folders into the Table-2 view, optionally beside the paper. */
import type { Command } from 'commander';
import { findRunDirs, mergeRuns } from '../../report/collect.js';
import { buildTable, renderCsv, renderMarkdown } from '../../report/table.js';
import { UsageError } from '../errors.js';
import { findHalvingRuns } from '../../report/halving.js';
import { findStressSummaries } from '../../report/stress.js';
import { describeCommand } from './catalog.js';

export function register(program: Command): void {
  program
    .command('table')
    .description(describeCommand('table'))
    .argument('<dirs...>', 'result folders: a run, a method folder, or a whole results tree (shards are merged)')
    .option('--format <f>', 'md, csv or json', 'md')
    .option('--paper', "the paper's Table 2 figure beside each cell, and the difference")
    .addHelpText(
      'after',
      [
        '',
        'Each cell: the mean over laws of each law’s mean over repeats ± the std across laws, at the budget level.',
        'With --paper: the paper’s figure, our difference from it, and z = difference / √(se² + se_paper²), where se',
        'is the standard error of our mean over repeats and se_paper the paper’s (its std/√10 for a one-law task;',
        'taken equal to ours otherwise, since the paper does not say what its std spans), plus its rounding to two',
        'decimals (0.01/√12). |z| < 2 is within the noise of the repeats and the rounding;',
        'a small difference with a large |z| is real but small. csv and json carry se and z too.',
        '',
        'Examples:',
        '  $ active-sl table output --paper',
        '  $ active-sl table output/moe_scaling_law /shared/shards --format csv > table.csv',
      ].join('\n'),
    )
    .action((dirs: string[], opts: { format: string; paper?: boolean }) => {
      if (!['md', 'csv', 'json'].includes(opts.format)) throw new UsageError(`--format ${opts.format}: choose md, csv or json`);
      let runDirs: string[];
      try {
        runDirs = findRunDirs(dirs);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (!runDirs.length) {
        // halving and stress folders look alike (config.json, runs.jsonl) but have their own tables
        const halving = findHalvingRuns(dirs).length > 0;
        const stress = findStressSummaries(dirs).length > 0;
        const other =
          halving || stress
            ? `: it holds ${[halving && 'halving', stress && 'stress-suite'].filter(Boolean).join(' and ')} results, which \`active-sl report ${dirs[0]}\` tabulates`
            : ' (a run folder holds config.json and runs.jsonl)';
        throw new UsageError(`no benchmark runs under ${dirs.join(', ')}${other}`);
      }
      const rows = buildTable(mergeRuns(runDirs), Boolean(opts.paper));
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (opts.format === 'csv') process.stdout.write(renderCsv(rows));
      else process.stdout.write(renderMarkdown(rows, Boolean(opts.paper)));
    });
}
