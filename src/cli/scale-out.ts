/**
 * What `reproduce` and `run` share to leave this machine: the scheduler flags, submitting the
 * grid as a Slurm job array (or rendering a Kubernetes Indexed Job), and the merge step that
 * checks every shard finished.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRunDirs, mergeRuns } from '../report/collect.js';
import { buildTable, renderMarkdown } from '../report/table.js';
import { indexedJobManifest } from '../cluster/k8s.js';
import { gridStatus, type GridSpec } from '../cluster/shards.js';
import {
  arrayScript,
  knownPartitions,
  largestNodeCpus,
  mergeLog,
  mergeScript,
  SbatchError,
  shardLog,
  slurmDir,
  submit,
  type SlurmOptions,
} from '../cluster/slurm.js';
import { UsageError } from './errors.js';
import { addScaleOutOptions, type ScaleOutFlags } from './scale-out-options.js';

export { addScaleOutOptions, type ScaleOutFlags };

/** Is an executable of this name on PATH? */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The topmost folder of `p` that does not exist yet (what mkdir -p would create), or null when p exists. */
function firstMissing(p: string): string | null {
  if (fs.existsSync(p)) return null;
  let top = p;
  while (!fs.existsSync(path.dirname(top)) && path.dirname(top) !== top) top = path.dirname(top);
  return top;
}

function writableOut(out: string): string {
  const abs = path.resolve(out);
  try {
    fs.mkdirSync(abs, { recursive: true });
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${out}: not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}

/** The command the jobs rerun: its name, the arguments every shard and the merge share, and a shard's own. */
export interface JobCommand {
  subcommand: 'reproduce' | 'run';
  args: string[];
  shardArgs: string[];
}

function submitToSlurm(flags: ScaleOutFlags, grid: GridSpec, job: JobCommand): void {
  if (!flags.dryRun && !onPath('sbatch')) {
    throw new UsageError('--slurm: sbatch is not on PATH; run this on a Slurm login node (or add --dry-run to see the scripts)');
  }
  if (flags.partition && !flags.dryRun) {
    const known = knownPartitions();
    if (known && !known.includes(flags.partition)) {
      throw new UsageError(`--partition ${flags.partition}: Slurm knows no such partition; it has ${known.join(', ')}`);
    }
  }
  if (!flags.dryRun) {
    // sbatch accepts a task larger than any node, and it then pends for ever
    const largest = largestNodeCpus(flags.partition);
    if (largest !== null && flags.cpusPerTask > largest) {
      throw new UsageError(
        `--cpus-per-task ${flags.cpusPerTask}: the largest node of ${flags.partition ? `partition ${flags.partition}` : 'the cluster'} has ${largest} CPUs, so no task could ever start; give --cpus-per-task ${largest} or less`,
      );
    }
  }
  const created = firstMissing(path.resolve(flags.out));
  const out = flags.dryRun ? path.resolve(flags.out) : writableOut(flags.out);
  const options: SlurmOptions = {
    shards: flags.shards,
    partition: flags.partition,
    time: flags.time,
    cpusPerTask: flags.cpusPerTask,
    sbatchArgs: flags.sbatchArg,
    out,
    ...job,
    cwd: process.cwd(),
    node: process.execPath,
    cli: fileURLToPath(new URL('./main.js', import.meta.url)),
  };
  const open = gridStatus(out, grid, flags.shards)
    .filter((s) => !s.done)
    .map((s) => s.shard.index);
  if (flags.dryRun) {
    process.stdout.write(
      `# array.sbatch (shards ${open.join(',') || 'none: all finished'} of ${flags.shards})\n${arrayScript(options, open.length ? open : [0])}\n`,
    );
    process.stdout.write(`# merge.sbatch (submitted with --dependency=afterany:<array job id>)\n${mergeScript(options)}`);
    return;
  }
  const dir = slurmDir(out);
  const dirExisted = fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true });
  const arrayFile = path.join(dir, 'array.sbatch');
  const mergeFile = path.join(dir, 'merge.sbatch');
  // submitted from side names and renamed into place only once sbatch took both: a refusal leaves nothing
  const pending = { array: path.join(dir, `.array.sbatch.${process.pid}`), merge: path.join(dir, `.merge.sbatch.${process.pid}`) };
  if (open.length) fs.writeFileSync(pending.array, arrayScript(options, open));
  fs.writeFileSync(pending.merge, mergeScript(options));
  let jobs;
  try {
    jobs = submit(pending.array, pending.merge, open);
  } catch (e) {
    fs.rmSync(pending.array, { force: true });
    fs.rmSync(pending.merge, { force: true });
    if (!dirExisted) fs.rmSync(dir, { recursive: true, force: true });
    if (created !== null) fs.rmSync(created, { recursive: true, force: true });
    if (e instanceof SbatchError) throw new UsageError(e.message);
    throw e;
  }
  if (open.length) fs.renameSync(pending.array, arrayFile);
  fs.renameSync(pending.merge, mergeFile);
  const done = flags.shards - open.length;
  process.stdout.write(
    (jobs.arrayJob
      ? `submitted array job ${jobs.arrayJob}: shards ${open.join(',')} of ${flags.shards}${done ? ` (${done} already finished)` : ''}\n`
      : `every shard of this grid has finished; nothing to run\n`) +
      `submitted merge job ${jobs.mergeJob}${jobs.arrayJob ? ` (after ${jobs.arrayJob})` : ''}: table and report\n` +
      `results: ${out}\nlogs: ${dir} (merge: ${mergeLog(out)})\nreport: ${path.join(out, 'report', 'report.html')} once job ${jobs.mergeJob} ends\n`,
  );
}

