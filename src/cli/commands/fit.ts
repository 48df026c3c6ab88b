/** `active-sl fit`: the law fitted to the runs done so far, with intervals. */
import type { Command } from 'commander';
import { fitLaw } from '../../campaign/suggest.js';
import { textTable } from '../format.js';
import { LOSS_HELP, lossSpecOf } from '../loss-flags.js';
import type { FitterName } from '../../fit/multistart.js';
import { addModelOptions, asUsage, fmt, loadCampaign, otherGroups, printLawFits, printTarget, warnUnconverged, type CampaignFlags } from './campaign.js';
import { describeCommand } from './catalog.js';

export function register(program: Command): void {
  const command = program
    .command('fit')
    .description(describeCommand('fit'))
    .requiredOption('--task <file>', 'the task file (format: docs/task-file.md)')
    .requiredOption('--observed <runs.csv>', "the runs done so far: the task's feature and target columns (others ignored)")
    .option('--law <id>', "the law to fit (default: the task's first)")
    .option('--group <name>', 'for a task with a group column: which group (default: the first by name)');
  addModelOptions(command)
    .addHelpText(
      'after',
      `
Parameter intervals come from the Laplace posterior of the heaviest of MSPE's modes; for a
parameter with a positive lower bound it is Gaussian in log θ (so θ·exp(±q·sd)). σ² and the
quantile q are those of the target forecast, which mixes all modes (see \`active-sl suggest --help\`).
${LOSS_HELP}

Examples:
  $ active-sl fit --task pilots/task.json --observed runs.csv
  $ active-sl fit --task pilots/task.json --observed runs.csv --law chinchilla --json
  $ active-sl fit --task pilots/task.json --observed runs.csv --loss huber --f-scale 0.02`,
    )
    .action(async (flags: CampaignFlags) => {
      const { task, data, observed } = await loadCampaign(flags);
      const result = await asUsage(() =>
        fitLaw({
          task,
          data,
          observed,
          lawId: flags.law,
          group: flags.group,
          seed: flags.seed,
          restarts: flags.restarts,
          loss: lossSpecOf(flags),
          fitter: flags.fitter as FitterName,
          noiseSd: flags.noiseSd,
        }),
      );
      if (flags.json) {
        warnUnconverged(result.convergence);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `${task.name} · law ${result.law}${task.group ? ` · group ${result.group}` : ''} · ${result.observed} runs · MSE ${fmt(result.mse)} · σ² ${fmt(result.sigma2)} (${result.noise.rule === 'residual' ? `residuals, ${result.noise.dof} dof` : 'prior: fewer than 2 runs per parameter'}) · ${result.modes.length} mode(s)\n${otherGroups(data, flags, result.group)}\n`,
      );
      const bound = (side: 'lo' | 'hi', p: (typeof result.parameters)[number]) => (p.cut === side || p.cut === 'both' ? ' (bound)' : '');
      const rows = result.parameters.map((p) => [p.name, fmt(p.value), `[${fmt(p.lo90)}${bound('lo', p)}, ${fmt(p.hi90)}${bound('hi', p)}]`]);
      process.stdout.write(`${textTable(['parameter', 'value', '90% interval'], rows, ['l', 'r', 'r'])}\n`);
      if (result.parameters.some((p) => p.cut))
        process.stdout.write('(bound): the declared bounds cut that end of the interval; the data alone reach past it\n');
      process.stdout.write(`\n${printTarget(result.target, task.features, task.targets)}\n`);
      process.stdout.write(`\nuncertainty ${fmt(result.target.uncertainty)}\n`);
      process.stdout.write(`${printLawFits(result.lawFits, result.convergence)}\n`);
    });
}
