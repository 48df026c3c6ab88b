/** The flags of leaving the machine (--slurm, --k8s, --shards, …), defined apart from what they do so that `--help` loads none of it. */
import { Option, type Command } from 'commander';
import { positiveInt } from './options.js';

export interface ScaleOutFlags {
  out: string;
  dryRun?: boolean;
  slurm?: boolean;
  k8s?: boolean;
  shards: number;
  partition?: string;
  time: string;
  cpusPerTask: number;
  sbatchArg: string[];
  image: string;
  claim: string;
  mergeShards?: number;
}

export function addScaleOutOptions(command: Command): Command {
  return command
    .option('--slurm', 'submit as a Slurm job array of --shards tasks plus a merge job (needs sbatch)')
    .option('--k8s', 'with --dry-run: print a Kubernetes Indexed Job of --shards pods and its merge Job')
    .option('--shards <n>', 'array tasks / pods, each running 1/n of every run', positiveInt('--shards'), 4)
    .option('--partition <p>', 'Slurm partition (default: the cluster default)')
    .option('--time <limit>', 'Slurm wall-time limit of each task', '04:00:00')
    .option('--cpus-per-task <c>', 'CPUs (= workers) of each task or pod', positiveInt('--cpus-per-task'), 8)
    .option('--sbatch-arg <option>', 'an extra sbatch option, e.g. "--account=ml" (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--image <ref>', 'container image with active-sl installed, for --k8s', 'active-sl:latest')
    .option('--claim <name>', 'ReadWriteMany PersistentVolumeClaim for the results, for --k8s', 'active-sl-results')
    .addOption(
      new Option('--merge-shards <n>', 'the merge step: check all n shards finished, then the table and report')
        .argParser(positiveInt('--merge-shards'))
        .hideHelp(),
    );
}
