/**
 * The reproduction grid as a Kubernetes Indexed Job (one pod per shard, the completion index as
 * the shard), then a one-pod merge Job, on a volume every pod mounts.
 */
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

type Yaml = string | number | boolean | Yaml[] | { [key: string]: Yaml };

/** Block-style YAML; every string double-quoted (JSON's escapes are YAML's), so nothing is reinterpreted. */
export function toYaml(value: Yaml, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (!value.length) return `${pad}[]\n`;
    return value
      .map((v) => {
        const inner = toYaml(v, indent + 2);
        return typeof v === 'object' ? `${pad}- ${inner.slice(indent + 2)}` : `${pad}- ${inner.trim()}\n`;
      })
      .join('');
  }
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => (typeof v === 'object' && (!Array.isArray(v) || v.length) ? `${pad}${k}:\n${toYaml(v, indent + 2)}` : `${pad}${k}: ${toYaml(v, 0).trim()}\n`))
      .join('');
  }
  return `${pad}${typeof value === 'string' ? JSON.stringify(value) : String(value)}\n`;
}

const RESULTS = '/results';

function podSpec(o: K8sOptions, name: string, script: string, cpus: number): { [key: string]: Yaml } {
  return {
    restartPolicy: 'Never',
    containers: [
      {
        name,
        image: o.image,
        command: ['sh', '-c', script],
        resources: { requests: { cpu: String(cpus) } },
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
        spec: podSpec(o, 'shard', `exec npx active-sl ${grid} --out ${RESULTS}${extra} --shard "$JOB_COMPLETION_INDEX/${o.shards}" --workers ${o.cpusPerTask} --quiet`, o.cpusPerTask),
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
        spec: podSpec(o, 'merge', `exec npx active-sl ${grid} --out ${RESULTS} --merge-shards ${o.shards}`, 1),
      },
    },
  };
  return [
    '# active-sl reproduce as a Kubernetes Indexed Job (first document) and its merge (second).',
    '# Save them as shards.yaml and merge.yaml, then:',
    '#   kubectl apply -f shards.yaml',
    '#   kubectl wait --for=condition=complete --timeout=24h job/active-sl-reproduce',
    '#   kubectl apply -f merge.yaml    # table and report.html in the volume, under report/',
    `# The results volume (claim '${o.claim}') must be ReadWriteMany: every shard writes its own run folders.`,
    '---',
    toYaml(shardJob).trimEnd(),
    '---',
    toYaml(mergeJob).trimEnd(),
    '',
  ].join('\n');
}
