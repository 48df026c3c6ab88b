/**
 * A campaign to serve in tests, with a known truth: a synthetic Chinchilla task (active-sl synth's
 * control preset on a smaller pool), whose pool file holds only the inputs, as a practitioner's
 * would, while the simulated "training" of pool row r returns the scenario's noisy loss for r.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../src/synth/generate.js';
import { presetSpec } from '../src/synth/presets.js';

export interface ServeFixture {
  dir: string;
  task: string;
  runs: string;
  /** The loss a run of pool row r (0-based data row) returns. */
  lossOf(row: number): number;
  /** Pool row → inputs. */
  pool: { N: number; D: number }[];
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `points` per axis: the pool is points² rows. */
export function makeServeCampaign(dir: string, options: { points?: number; seed?: number } = {}): ServeFixture {
  const spec = presetSpec('control', 'low', options.seed ?? 0);
  const points = options.points ?? 6;
  spec.pool = {
    N: { ...spec.pool.N, points },
    D: { ...spec.pool.D, points },
  };
  spec.region = { N: { ...spec.region.N, points: 2 }, D: { ...spec.region.D, points: 2 } };
  const { files } = generateScenario(spec);
  fs.mkdirSync(dir, { recursive: true });
  const lines = files['pool.csv'].trim().split('\n');
  const header = lines[0].split(',');
  const [iN, iD, iLoss] = ['N', 'D', 'loss'].map((c) => header.indexOf(c));
  const rows = lines.slice(1).map((l) => l.split(','));
  const pool = rows.map((r) => ({ N: Number(r[iN]), D: Number(r[iD]) }));
  const losses = rows.map((r) => Number(r[iLoss]));
  fs.writeFileSync(path.join(dir, 'pool.csv'), `N,D\n${rows.map((r) => `${r[iN]},${r[iD]}`).join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'target.csv'), files['target.csv']);
  fs.writeFileSync(path.join(dir, 'task.json'), files['task.json']);
  return { dir, task: path.join(dir, 'task.json'), runs: path.join(dir, 'runs.csv'), lossOf: (row) => losses[row], pool };
}

export interface ServerProcess {
  url: string;
  child: import('node:child_process').ChildProcess;
  stderr: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** `active-sl serve … --port 0` from the built CLI; resolves once it prints its URL. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  return import('node:child_process').then(
    ({ spawn }) =>
      new Promise<ServerProcess>((resolve, reject) => {
        const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'dist', 'cli', 'main.js');
        const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        const exited = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          const m = /(http:\/\/\S+\/)/.exec(out);
          if (m) resolve({ url: m[1], child, stderr: () => err, exited });
        });
        child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
        void exited.then((code) => reject(new Error(`serve exited (${code}) before printing its URL:\n${err}`)));
      }),
  );
}

/** JSON over HTTP, the way a job launcher calls the server. */
export async function api<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
