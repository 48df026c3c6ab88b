/**
 * The reproduction grid as a Kubernetes Indexed Job (one pod per shard, the completion index as
 * the shard), then a one-pod merge Job, on a volume every pod mounts.
 */
import { stringify } from 'yaml';
import { shellQuote } from './slurm.js';

export interface K8sOptions {
  shards: number;
  cpusPerTask: number;
  /** An image with Node 20 and active-sl installed (e.g. built from this repository). */
  image: string;
  /** PersistentVolumeClaim (ReadWriteMany) holding the results. */
  claim: string;
  /** `reproduce` or `run`, with its grid arguments (no --out/--shard/--workers) and a shard's extra ones. */
  subcommand: 'reproduce' | 'run';
  args: string[];
  shardArgs: string[];
}

/** A Kubernetes object: what the YAML holds. */
type Yaml = string | number | boolean | Yaml[] | { [key: string]: Yaml };

/** Block-style YAML with every string double-quoted, so that no command or path is reinterpreted (a `yes`, a `1e3`, a `#`). */
function toYaml(value: Yaml): string {
  return stringify(value, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}

const RESULTS = '/results';
const DATA = `${RESULTS}/datasets`;
/** The merge pod polls for the shards this often, for at most this long, so one apply starts both. */
const MERGE_POLL_SECONDS = 60;
const MERGE_WAIT_HOURS = 72;

function podSpec(o: K8sOptions, name: string, script: string, cpus: number): { [key: string]: Yaml } {
  return {
    restartPolicy: 'Never',
    containers: [
      {
        name,
        image: o.image,
        command: ['sh', '-c', script],
        resources: { requests: { cpu: String(cpus) } },
        // the ScaleBench files sit on the volume beside the results (see the header comment)
        env: [{ name: 'ACTIVE_SL_DATA', value: DATA }],
        volumeMounts: [{ name: 'results', mountPath: RESULTS }],
      },
    ],
    volumes: [{ name: 'results', persistentVolumeClaim: { claimName: o.claim } }],
  };
}

/** Two documents: the Indexed Job of the shards, and the merge Job to apply once it completed. */
export function indexedJobManifest(o: K8sOptions): string {
  const grid = [o.subcommand, ...o.args].map(shellQuote).join(' ');
  const extra = o.shardArgs.map((a) => ` ${shellQuote(a)}`).join('');
  const shardJob: Yaml = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'active-sl-reproduce', labels: { app: 'active-sl' } },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.shards,
      backoffLimit: 3 * o.shards,
      template: {
        metadata: { labels: { app: 'active-sl' } },
        // JOB_COMPLETION_INDEX is set in every pod of an Indexed Job; finished units are skipped on a retry
        spec: podSpec(
          o,
          'shard',
          `exec npx active-sl ${grid} --out ${RESULTS}${extra} --shard "$JOB_COMPLETION_INDEX/${o.shards}" --workers ${o.cpusPerTask} --quiet`,
          o.cpusPerTask,
        ),
      },
    },
  };
  const mergeJob: Yaml = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'active-sl-merge', labels: { app: 'active-sl' } },
    spec: {
      completions: 1,
      backoffLimit: 1,
      template: {
        metadata: { labels: { app: 'active-sl' } },
        // a merge with unfinished shards exits non-zero: try again until every shard is done
        spec: podSpec(
          o,
          'merge',
          `for i in $(seq ${(MERGE_WAIT_HOURS * 3600) / MERGE_POLL_SECONDS}); do npx active-sl ${grid} --out ${RESULTS} --merge-shards ${o.shards} && exit 0; sleep ${MERGE_POLL_SECONDS}; done; exit 1`,
          1,
        ),
      },
    },
  };
  return [
    '# active-sl reproduce as a Kubernetes Indexed Job (first document) and its merge Job (second),',
    '# both in this one file:',
    '#   kubectl apply -f jobs.yaml',
    `# The merge pod retries every ${MERGE_POLL_SECONDS} s (for up to ${MERGE_WAIT_HOURS} h) until every shard has finished, then`,
    '# writes the table and report.html to the volume, under report/.',
    `# The volume (claim '${o.claim}') must be ReadWriteMany: every shard writes its own run folders.`,
    `# The pods read the ScaleBench data from it too (ACTIVE_SL_DATA=${DATA}): put it there once, from`,
    `# any pod that mounts the volume: npx active-sl fetch-data --dir ${DATA}`,
    '# (or bake the data into the image with `active-sl fetch-data` and delete the two ACTIVE_SL_DATA lines).',
    '---',
    toYaml(shardJob).trimEnd(),
    '---',
    toYaml(mergeJob).trimEnd(),
    '',
  ].join('\n');
}
