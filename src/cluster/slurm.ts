/**
 * The reproduction grid as a Slurm job array: one array task per shard (each resumable, so a
 * requeued or resubmitted task continues where it stopped), then a merge job that checks every
 * shard finished and writes the table and the report.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface SlurmOptions {
  shards: number;
  partition?: string;
  /** Wall-time limit of each array task (Slurm's --time). */
  time: string;
  cpusPerTask: number;
  /** Extra sbatch options, each one as given (e.g. "--account=ml"), on both scripts. */
  sbatchArgs: string[];
  /** Absolute results folder on storage every node sees. */
  out: string;
  /** The command every shard and the merge run: `reproduce` or `run`. */
  subcommand: 'reproduce' | 'run';
  /** Its arguments, the same for every shard and the merge (no --out/--shard/--workers). */
  args: string[];
  /** Further arguments of a shard only (`run` needs --resume to continue a requeued shard). */
  shardArgs: string[];
  /** Where the jobs start, and the node binary and CLI entry they run. */
  cwd: string;
  node: string;
  cli: string;
}

export const slurmDir = (out: string) => path.join(out, 'slurm');
export const shardLog = (out: string, index: number) => path.join(slurmDir(out), `shard-${index}.log`);
export const mergeLog = (out: string) => path.join(slurmDir(out), 'merge.log');

/** POSIX single-quoting: the text reaches the program unchanged whatever it contains. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Slurm's --array value: a range when the indices are consecutive, else a list. */
export function arraySpec(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const consecutive = sorted.every((v, i) => i === 0 || v === sorted[i - 1] + 1);
  return consecutive && sorted.length > 1 ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(',');
}

function header(o: SlurmOptions, lines: string[]): string[] {
  return [
    '#!/bin/bash',
    ...lines.map((l) => `#SBATCH ${l}`),
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...o.sbatchArgs.map((a) => `#SBATCH ${a}`),
    'set -euo pipefail',
    `cd ${shellQuote(o.cwd)}`,
  ];
}

const command = (o: SlurmOptions) => [o.node, o.cli, o.subcommand, ...o.args, '--out', o.out].map(shellQuote).join(' ');

/** The array job: task i runs shard i/n with as many workers as it has CPUs. */
export function arrayScript(o: SlurmOptions, indices: readonly number[]): string {
  return [
    ...header(o, [
      '--job-name=active-sl',
      `--array=${arraySpec(indices)}`,
      `--cpus-per-task=${o.cpusPerTask}`,
      `--time=${o.time}`,
      `--output=${path.join(slurmDir(o.out), 'shard-%a.log')}`,
    ]),
    `# shard $SLURM_ARRAY_TASK_ID of ${o.shards}; finished units are skipped, so a requeued task continues`,
    `exec ${command(o)}${o.shardArgs.map((a) => ` ${shellQuote(a)}`).join('')} --shard "\${SLURM_ARRAY_TASK_ID}/${o.shards}" --workers "\${SLURM_CPUS_PER_TASK:-${o.cpusPerTask}}" --quiet`,
    '',
  ].join('\n');
}

/** The merge job: names any shard that did not finish (with its log), else writes table and report. */
export function mergeScript(o: SlurmOptions): string {
  return [
    ...header(o, ['--job-name=active-sl-merge', '--cpus-per-task=1', `--time=${o.time}`, `--output=${mergeLog(o.out)}`]),
    `exec ${command(o)} --merge-shards ${o.shards}`,
    '',
  ].join('\n');
}

export interface Submitted {
  /** Null when every shard had already finished. */
  arrayJob: string | null;
  mergeJob: string;
}

/** sbatch failed: its own message, for the user. */
export class SbatchError extends Error {
  override name = 'SbatchError';
}

function sbatch(args: string[]): string {
  const r = spawnSync('sbatch', ['--parsable', ...args], { encoding: 'utf8' });
  if (r.error) throw new SbatchError(`sbatch could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new SbatchError(`sbatch failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  // --parsable prints "<job id>" or "<job id>;<cluster>"
  return r.stdout.trim().split(';')[0];
}

/** Submits the array for the given shards (if any) and the merge job after it, from written script files. */
export function submit(arrayFile: string, mergeFile: string, indices: readonly number[]): Submitted {
  const arrayJob = indices.length ? sbatch([arrayFile]) : null;
  try {
    const mergeJob = sbatch([...(arrayJob ? [`--dependency=afterany:${arrayJob}`] : []), mergeFile]);
    return { arrayJob, mergeJob };
  } catch (e) {
    // the array is queued without the job that would merge it: say which, so it can be cancelled
    if (e instanceof SbatchError && arrayJob)
      throw new SbatchError(`${e.message} (array job ${arrayJob} was submitted without its merge job: scancel ${arrayJob})`);
    throw e;
  }
}

/** The most CPUs any node of the partition (or of the cluster, without one) has, or null when sinfo cannot tell. */
export function largestNodeCpus(partition?: string): number | null {
  const r = spawnSync('sinfo', ['-h', ...(partition ? ['-p', partition] : []), '-o', '%c'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const cpus = r.stdout
    .split('\n')
    .map((l) => Number.parseInt(l.trim(), 10))
    .filter((c) => Number.isFinite(c) && c > 0);
  return cpus.length ? Math.max(...cpus) : null;
}

/** Partitions the cluster knows (sinfo), or null when sinfo cannot tell. */
export function knownPartitions(): string[] | null {
  const r = spawnSync('sinfo', ['-h', '-o', '%R'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return [
    ...new Set(
      r.stdout
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
