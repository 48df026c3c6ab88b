import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServeCampaign, makeTempDir, type ServeFixture } from '../../test/serve-fixture.js';
import { openCampaign, type Campaign } from './campaign-state.js';
import { isLoopback, startServer, type RunningServer } from './http.js';
import { MAX_BODY_BYTES } from './validate.js';

const TOKEN = 'correct-horse-battery';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => Record<string, unknown>;
}

function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('the HTTP server', () => {
  let dir: string;
  let fx: ServeFixture;
  let campaign: Campaign;
  let server: RunningServer;
  const run = (row: number) => JSON.stringify({ N: fx.pool[row].N, D: fx.pool[row].D, loss: fx.lossOf(row) });
  const write = (path: string, body: string, headers: Record<string, string> = {}) =>
    request(`${server.url}${path.slice(1)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, ...headers },
      body,
    });

  beforeAll(async () => {
    dir = makeTempDir('asl-serve-http-');
    fx = makeServeCampaign(dir, { points: 4 });
    campaign = await openCampaign({
      taskFile: fx.task,
      runsFile: fx.runs,
      seed: 0,
      restarts: 4,
      method: 'mspe',
      batch: 2,
      budget: null,
      leaseSeconds: 60,
      historyCap: 0,
      auth: true,
    });
    server = await startServer(campaign, { host: '127.0.0.1', port: 0, token: TOKEN, log: () => {} });
  });
  afterAll(async () => {
    await server.close();
    await campaign.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a page that loads nothing from elsewhere', async () => {
    const page = await request(server.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.body).not.toMatch(/\b(?:src|href)\s*=\s*["']?https?:/i);
    expect(page.body).toMatch(/new EventSource\('\/events'\)/);
  });

  it('needs the token for writes, not for reads', async () => {
    expect((await write('/runs', run(0), { Authorization: '' })).status).toBe(401);
    const wrong = await write('/runs', run(0), { Authorization: 'Bearer nope' });
    expect([wrong.status, wrong.json().error]).toEqual([401, 'the token is wrong']);
    expect(fs.readFileSync(fx.runs, 'utf8')).toBe('N,D,loss\n');
    const ok = await write('/runs', run(0));
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ accepted: 1, rows: [1] });
    expect((await request(`${server.url}pending`)).status).toBe(200);
  });

  it('refuses other hosts (DNS rebinding) and writes from other sites', async () => {
    const rebinding = await request(`${server.url}campaign`, { headers: { Host: 'evil.example:8787' } });
    expect([rebinding.status, rebinding.json().error]).toEqual([
      403,
      "Host 'evil.example:8787' is not this machine: the server answers requests to localhost only",
    ]);
    const csrf = await write('/runs', run(1), { Origin: 'http://evil.example' });
    expect([csrf.status, csrf.json().error]).toEqual([403, "a write from another site's page (http://evil.example) is refused"]);
  });

  it('answers a body over the limit with a 400 and writes nothing', async () => {
    const before = fs.readFileSync(fx.runs, 'utf8');
    const big = `[${Array.from({ length: Math.ceil(MAX_BODY_BYTES / 30) + 10 }, () => run(2)).join(',')}]`;
    const answer = await write('/runs', big);
    expect(answer.status).toBe(400);
    expect(answer.json().error).toMatch(/^the body is over the 1 MiB limit/);
    expect(fs.readFileSync(fx.runs, 'utf8')).toBe(before);
  });

  it('names the endpoints it has, and checks query parameters', async () => {
    const missing = await request(`${server.url}../task.json`);
    expect(missing.status).toBe(404);
    expect(missing.json().error).toMatch(/^no endpoint GET \/task\.json; the endpoints are GET \/, /);
    const method = await request(`${server.url}runs`);
    expect([method.status, method.headers.allow]).toEqual([405, 'POST']);
    const bad = await request(`${server.url}suggest?batch=two`);
    expect([bad.status, bad.json().error]).toEqual([400, 'batch=two: expected a whole number ≥ 1']);
    const ask = await request(`${server.url}suggest?batch=2`);
    expect(ask.status).toBe(200);
    expect((ask.json().suggestions as unknown[]).length).toBe(2);
    expect(typeof ask.json().version).toBe('number');
  });

  it('announces each new version on /events', async () => {
    const seen: { version: number; kind: string }[] = [];
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${server.url}events`, resolve));
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    let buffer = '';
    const arrived = new Promise<void>((resolve) => {
      res.on('data', (c: Buffer) => {
        buffer += c.toString('utf8');
        for (const m of buffer.matchAll(/event: change\ndata: (.*)\n\n/g)) seen.push(JSON.parse(m[1]) as { version: number; kind: string });
        buffer = buffer.replace(/event: change\ndata: .*\n\n/g, '');
        if (seen.some((e) => e.kind === 'runs')) resolve();
      });
    });
    const told = await write('/runs', run(3));
    await arrived;
    res.destroy();
    expect(seen[0].kind).toBe('start');
    expect(seen.find((e) => e.kind === 'runs')!.version).toBe(told.json().version);
  });
});

it('knows loopback addresses', () => {
  expect(['127.0.0.1', 'localhost', '::1', '127.3.2.1', 'app.localhost'].every(isLoopback)).toBe(true);
  expect(['0.0.0.0', '192.168.1.4', '::', 'example.com'].some(isLoopback)).toBe(false);
});
