/**
 * Scaling out: `reproduce --slurm` against a real one-node Slurm cluster started by
 * scripts/slurm-local (Debian's slurm-wlm and munge, as root; `.ci/run` installs them), the
 * scripts it renders, `--k8s` manifests, and the flags' errors.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findRunDirs, mergeRuns } from '../src/report/collect.js';
import { repoRoot } from './shared.js';

const CLI = path.join(repoRoot, 'dist', 'cli', 'main.js');
const SLURM_LOCAL = path.join(repoRoot, 'scripts', 'slurm-local');
const GRID = ['--tasks', 'parallel_scaling_law,sparsity_scaling_law,farseer_scaling_law', '--methods', 'cheapest,random', '--repeats', '2', '--restarts', '4'];

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'asl-slurm-'));

/** Every unit of every (task, method) under a results folder, shards merged, timing aside. */
function unitsUnder(out: string): string {
  return JSON.stringify(
    mergeRuns(findRunDirs([out]))
      .sort((a, b) => `${a.task}/${a.method}`.localeCompare(`${b.task}/${b.method}`))
      .map((m) => ({ task: m.task, method: m.method, records: m.records.map((r) => ({ ...r, wallSeconds: undefined })) })),
  );
}

describe('rendered jobs', () => {
  it('--slurm --dry-run prints the array (one task per shard) and the merge, and submits nothing', () => {
    const out = path.join(tmp(), 'results');
    const r = cli([
      'reproduce',
      ...GRID,
      '--slurm',
      '--shards',
      '3',
      '--cpus-per-task',
      '2',
      '--partition',
      'gpu',
      '--sbatch-arg=--account=ml',
      '--dry-run',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/#SBATCH --array=0-2\n/);
    expect(r.stdout).toMatch(/#SBATCH --cpus-per-task=2\n/);
    expect(r.stdout).toMatch(/#SBATCH --partition=gpu\n/);
    expect(r.stdout.match(/#SBATCH --account=ml\n/g)).toHaveLength(2);
    expect(r.stdout).toContain('--shard "${SLURM_ARRAY_TASK_ID}/3" --workers "${SLURM_CPUS_PER_TASK:-2}"');
    expect(r.stdout).toContain(`--out ${out} --merge-shards 3`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('run --slurm --dry-run reruns the same run, resumable, one shard per task', () => {
    const r = cli([
      'run',
      '--dataset',
      'moe_scaling_law',
      '--method',
      'mspe',
      '--laws',
      'sl_1,sl_2',
      '--repeats',
      '3',
      '--slurm',
      '--shards',
      '2',
      '--dry-run',
      '--out',
      '/tmp/x',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/#SBATCH --array=0-1\n/);
    expect(r.stdout).toContain(
      'run --dataset moe_scaling_law --method mspe --laws sl_1,sl_2 --repeats 3 --seed 0 --restarts 64 --fitter lbfgsb --gradient reference --out /tmp/x --resume --shard "${SLURM_ARRAY_TASK_ID}/2"',
    );
    expect(r.stdout).toContain('--out /tmp/x --merge-shards 2');
  });

  it('--k8s --dry-run renders an Indexed Job and a merge Job with the fields a Job requires', () => {
    const r = cli(['reproduce', ...GRID, '--k8s', '--shards', '5', '--cpus-per-task', '4', '--image', 'registry.example.com/active-sl:1', '--dry-run']);
    expect(r.code).toBe(0);
    // the parts of a Kubernetes Job this test reads
    interface K8sJob {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: {
        completionMode?: string;
        completions?: number;
        parallelism?: number;
        template: {
          spec: {
            restartPolicy: string;
            containers: { name: string; image: string; command: string[]; env: { name: string; value: string }[] }[];
            volumes: { persistentVolumeClaim: { claimName: string } }[];
          };
        };
      };
    }
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sJob);
    expect(docs).toHaveLength(2);
    for (const job of docs) {
      expect(job.apiVersion).toBe('batch/v1');
      expect(job.kind).toBe('Job');
      expect(typeof job.metadata.name).toBe('string');
      const pod = job.spec.template.spec;
      expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
      expect(pod.containers.length).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(typeof c.name).toBe('string');
        expect(c.image).toBe('registry.example.com/active-sl:1');
      }
      const claims = pod.volumes.map((v) => v.persistentVolumeClaim.claimName);
      expect(claims).toEqual(['active-sl-results']);
    }
    const [shards, merge] = docs;
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(shards.spec.completions).toBe(5);
    expect(shards.spec.parallelism).toBe(5);
    expect(shards.spec.template.spec.containers[0].command.join(' ')).toContain('--shard "$JOB_COMPLETION_INDEX/5" --workers 4');
    expect(merge.spec.template.spec.containers[0].command.join(' ')).toContain('--merge-shards 5');
    // one apply starts both: the merge retries until the shards are done; the pods find the data on the volume
    expect(merge.spec.template.spec.containers[0].command.join(' ')).toMatch(
      /for i in \$\(seq \d+\); do npx active-sl .* --merge-shards 5 && exit 0; sleep 60; done; exit 1/,
    );
    for (const job of docs) expect(job.spec.template.spec.containers[0].env).toEqual([{ name: 'ACTIVE_SL_DATA', value: '/results/datasets' }]);
    expect(r.stdout).toMatch(/kubectl apply -f jobs\.yaml/);
  });
});

describe('bad input: one line, exit 2, nothing submitted', () => {
  /** A PATH whose sbatch records being called: it never should be. */
  function fakeSbatch(): { env: NodeJS.ProcessEnv; calls: string } {
    const dir = tmp();
    const calls = path.join(dir, 'calls');
    fs.writeFileSync(path.join(dir, 'sbatch'), `#!/bin/sh\necho "$@" >> ${calls}\necho 1\n`, { mode: 0o755 });
    return { env: { PATH: `${dir}${path.delimiter}${process.env.PATH}` }, calls };
  }

  const oneLine = (r: ReturnType<typeof cli>) =>
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('(add --help'));

  it('--slurm without sbatch on PATH', () => {
    const out = path.join(tmp(), 'results');
    const r = cli(['reproduce', ...GRID, '--slurm', '--out', out], { PATH: tmp() });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/sbatch is not on PATH/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('--shards 0', () => {
    const r = cli(['reproduce', ...GRID, '--slurm', '--shards', '0', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shards 0: must be a whole number ≥ 1/);
  });

  it('an --out that is not writable', () => {
    const { env, calls } = fakeSbatch();
    const file = path.join(tmp(), 'a-file');
    fs.writeFileSync(file, '');
    const r = cli(['reproduce', ...GRID, '--slurm', '--cpus-per-task', '1', '--out', path.join(file, 'results')], env);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/--out .*not writable/);
    expect(fs.existsSync(calls)).toBe(false);
  });

  /** A PATH whose sbatch takes the first `accepts` submissions and refuses the rest, and whose sinfo reports nodes of `cpus` CPUs. */
  function fakeCluster(accepts: number, cpus: number): NodeJS.ProcessEnv {
    const dir = tmp();
    const count = path.join(dir, 'count');
    fs.writeFileSync(
      path.join(dir, 'sbatch'),
      `#!/bin/sh\nn=$(cat ${count} 2>/dev/null || echo 0)\nif [ "$n" -ge ${accepts} ]; then echo "sbatch: error: Batch job submission failed: Invalid account" >&2; exit 1; fi\necho $((n + 1)) > ${count}\necho 4$n\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, 'sinfo'), `#!/bin/sh\necho ${cpus}\necho ${cpus}\n`, { mode: 0o755 });
    return { PATH: `${dir}${path.delimiter}${process.env.PATH}` };
  }

  it('a refused sbatch leaves no scripts and no results folder behind', () => {
    const out = path.join(tmp(), 'fresh', 'results');
    const r = cli(['reproduce', ...GRID, '--slurm', '--cpus-per-task', '2', '--out', out], fakeCluster(0, 8));
    expect(r.code).toBe(2);
    expect(oneLine(r)).toEqual(['active-sl: sbatch failed: sbatch: error: Batch job submission failed: Invalid account']);
    expect(fs.existsSync(path.dirname(out))).toBe(false);
  });

  it('a refused merge job names the array job it leaves queued, and the scripts go', () => {
    const out = tmp();
    const r = cli(['reproduce', ...GRID, '--slurm', '--cpus-per-task', '2', '--out', out], fakeCluster(1, 8));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/array job 40 was submitted without its merge job: scancel 40/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('--cpus-per-task larger than any node: refused before anything is written', () => {
    const out = path.join(tmp(), 'results');
    const r = cli(['reproduce', ...GRID, '--slurm', '--cpus-per-task', '8', '--out', out], fakeCluster(2, 2));
    expect(r.code).toBe(2);
    expect(oneLine(r)).toEqual([
      'active-sl: --cpus-per-task 8: the largest node of the cluster has 2 CPUs, so no task could ever start; give --cpus-per-task 2 or less',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('--k8s without --dry-run, and --slurm with --k8s', () => {
    expect(cli(['reproduce', ...GRID, '--k8s']).stderr).toMatch(/--k8s renders the Jobs only/);
    expect(cli(['reproduce', ...GRID, '--k8s', '--slurm', '--dry-run']).code).toBe(2);
  });
});

/** A real cluster needs root and Debian's slurm-wlm + munge; say so loudly where they are missing. */
const canRunSlurm = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'not root on Linux';
  for (const bin of ['slurmctld', 'slurmd', 'munged', 'mungekey', 'sbatch', 'squeue', 'sinfo']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (scripts/slurm-local install)`;
  }
  return null;
})();
if (canRunSlurm) process.stderr.write(`\n!!! SKIPPING the real-Slurm tests: ${canRunSlurm} !!!\n\n`);

describe.runIf(canRunSlurm === null)('a real one-node Slurm cluster', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = tmp();
    const line = execFileSync(SLURM_LOCAL, ['start', path.join(dir, 'cluster')], { encoding: 'utf8' }).trim();
    env = { SLURM_CONF: line.replace(/^export SLURM_CONF=/, '') };
  });

  afterAll(() => {
    if (dir) spawnSync(SLURM_LOCAL, ['stop', path.join(dir, 'cluster')]);
  });

  /** Waits until none of the jobs is in the queue. */
  function waitFor(jobs: string[]): void {
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const q = spawnSync('squeue', ['-h', '-j', jobs.join(','), '-o', '%i'], { encoding: 'utf8', env: { ...process.env, ...env } });
      if (q.status === 0 && q.stdout.trim() === '') return;
      if (q.status !== 0 && /Invalid job id/.test(q.stderr)) return;
      spawnSync('sleep', ['1']);
    }
    throw new Error(`jobs ${jobs.join(',')} still queued after 5 minutes`);
  }

  const jobIds = (stdout: string) => [...stdout.matchAll(/submitted (?:array|merge) job (\d+)/g)].map((m) => m[1]);

  it('runs the grid as 3 shards, merges it equal to one local run, and resubmits only a shard whose results were lost', () => {
    const local = path.join(dir, 'local');
    expect(cli(['reproduce', ...GRID, '--workers', '1', '--out', local, '--quiet']).code).toBe(0);

    const out = path.join(dir, 'shared');
    const args = ['reproduce', ...GRID, '--slurm', '--shards', '3', '--cpus-per-task', '1', '--time', '00:10:00', '--out', out];
    const first = cli(args, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/submitted array job \d+: shards 0,1,2 of 3\n/);
    waitFor(jobIds(first.stdout));
    expect(fs.readFileSync(path.join(out, 'slurm', 'merge.log'), 'utf8')).toMatch(/report: .*report\.html/);
    expect(fs.existsSync(path.join(out, 'report', 'report.html'))).toBe(true);
    expect(unitsUnder(out)).toBe(unitsUnder(local));

    // lose shard 1's results: the same command resubmits shard 1 only
    for (const d of findRunDirs([out])) if (d.endsWith('-shard-1-of-3')) fs.rmSync(d, { recursive: true });
    const second = cli(args, env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/submitted array job \d+: shards 1 of 3 \(2 already finished\)\n/);
    expect(fs.readFileSync(path.join(out, 'slurm', 'array.sbatch'), 'utf8')).toMatch(/#SBATCH --array=1\n/);
    waitFor(jobIds(second.stdout));
    expect(unitsUnder(out)).toBe(unitsUnder(local));
  });

  it('run --slurm: one method on one task as 2 shards equals the local run', () => {
    const runArgs = ['run', '--dataset', 'sparsity_scaling_law', '--method', 'mspe', '--repeats', '2', '--restarts', '4'];
    const local = path.join(dir, 'run-local');
    expect(cli([...runArgs, '--workers', '1', '--out', local, '--quiet']).code).toBe(0);
    const out = path.join(dir, 'run-shared');
    const r = cli([...runArgs, '--slurm', '--shards', '2', '--cpus-per-task', '1', '--out', out], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/submitted array job \d+: shards 0,1 of 2\n/);
    waitFor(jobIds(r.stdout));
    expect(fs.readFileSync(path.join(out, 'slurm', 'merge.log'), 'utf8')).toMatch(/report: .*report\.html/);
    expect(unitsUnder(out)).toBe(unitsUnder(local));
  });

  it('names a shard that did not finish, with its log, in the merge step', () => {
    const out = path.join(dir, 'partial');
    // only shard 0 of 2 has run: the merge must say shard 1 did not finish
    expect(cli(['reproduce', ...GRID, '--shard', '0/2', '--workers', '1', '--out', out, '--quiet']).code).toBe(0);
    const r = cli(['reproduce', ...GRID, '--out', out, '--merge-shards', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/shard 1\/2 did not finish \(.*\); log: .*shard-1\.log/);
    expect(r.stderr).not.toMatch(/shard 0\/2/);
  });

  it('an unknown partition is one line, exit 2, nothing submitted', () => {
    const out = path.join(dir, 'nopart');
    const r = cli(['reproduce', ...GRID, '--slurm', '--partition', 'no-such-partition', '--out', out], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--partition no-such-partition: Slurm knows no such partition; it has debug/);
    expect(fs.existsSync(path.join(out, 'slurm'))).toBe(false);
  });
});
