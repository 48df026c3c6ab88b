// `node benchmark/serve-load.mjs` (after `npm run build`): `active-sl serve` on loopback under load.
// A synthetic campaign (a 15 × 15 pool, 10 runs already observed) takes 200 concurrent tells (one
// run each) and 50 concurrent asks (GET /suggest?batch=2) at once. Prints JSON: latencies of both
// (p95 of GET /suggest is the figure to watch; it is printed, not judged), and the check that every
// acknowledged run is in the observed CSV exactly once (exit code 1 if not).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateScenario } from '../dist/synth/generate.js';
import { presetSpec } from '../dist/synth/presets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const POINTS = 15;
const SEEDED = 10;
const TELLS = 200;
const ASKS = 50;
const RESTARTS = Number(process.env.SERVE_LOAD_RESTARTS ?? 16);

function campaign(dir) {
  const spec = presetSpec('control', 'low', 0);
  spec.pool = { N: { ...spec.pool.N, points: POINTS }, D: { ...spec.pool.D, points: POINTS } };
  const { files } = generateScenario(spec);
  const lines = files['pool.csv'].trim().split('\n');
  const header = lines[0].split(',');
  const [iN, iD, iLoss] = ['N', 'D', 'loss'].map((c) => header.indexOf(c));
  const rows = lines
    .slice(1)
    .map((l) => l.split(','))
    .map((r) => ({ N: Number(r[iN]), D: Number(r[iD]), loss: Number(r[iLoss]) }));
  fs.writeFileSync(path.join(dir, 'pool.csv'), `N,D\n${rows.map((r) => `${r.N},${r.D}`).join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'target.csv'), files['target.csv']);
  fs.writeFileSync(path.join(dir, 'task.json'), files['task.json']);
  // the seeded runs spread over the grid (every 22nd row), the rest told under load
  const seeded = rows.filter((_, i) => i % 22 === 0).slice(0, SEEDED);
  fs.writeFileSync(path.join(dir, 'runs.csv'), `N,D,loss\n${seeded.map((r) => `${r.N},${r.D},${r.loss}`).join('\n')}\n`);
  const rest = rows.filter((r) => !seeded.includes(r));
  return { rest, seeded };
}

function start(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--task',
        path.join(dir, 'task.json'),
        '--observed',
        path.join(dir, 'runs.csv'),
        '--port',
        '0',
        '--restarts',
        String(RESTARTS),
        '--history',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${err}`)));
  });
}

const quantile = (xs, q) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)].toFixed(1);
};

async function timed(f) {
  const t0 = performance.now();
  try {
    const res = await f();
    return { ms: performance.now() - t0, status: res.status, body: await res.json() };
  } catch (e) {
    return { ms: performance.now() - t0, status: 0, error: String(e) };
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-serve-load-'));
try {
  const { rest, seeded } = campaign(dir);
  const { url, child } = await start(dir);
  // one ask first, so that the measured asks are not all waiting for the compute thread to start
  await fetch(`${url}suggest?batch=2`).then((r) => r.json());
  const t0 = performance.now();
  const tells = rest.slice(0, TELLS).map((run) =>
    timed(() => fetch(`${url}runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(run) })).then((r) => ({
      ...r,
      run,
    })),
  );
  const asks = Array.from({ length: ASKS }, () => timed(() => fetch(`${url}suggest?batch=2`)));
  const [told, asked] = await Promise.all([Promise.all(tells), Promise.all(asks)]);
  const wall = (performance.now() - t0) / 1000;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));

  const acknowledged = told.filter((t) => t.status === 200);
  const lines = fs.readFileSync(path.join(dir, 'runs.csv'), 'utf8').trim().split('\n').slice(1);
  const count = new Map();
  for (const l of lines) count.set(l, (count.get(l) ?? 0) + 1);
  const key = (r) => `${r.N},${r.D},${r.loss}`;
  const missing = acknowledged.filter((t) => !count.has(key(t.run))).length;
  const duplicated = [...count.values()].filter((n) => n > 1).length;
  const answered = asked.filter((a) => a.status === 200);
  const versions = answered.map((a) => a.body.version);
  const result = {
    node: process.version,
    cpus: os.cpus().length,
    pool: POINTS * POINTS,
    restarts: RESTARTS,
    seededRuns: seeded.length,
    wallSeconds: +wall.toFixed(2),
    tells: {
      sent: told.length,
      acknowledged: acknowledged.length,
      refused: told.filter((t) => t.status >= 400).map((t) => t.body?.error ?? t.error),
      failed: told.filter((t) => t.status === 0).length,
      p50Ms: quantile(
        acknowledged.map((t) => t.ms),
        0.5,
      ),
      p95Ms: quantile(
        acknowledged.map((t) => t.ms),
        0.95,
      ),
    },
    suggest: {
      sent: asked.length,
      ok: answered.length,
      p50Ms: quantile(
        answered.map((a) => a.ms),
        0.5,
      ),
      p95Ms: quantile(
        answered.map((a) => a.ms),
        0.95,
      ),
      maxMs: quantile(
        answered.map((a) => a.ms),
        1,
      ),
      versionsSeen: new Set(versions).size,
    },
    csv: {
      rows: lines.length,
      expected: seeded.length + acknowledged.length,
      missingAcknowledged: missing,
      duplicatedLines: duplicated,
      everyAcknowledgedOnce: missing === 0 && duplicated === 0 && lines.length === seeded.length + acknowledged.length,
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.csv.everyAcknowledgedOnce || answered.length !== ASKS) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