/** The merge step: every shard finished? Then `finish` (table and report); else which did not, with logs. */
async function mergeShards(flags: ScaleOutFlags, grid: GridSpec, shards: number, finish: () => Promise<void>): Promise<boolean> {
  const out = path.resolve(flags.out);
  const unfinished = gridStatus(out, grid, shards).filter((s) => !s.done);
  for (const s of unfinished) {
    const what = s.missing.map((m) => `${m.task} ${m.method} ${m.have}/${m.want} units`).join(', ');
    process.stderr.write(`active-sl: shard ${s.shard.index}/${shards} did not finish (${what}); log: ${shardLog(out, s.shard.index)}\n`);
  }
  if (unfinished.length) {
    process.stderr.write('active-sl: rerun the same `--slurm` command to resubmit only these shards\n');
    return false;
  }
  await finish();
  return true;
}

/**
 * Handles --merge-shards, --slurm and --k8s; false when none was given (the command runs here).
 * `finish` writes what the command ends with once every shard is in.
 */
export async function scaleOut(flags: ScaleOutFlags, grid: GridSpec, job: JobCommand, finish: () => Promise<void>): Promise<boolean> {
  if (flags.slurm && flags.k8s) throw new UsageError('--slurm and --k8s: choose one');
  if (flags.mergeShards !== undefined) {
    if (!(await mergeShards(flags, grid, flags.mergeShards, finish))) process.exitCode = 1;
    return true;
  }
  if (flags.slurm) {
    submitToSlurm(flags, grid, job);
    return true;
  }
  if (flags.k8s) {
    if (!flags.dryRun) throw new UsageError('--k8s renders the Jobs only: add --dry-run and apply the output with kubectl');
    process.stdout.write(indexedJobManifest({ shards: flags.shards, cpusPerTask: flags.cpusPerTask, image: flags.image, claim: flags.claim, ...job }));
    return true;
  }
  return false;
}

/** The table of everything under out, beside the paper, and the HTML report. */
export async function tableAndReport(out: string, dataDir?: string): Promise<void> {
  const runDirs = findRunDirs([out]);
  const rows = buildTable(mergeRuns(runDirs), true);
  process.stdout.write(renderMarkdown(rows, true));
  process.stderr.write(`results: ${path.resolve(out)}\n`);
  // vega loads only here: a dry run or a failed grid should not pay for it
  const { writeReport } = await import('../report/html.js');
  const files = await writeReport(out, runDirs, { dataDir });
  for (const m of files.missing) process.stderr.write(`active-sl: no ${m.kind === 'costs' ? 'cost' : 'R²'} figure for ${m.task}: ${m.reason}\n`);
  process.stderr.write(`report: ${path.resolve(files.html)}\n`);
}
