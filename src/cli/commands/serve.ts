/** `active-sl serve`: a campaign as a live page and an ask/tell HTTP API. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { PRACTICE_FITTER } from '../../campaign/model.js';
import { SUGGEST_METHODS, type SuggestMethod } from '../../campaign/suggest.js';
import type { FitterName } from '../../fit/multistart.js';
import { UsageError } from '../errors.js';
import { fitterOption, fScaleOption, lossOption, lossSpecOf, type LossFlags } from '../loss-flags.js';
import { nonNegativeInt, numberFlag, positiveInt } from '../options.js';
import { noiseSdOption } from './campaign.js';
import { describeCommand } from './catalog.js';

interface ServeFlags extends LossFlags {
  task: string;
  observed: string;
  port: number;
  host: string;
  token?: string;
  law?: string;
  method: string;
  batch: number;
  budget?: number;
  stopBelow?: number;
  lease: string;
  seed: number;
  restarts: number;
  history: number;
  fitter: string;
  dataDir?: string;
  noiseSd?: number;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port ${value}: must be a whole number from 0 to 65535 (0: any free port)`);
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(describeCommand('serve'))
    .requiredOption('--task <file>', 'the task file (format: docs/task-file.md)')
    .requiredOption('--observed <runs.csv>', 'the runs done so far; created with a header if it does not exist. Told runs are appended to it')
    .option('--port <n>', 'port to listen on (0: any free port)', portNumber, 8787)
    .option('--host <addr>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--token <secret>', 'writes (POST, DELETE) need "Authorization: Bearer <secret>"; default $ACTIVE_SL_TOKEN')
    .option('--law <id>', "the law to fit (default: the task's first)")
    .addOption(new Option('--method <m>', 'acquisition').choices(SUGGEST_METHODS).default('mspe'))
    .option('--batch <k>', 'runs the page suggests at once, and GET /suggest’s default', positiveInt('--batch', 1000), 3)
    .option('--budget <cost>', "the campaign's total budget: suggestions fit in what is left after observed and pending runs", numberFlag('--budget'))
    .option('--stop-below <u>', 'stop=true once the target uncertainty (Σ 90% half-width / Σ |forecast|) is below u', numberFlag('--stop-below', true))
    .option('--lease <time>', 'how long a pending run is held for its job: seconds, or 90s, 30m, 2h, 1d', '1h')
    .option('--seed <n>', 'seed of the multistart fit', nonNegativeInt('--seed'), 0)
    .option('--restarts <n>', 'starts of the multistart fit (each new run refits)', positiveInt('--restarts'), 64)
    .option('--history <n>', "forecasts on the first k runs computed at start for the band's history (each is one fit)", nonNegativeInt('--history'), 12)
    .option('--data-dir <dir>', 'where to look for the task’s data files besides its own folder')
    .addOption(lossOption())
    .addOption(fitterOption(PRACTICE_FITTER))
    .addOption(fScaleOption())
    .addOption(noiseSdOption())
    .addHelpText(
      'after',
      `
The page (open the printed URL) shows, per group, the runs and the fitted law against each input,
the target-region forecast with its 90% band, how the band narrowed run by run, the budget, the
law-fits check and the next batch with the reason for each pick; a form and a CSV drop add runs,
and it updates by itself when runs arrive from elsewhere. Suggestions are those of
\`active-sl suggest\` with the same flags, with pending runs counted as if they had returned the
fitted law's prediction.

The API (JSON; every answer has the campaign's "version"; docs/serve.md):
  GET  /suggest?batch=k&budget=c&group=g   the next runs (ask)
  POST /runs                               finished runs: JSON or text/csv (tell)
  POST /pending  {"batch":1,"worker":"job-17"}   take runs for a job, leased (or {"rows":[12]})
  DELETE /pending?lease=<id>               give a leased run back
  GET  /forecast, /campaign, /pending, /events (server-sent events)

A told run is in the observed file (written to a temporary file, flushed and renamed over it)
before the answer; a bad one (a missing or non-numeric field, a repeat of an observed run, a body
over 1 MiB, invalid JSON) is a 400 naming the run and field, and nothing is written. runs.csv.lock
keeps a second server off the same file; runs.csv.pending.json keeps the leases across restarts.

Examples:
  $ active-sl serve --task pilots/task.json --observed pilots/runs.csv
  $ active-sl serve --task pilots/task.json --observed runs.csv --batch 4 --budget 1e21 --stop-below 0.02
  $ ACTIVE_SL_TOKEN=s3cret active-sl serve --task task.json --observed runs.csv --host 0.0.0.0 --port 9000
  $ curl -s 'http://127.0.0.1:8787/suggest?batch=2'
  $ curl -s -X POST http://127.0.0.1:8787/runs -H 'Content-Type: application/json' -d '{"N":1e8,"D":2e9,"loss":3.12}'`,
    )
    .action(async (flags: ServeFlags) => {
      // loaded here, not at the top: \`serve --help\` must not pay for the fitters
      const { isLoopback, startServer } = await import('../../serve/http.js');
      const { openCampaign } = await import('../../serve/campaign-state.js');
      const { ServeError } = await import('../../serve/errors.js');
      const { parseDuration } = await import('../../serve/leases.js');
      const token = flags.token ?? (process.env.ACTIVE_SL_TOKEN || null);
      if (token !== null && token.trim().length < 8) throw new UsageError('--token: use at least 8 characters');
      if (!isLoopback(flags.host) && token === null) {
        throw new UsageError(`--host ${flags.host} is reachable from other machines: give a token for writes (--token or ACTIVE_SL_TOKEN), or bind 127.0.0.1`);
      }
      const leaseSeconds = parseDuration(flags.lease);
      if (leaseSeconds === null) throw new UsageError(`--lease ${flags.lease}: expected seconds or a duration such as 90s, 30m, 2h, 1d`);
      const loss = lossSpecOf(flags);
      let campaign;
      try {
        campaign = await openCampaign({
          taskFile: flags.task,
          runsFile: flags.observed,
          dataDir: flags.dataDir,
          lawId: flags.law,
          seed: flags.seed,
          restarts: flags.restarts,
          loss,
          fitter: flags.fitter as FitterName,
          noiseSd: flags.noiseSd,
          method: flags.method as SuggestMethod,
          batch: flags.batch,
          budget: flags.budget ?? null,
          stopBelow: flags.stopBelow,
          leaseSeconds,
          historyCap: flags.history,
          auth: token !== null,
          warn: (m) => process.stderr.write(`active-sl serve: warning: ${m}\n`),
        });
      } catch (e) {
        if (e instanceof ServeError) throw new UsageError(e.message);
        throw e;
      }
      const opened = campaign;
      process.on('exit', () => opened.releaseLock());
      let server;
      try {
        server = await startServer(opened, { host: flags.host, port: flags.port, token, log: (line) => process.stderr.write(`${line}\n`) });
      } catch (e) {
        await opened.close();
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new UsageError(`--port ${flags.port}: already in use on ${flags.host} (another server?); choose another, or --port 0 for any free one`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${flags.host}: not an address of this machine`);
        if (code === 'EACCES') throw new UsageError(`--port ${flags.port}: not allowed to listen there (ports below 1024 need privileges)`);
        throw e;
      }
      opened.setUrl(server.url);
      for (const note of opened.notes) process.stderr.write(`active-sl serve: ${note}\n`);
      const runs = path.relative(process.cwd(), opened.runsFile) || opened.runsFile;
      process.stdout.write(`active-sl serve: ${server.url}  (${opened.task.name}, ${runs}; Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            // a second signal: leave now; the lock goes, the runs file is whole (every write is a rename)
            opened.releaseLock();
            process.exit(130);
          }
          stopping = true;
          process.stderr.write(`active-sl serve: ${signal}: finishing the writes under way, then stopping\n`);
          void server
            .close()
            .then(() => opened.close())
            .then(resolve, (e: unknown) => {
              process.stderr.write(`active-sl serve: while stopping: ${(e as Error).message}\n`);
              resolve();
            });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
