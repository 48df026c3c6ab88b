#!/usr/bin/env node
/** The `active-sl` command line. */
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isUserError } from './errors.js';
import { fileSystemMessage } from '../runtime/fs-errors.js';
import { COMMANDS } from './commands/index.js';

/**
 * The program, with the full definition (options, help, action) of the command named in argv only;
 * every other command is its name and description, enough for `active-sl --help` and for commander
 * to suggest the nearest name to a typo. `help <command>` loads that command.
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command();
  program
    .name('active-sl')
    .description(
      'Budget-aware active experiment selection for fitting scaling laws (MSPE, arXiv 2604.22753),\n' +
        'and the ScaleBench benchmark: which pilot runs to pay for so the fitted law extrapolates.',
    )
    .version(
      (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
      '-V, --version',
      'print the version',
    )
    // one line, prefixed like every other error of ours, whatever commander found wrong
    .configureOutput({ outputError: (text, write) => write(`active-sl: ${text.replace(/^error: /, '').trimEnd()} (add --help for usage)\n`) })
    .exitOverride();
  const first = argv.findIndex((a) => !a.startsWith('-'));
  const wanted = first < 0 ? undefined : argv[first] === 'help' ? argv[first + 1] : argv[first];
  for (const entry of COMMANDS) {
    if (entry.name === wanted) (await entry.load()).register(program);
    else program.command(entry.name).description(entry.description);
  }
  program.addHelpText('after', '\nExamples:\n  $ active-sl datasets\n  $ active-sl laws --dataset vocab_scaling_law\n  $ active-sl fetch-data --dir ./data');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
