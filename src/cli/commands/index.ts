/**
 * Every command by name, with its one-line description and the module that defines it. main.ts
 * loads only the module of the command being run: the others appear in `active-sl --help` from
 * this table alone, so a command never pays for another's imports (vega, arrow, the fitters).
 */
import type { Command } from 'commander';

export interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<{ register(program: Command): void }>;
}

/** In the order `active-sl --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    description: 'run one selection method on a task: every law × repeat, R² in the target region at each budget level',
    load: () => import('./run.js'),
  },
  {
    name: 'table',
    description: 'task × method × budget level: mean ± std of target-region R² over laws, from result folders',
    load: () => import('./table.js'),
  },
  {
    name: 'reproduce',
    description: "the paper's grid: every method on every built-in task (resumable), then the table beside Table 2 and the HTML report",
    load: () => import('./reproduce.js'),
  },
  {
    name: 'report',
    description:
      "an HTML report of the results under <out>: the table beside the paper's, R² and cost figures per task, and the stress suite's and halving runs' sections when they are there",
    load: () => import('./report.js'),
  },
  {
    name: 'suggest',
    description: 'which candidates to run next, given the runs done so far, and the current target-region prediction',
    load: () => import('./suggest.js'),
  },
  {
    name: 'fit',
    description: 'fit a law to the runs done so far: parameters and target-region predictions with 90% intervals',
    load: () => import('./fit.js'),
  },
  {
    name: 'halving',
    description: 'learning-curve budget allocation: which models to keep training (Successive Halving, arXiv 2605.17234)',
    load: () => import('./halving.js'),
  },
  {
    name: 'synth',
    description: 'write a synthetic task folder (task.json, pool.csv, target.csv) from a known truth, to test methods where the answer is known',
    load: () => import('./synth.js'),
  },
  {
    name: 'stress',
    description: 'where can active selection be trusted? every method on synthetic scenarios with a wrong law or bad runs: R², interval coverage, alarm rates',
    load: () => import('./stress.js'),
  },
  {
    name: 'datasets',
    description: 'list the built-in ScaleBench tasks: pool and target rows, groups, laws, budget levels',
    load: () => import('./datasets.js'),
  },
  {
    name: 'laws',
    description: 'show the scaling laws of a task (or of all built-in tasks): formula, parameters, bounds',
    load: () => import('./laws.js'),
  },
  {
    name: 'fetch-data',
    description: 'download the ScaleBench data (Hugging Face dataset sijieli/scalebench, CC-BY-4.0)',
    load: () => import('./fetch-data.js'),
  },
];

/** The description of a command, for its own module's `.description(…)`: one text in one place. */
export function describeCommand(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`no command '${name}' in COMMANDS`);
  return entry.description;
}
