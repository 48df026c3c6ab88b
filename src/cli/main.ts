#!/usr/bin/env node
/** The `active-sl` command line. */
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { fileSystemMessage, isUserError } from './errors.js';
import { register as registerDatasets } from './commands/datasets.js';
import { register as registerFetchData } from './commands/fetch-data.js';
import { register as registerLaws } from './commands/laws.js';
import { register as registerRun } from './commands/run.js';
import { register as registerTable } from './commands/table.js';
import { register as registerReproduce } from './commands/reproduce.js';
import { register as registerReport } from './commands/report.js';
import { register as registerSuggest } from './commands/suggest.js';
import { register as registerFit } from './commands/fit.js';
import { register as registerHalving } from './commands/halving.js';
import { register as registerSynth } from './commands/synth.js';
import { register as registerStress } from './commands/stress.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('active-sl')
    .description(
      'Budget-aware active experiment selection for fitting scaling laws (MSPE, arXiv 2604.22753),\n' +
        'and the ScaleBench benchmark: which pilot runs to pay for so the fitted law extrapolates.',
    )
    .version((JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version, '-V, --version', 'print the version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerRun(program);
  registerTable(program);
  registerReproduce(program);
  registerReport(program);
  registerSuggest(program);
  registerFit(program);
  registerHalving(program);
  registerSynth(program);
  registerStress(program);
  registerDatasets(program);
  registerLaws(program);
  registerFetchData(program);
  program.addHelpText('after', '\nExamples:\n  $ active-sl datasets\n  $ active-sl laws --dataset vocab_scaling_law\n  $ active-sl fetch-data --dir ./data');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit "successfully"; commander already printed its message
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(e)) {
      process.stderr.write(`active-sl: ${e.message}\n`);
      return 2;
    }
    // an --out or --dir that cannot be written (or read) is the user's to fix, not a bug
    const fsMessage = fileSystemMessage(e);
    if (fsMessage !== null) {
      process.stderr.write(`active-sl: ${fsMessage}\n`);
      return 2;
    }
    throw e;
  }
}

// `active-sl … | head` closes stdout early; that is the reader's choice, not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    // a command that finished its output but failed (e.g. a merge with unfinished shards) set its own code
    if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`active-sl: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
