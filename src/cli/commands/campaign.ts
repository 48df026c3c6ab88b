/** What `suggest` and `fit` share: loading a campaign (task, data, observed runs) and printing its forecast. */
import { loadTask, type TaskSpec } from '../../data/task.js';
import { loadPracticeData, type PracticeData } from '../../campaign/data.js';
import type { LawFitsReport } from '../../campaign/alarm.js';
import { PRACTICE_FITTER, PracticeError, type Convergence } from '../../campaign/model.js';
import { readObserved, type ObservedRuns } from '../../campaign/observed.js';
import type { SuggestResult } from '../../campaign/suggest.js';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { nonNegativeInt, numberFlag, positiveInt } from '../options.js';
import { formatBound, textTable } from '../format.js';
import { fitterOption, fScaleOption, lossOption, type LossFlags } from '../loss-flags.js';

/** The flags `suggest` and `fit` share. */
export interface CampaignFlags extends LossFlags {
  task: string;
  observed: string;
  law?: string;
  group?: string;
  seed: number;
  restarts: number;
  fitter: string;
  dataDir?: string;
  json?: boolean;
  noiseSd?: number;
}

export interface Campaign {
  task: TaskSpec;
  data: PracticeData;
  observed: ObservedRuns;
}

/** The task (with --law checked against it), its pool and target, and the observed runs. */
export async function loadCampaign(flags: CampaignFlags): Promise<Campaign> {
  const task = loadTask(flags.task);
  if (flags.law !== undefined && !(flags.law in task.laws)) {
    throw new UsageError(`--law ${flags.law}: ${task.name} has no such law; its laws are ${Object.keys(task.laws).join(', ')}`);
  }
  const data = await loadPracticeData(task, { dataDir: flags.dataDir });
  const observed = await readObserved(task, flags.observed);
  checkObserved(task, data, observed);
  return { task, data, observed };
}

/**
 * Two mistakes a file of runs can hold that the fit would otherwise absorb silently: a group that
 * the task does not have (its runs would inform nothing), and a row copied twice (two runs that
 * agree to every digit read as zero run-to-run scatter, and the law-fits check then fires).
 */
function checkObserved(task: TaskSpec, data: PracticeData, observed: ObservedRuns): void {
  const groups = new Set(data.groups.map((g) => g.name));
  const O = task.targets.length;
  const seen = new Map<string, number>();
  for (let i = 0; i < observed.n; i++) {
    const where = `${observed.file} (data row ${observed.rows[i] + 1}`;
    if (task.group && !groups.has(observed.group[i])) {
      throw new UsageError(
        `${where}, column '${task.group}'): group '${observed.group[i]}' has no candidates or target rows in the task; its groups are ${[...groups].join(', ')}`,
      );
    }
    const key = [observed.group[i], ...observed.X.map((col) => col[i]), ...Array.from(observed.y.subarray(i * O, i * O + O))].join(',');
    const first = seen.get(key);
    if (first !== undefined) {
      throw new UsageError(
        `${where}): the same run as data row ${observed.rows[first] + 1}, to every digit of every feature and target; remove the copy (a run repeated with another seed differs in its ${task.targets.join(', ')})`,
      );
    }
    seen.set(key, i);
  }
}

/** `--noise-sd`: the run-to-run sd of the target, given to the law-fits check of `fit` and `suggest`. */
export function noiseSdOption(): Option {
  return new Option(
    '--noise-sd <sd>',
    'run-to-run sd of the target at one configuration (e.g. from runs repeated with other seeds): the law-fits check then also tests the residuals against it',
  ).argParser(numberFlag('--noise-sd', true));
}

/**
 * The options `fit` and `suggest` share after their own: the multistart fit, where the data is,
 * JSON output, the loss, the fitter and the noise level.
 */
export function addModelOptions(command: Command): Command {
  return command
    .option('--seed <n>', 'seed of the multistart fit', nonNegativeInt('--seed'), 0)
    .option('--restarts <n>', 'starts of the multistart fit', positiveInt('--restarts'), 64)
    .option('--data-dir <dir>', 'where to look for the task’s data files besides its own folder')
    .option('--json', 'print only the JSON result to stdout')
    .addOption(lossOption())
    .addOption(fitterOption(PRACTICE_FITTER))
    .addOption(fScaleOption())
    .addOption(noiseSdOption());
}

/** Library complaints about the request become usage errors: one line, exit 2. */
export async function asUsage<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof PracticeError) throw new UsageError(e.message);
    throw e;
  }
}

export const fmt = (v: number) => (Number.isFinite(v) ? formatBound(Number(v.toPrecision(5))) : String(v));

/** The target region's table under its heading: the first target's, then, for a law with several, each other's. */
export function printTarget(target: SuggestResult['target'], features: readonly string[], targets: readonly string[]): string {
  const table = (name: string, values: readonly { mean: number; lo90: number; hi90: number }[]) => {
    const rows = target.predictions.map((p, t) => [
      ...features.map((f) => fmt(p.features[f])),
      fmt(values[t].mean),
      `[${fmt(values[t].lo90)}, ${fmt(values[t].hi90)}]`,
    ]);
    return `target region (${name}):\n${textTable([...features, 'prediction', '90% interval'], rows, [...features.map(() => 'r' as const), 'r', 'r'])}`;
  };
  const others = targets.slice(1).flatMap((name) => (target.byTarget?.[name] ? [table(name, target.byTarget[name])] : []));
  return [table(targets[0], target.predictions), ...others].join('\n\n');
}

/** One line: does the fitted law describe the observed runs (the check in campaign/alarm.ts)? */
export function printLawFits(report: LawFitsReport, convergence?: Convergence): string {
  const unconverged = convergence && !convergence.converged ? `WARNING fit did not converge: ${convergence.message}\n` : '';
  if (!report.checked) return `${unconverged}law fits: not checked: ${report.why}`;
  return `${unconverged}${report.ok ? `law fits: yes (${report.why})` : `WARNING law does not fit: ${report.why}`}`;
}

/** For a grouped task fitted without --group: which group this is, and that there are others. */
export function otherGroups(data: PracticeData, flags: { group?: string }, shown: string): string {
  if (flags.group !== undefined || data.groups.length < 2) return '';
  return `(group ${shown}, the first of ${data.groups.length}: ${data.groups.map((g) => g.name).join(', ')}; --group <name> for another)\n`;
}

/** With --json, the unconverged fit's warning goes to stderr as well, where a person running the command sees it. */
export function warnUnconverged(convergence: Convergence): void {
  if (!convergence.converged) process.stderr.write(`active-sl: warning: ${convergence.message}\n`);
}
