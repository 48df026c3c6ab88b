/**
 * Every command's name and one-line description, in the order `active-sl --help` lists them: read by
 * main.ts for the commands it does not load, and by each command's module for its own `.description`.
 */
export const COMMAND_DESCRIPTIONS: Readonly<Record<string, string>> = {
  run: 'run one selection method on a task: every law × repeat, R² in the target region at each budget level',
  table: 'task × method × budget level: mean ± std of target-region R² over laws, from result folders',
  reproduce: "the paper's grid: every method on every built-in task (resumable), then the table beside Table 2 and the HTML report",
  report:
    "an HTML report of the results under <out>: the table beside the paper's, R² and cost figures per task, and the stress suite's and halving runs' sections when they are there",
  suggest: 'which candidates to run next, given the runs done so far, and the current target-region prediction',
  fit: 'fit a law to the runs done so far: parameters and target-region predictions with 90% intervals',
  serve: 'a campaign as a live page in the browser and an ask/tell HTTP API for job launchers (suggest, tell, pending runs, forecast)',
  halving: 'learning-curve budget allocation: which models to keep training (Successive Halving, arXiv 2605.17234)',
  synth: 'write a synthetic task folder (task.json, pool.csv, target.csv) from a known truth, to test methods where the answer is known',
  stress: 'where can active selection be trusted? every method on synthetic scenarios with a wrong law or bad runs: R², interval coverage, alarm rates',
  datasets: 'list the built-in ScaleBench tasks: pool and target rows, groups, laws, budget levels',
  laws: 'show the scaling laws of a task (or of all built-in tasks): formula, parameters, bounds',
  'fetch-data': 'download the ScaleBench data (Hugging Face dataset sijieli/scalebench, CC-BY-4.0)',
};

/** The description of a command: one text in one place. */
export function describeCommand(name: string): string {
  const text = COMMAND_DESCRIPTIONS[name];
  if (text === undefined) throw new Error(`no command '${name}' in COMMAND_DESCRIPTIONS`);
  return text;
}
