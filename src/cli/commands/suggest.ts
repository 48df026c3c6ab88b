/** `active-sl suggest`: the next runs to pay for, given the runs done so far. */
import { Option, type Command } from 'commander';
import { sameConfiguration } from '../../campaign/observed.js';
import { SUGGEST_METHODS, suggest, type SuggestMethod } from '../../campaign/suggest.js';
import { textTable } from '../format.js';
import { LOSS_HELP, lossSpecOf } from '../loss-flags.js';
import type { FitterName } from '../../fit/multistart.js';
import { numberFlag, positiveInt } from '../options.js';
import { addModelOptions, asUsage, fmt, loadCampaign, otherGroups, printLawFits, printTarget, warnUnconverged, type CampaignFlags } from './campaign.js';
import { describeCommand } from './catalog.js';

interface SuggestFlags extends CampaignFlags {
  method: string;
  batch: number;
  budget?: number;
  stopBelow?: number;
}

export function register(program: Command): void {
  const command = program
    .command('suggest')
    .description(describeCommand('suggest'))
    .requiredOption('--task <file>', 'the task file (format: docs/task-file.md)')
    .requiredOption('--observed <runs.csv>', "the runs done so far: the task's feature and target columns (others ignored)")
    .option('--law <id>', "the law to fit (default: the task's first)")
    .option('--group <name>', 'for a task with a group column: which group (default: the first by name)')
    .addOption(new Option('--method <m>', 'acquisition').choices(SUGGEST_METHODS).default('mspe'))
    .option('--batch <k>', 'suggest k runs at once (greedy; later picks assume earlier ones return their prediction)', positiveInt('--batch'), 1)
    .option('--budget <cost>', 'cost left: each suggestion and the batch in total must fit', numberFlag('--budget'))
    .option(
      '--stop-below <u>',
      'report stop=true once the target uncertainty (Σ 90% half-width / Σ |forecast| over the target rows) is below u',
      numberFlag('--stop-below', true),
    );
  addModelOptions(command)
    .addHelpText(
      'after',
      `
Observed rows are matched to the candidate pool by their feature values (relative difference
≤ 1e-9); matched candidates are not suggested again, unmatched rows still inform the fit. The
target interval is mean ± q·sd of MSPE's mixture of modes (within-mode Fisher variance plus σ²,
plus the spread between modes); a law with several targets gets a table for each (byTarget in
--json), and uncertainty and --stop-below read the first target's. Once
there are at least two runs per law parameter, σ² is the residual variance SSE/(n − P) and q is
Student's t on n − P degrees of freedom; before that σ² is a deliberately wide prior scaled by the
spread of the observed losses, and q = 1.645. uncertainty = the target rows' relative 90%
half-width, Σ half-width / Σ |prediction|. Losses in the pool file, if it has them, are not read.
${LOSS_HELP}

Examples:
  $ active-sl suggest --task pilots/task.json --observed runs.csv
  $ active-sl suggest --task pilots/task.json --observed runs.csv --batch 3 --budget 1e20 --json
  $ active-sl suggest --task pilots/task.json --observed runs.csv --stop-below 0.01
  $ active-sl suggest --task pilots/task.json --observed runs.csv --loss cauchy --f-scale 0.03`,
    )
    .action(async (flags: SuggestFlags) => {
      const { task, data, observed } = await loadCampaign(flags);
      const result = await asUsage(() =>
        suggest({
          task,
          data,
          observed,
          lawId: flags.law,
          group: flags.group,
          method: flags.method as SuggestMethod,
          batch: flags.batch,
          budget: flags.budget,
          stopBelow: flags.stopBelow,
          seed: flags.seed,
          restarts: flags.restarts,
          loss: lossSpecOf(flags),
          fitter: flags.fitter as FitterName,
          noiseSd: flags.noiseSd,
        }),
      );
      const group = flags.group ?? data.groups[0].name;
      const pool = data.groups.find((g) => g.name === group)?.pool;
      const repeats = pool ? sameConfiguration(pool).filter((rows, p) => rows[0] !== p).length : 0;
      if (repeats > 0) {
        process.stderr.write(
          `active-sl: note: ${repeats} pool row${repeats > 1 ? 's repeat' : ' repeats'} another row's features; each configuration is run and suggested once\n`,
        );
      }
      if (result.suggestions.length < flags.batch) {
        const why = flags.budget !== undefined ? 'not yet run and affordable within --budget' : 'not yet run';
        process.stderr.write(
          `active-sl: note: asked for ${flags.batch} runs, but only ${result.suggestions.length} candidate${result.suggestions.length === 1 ? ' is' : 's are'} ${why}\n`,
        );
      }
      if (flags.json) {
        warnUnconverged(result.convergence);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const law = flags.law ?? Object.keys(task.laws)[0];
      process.stdout.write(`${task.name} · law ${law}${task.group ? ` · group ${group}` : ''} · ${flags.method}\n${otherGroups(data, flags, group)}\n`);
      if (result.suggestions.length === 0) process.stdout.write('no candidate left to run\n');
      else {
        const rows = result.suggestions.map((s, k) => [
          String(k + 1),
          String(s.row + 1),
          ...task.features.map((f) => fmt(s.features[f])),
          fmt(s.cost),
          fmt(s.score),
        ]);
        process.stdout.write('run next:\n');
        process.stdout.write(
          `${textTable(['#', 'data row', ...task.features, 'cost', 'score'], rows, ['r', 'r', ...task.features.map(() => 'r' as const), 'r', 'r'])}\n`,
        );
      }
      process.stdout.write(`\n${printTarget(result.target, task.features, task.targets)}\n`);
      process.stdout.write(
        `\nuncertainty ${fmt(result.target.uncertainty)}${flags.stopBelow !== undefined ? ` (stop below ${flags.stopBelow}: ${result.stop ? 'yes — stop' : 'no — keep going'})` : ''}\n`,
      );
      process.stdout.write(`${printLawFits(result.lawFits, result.convergence)}\n`);
    });
}
