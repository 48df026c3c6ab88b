/**
 * A whole campaign through the ask/tell API only: `active-sl serve` on an empty observed file,
 * eight simulated workers each taking one run at a time (POST /pending), "training" it (the synth
 * truth plus noise for that pool row) and telling the result (POST /runs), until the stop rule
 * says the forecast is tight enough. No run may be handed out twice while pending, and every
 * acknowledged run must be in the file exactly once.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, makeServeCampaign, makeTempDir, startServe, type ServeFixture, type ServerProcess } from './serve-fixture.js';

const WORKERS = 8;
const STOP_BELOW = 0.005;

interface Lease {
  id: string;
  row: number;
  features: { N: number; D: number };
}

let dir: string;
let fx: ServeFixture;
let server: ServerProcess;

beforeAll(async () => {
  dir = makeTempDir('asl-serve-api-');
  fx = makeServeCampaign(dir, { points: 6 });
  server = await startServe(['--task', fx.task, '--observed', fx.runs, '--restarts', '8', '--history', '0', '--stop-below', String(STOP_BELOW)]);
});
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  fs.rmSync(dir, { recursive: true, force: true });
});

it('runs a campaign from no runs to the stop rule with 8 concurrent workers', async () => {
  const holder = new Map<number, string>();
  const told = new Map<number, number>();
  const acknowledged: number[] = [];
  const problems: string[] = [];

  async function worker(name: string): Promise<void> {
    for (let round = 0; round < 200; round++) {
      const ask = await api<{ leases: Lease[]; stop: boolean | null; note: string | null }>(`${server.url}pending`, {
        method: 'POST',
        body: { batch: 1, worker: name },
      });
      expect(ask.status).toBe(200);
      if (ask.body.stop) return;
      if (ask.body.leases.length === 0) {
        if (holder.size === 0) return; // nothing left to run and nobody running
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const [lease] = ask.body.leases;
      if (holder.has(lease.row)) problems.push(`row ${lease.row} handed to ${name} while pending with ${holder.get(lease.row)}`);
      if (told.has(lease.row)) problems.push(`row ${lease.row} handed to ${name} after it was told`);
      holder.set(lease.row, name);
      // training: a few milliseconds, in no particular order
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
      const tell = await api<{ accepted: number; rows: number[]; released: Lease[] }>(`${server.url}runs`, {
        method: 'POST',
        body: { ...lease.features, loss: fx.lossOf(lease.row) },
      });
      expect(tell.status, JSON.stringify(tell.body)).toBe(200);
      expect(tell.body.released.map((l) => l.id)).toEqual([lease.id]);
      holder.delete(lease.row);
      told.set(lease.row, tell.body.rows[0]);
      acknowledged.push(lease.row);
    }
    problems.push(`${name} never saw the stop rule`);
  }

  await Promise.all(Array.from({ length: WORKERS }, (_, k) => worker(`worker-${k + 1}`)));
  expect(problems).toEqual([]);

  const forecast = await api<{ forecast: { uncertainty: number; stop: boolean }; runs: number }>(`${server.url}forecast`);
  expect(forecast.body.forecast.stop).toBe(true);
  expect(forecast.body.forecast.uncertainty).toBeLessThan(STOP_BELOW);
  expect(forecast.body.runs).toBe(acknowledged.length);
  // past the first wave of cheapest runs, and stopped well before the pool ran out
  expect(acknowledged.length).toBeGreaterThan(WORKERS);
  expect(acknowledged.length).toBeLessThan(fx.pool.length);
  expect((await api<{ pending: unknown[] }>(`${server.url}pending`)).body.pending).toEqual([]);

  const lines = fs.readFileSync(fx.runs, 'utf8').trim().split('\n');
  expect(lines[0]).toBe('N,D,loss');
  const body = lines.slice(1);
  expect(body).toHaveLength(acknowledged.length);
  for (const row of acknowledged) {
    const p = fx.pool[row];
    expect(body.filter((l) => l === `${p.N},${p.D},${fx.lossOf(row)}`)).toHaveLength(1);
  }
});
