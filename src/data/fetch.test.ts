import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES, FetchDataError, fetchData, type FetchedFile } from './fetch.js';

// Everything here talks to this server on 127.0.0.1 only. Each test serves under its own URL
// prefix, so handlers of one test cannot answer another's requests.
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const routes = new Map<string, Handler>();
const requested: string[] = [];
let server: http.Server;
let origin: string;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'active-sl-fetch-'));
  server = http.createServer((req, res) => {
    requested.push(req.url ?? '');
    const handler = routes.get(req.url ?? '');
    if (handler) return handler(req, res);
    res.statusCode = 404;
    res.end('no such file');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(root, { recursive: true, force: true });
});

const [TRAIN, TEST] = DATA_FILES;

/** A body that passes the magic check, with bytes of every value in between. */
function fakeParquet(label: string): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([Buffer.from('PAR1'), Buffer.from(label), all, Buffer.from('PAR1')]);
}

function serve(prefix: string, task: string, file: string, body: Buffer): void {
  routes.set(`/${prefix}/${task}/${file}`, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
}

function freshDir(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  return dir;
}

/** Every file and folder under dir, relative, sorted; folders end in '/'. */
function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/') + (d.isDirectory() ? '/' : ''))
    .sort();
}

async function failure(promise: Promise<unknown>): Promise<FetchDataError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchDataError);
  const e = err as FetchDataError;
  expect(e.message).not.toContain('\n');
  expect(e.message).toContain(e.url);
  return e;
}

describe('fetchData', () => {
  it('downloads every file of two tasks byte for byte, reports progress, then skips them', async () => {
    const dir = freshDir('ok');
    const bodies = new Map<string, Buffer>();
    for (const task of ['alpha_law', 'beta_law']) {
      for (const file of DATA_FILES) {
        const body = fakeParquet(`${task}/${file}`);
        bodies.set(`${task}/${file}`, body);
        serve('ok', task, file, body);
      }
    }
    const events: string[] = [];
    const first = await fetchData({
      dir,
      tasks: ['alpha_law', 'beta_law'],
      baseUrl: `${origin}/ok/`,
      onProgress: (e) => events.push(`${e.state} ${e.task}/${e.file}${e.bytes === undefined ? '' : ` ${e.bytes}`}`),
    });

    expect(requested.filter((u) => u.startsWith('/ok/'))).toEqual([
      `/ok/alpha_law/${TRAIN}`,
      `/ok/alpha_law/${TEST}`,
      `/ok/beta_law/${TRAIN}`,
      `/ok/beta_law/${TEST}`,
    ]);
    expect(listing(dir)).toEqual(['alpha_law/', `alpha_law/${TEST}`, `alpha_law/${TRAIN}`, 'beta_law/', `beta_law/${TEST}`, `beta_law/${TRAIN}`]);
    for (const [key, body] of bodies) expect(fs.readFileSync(path.join(dir, key)).equals(body)).toBe(true);
    expect(first).toEqual<FetchedFile[]>(
      [...bodies].map(([key, body]) => {
        const [task, file] = key.split('/');
        return { task, file, path: path.join(dir, task, file), bytes: body.length, skipped: false };
      }),
    );
    expect(events).toEqual([...bodies].flatMap(([key, body]) => [`start ${key}`, `done ${key} ${body.length}`]));

    const before = requested.length;
    const skipEvents: string[] = [];
    const second = await fetchData({
      dir,
      tasks: ['alpha_law', 'beta_law'],
      baseUrl: `${origin}/ok`,
      onProgress: (e) => skipEvents.push(`${e.state} ${e.task}/${e.file} ${e.bytes}`),
    });
    expect(requested.length).toBe(before);
    expect(second.every((f) => f.skipped)).toBe(true);
    expect(second.map((f) => f.bytes)).toEqual([...bodies.values()].map((b) => b.length));
    expect(skipEvents).toEqual([...bodies].map(([key, body]) => `skip ${key} ${body.length}`));
  });

  it('re-downloads existing files with force, through the given fetchImpl', async () => {
    const dir = freshDir('force');
    fs.mkdirSync(path.join(dir, 'gamma_law'));
    fs.writeFileSync(path.join(dir, 'gamma_law', TRAIN), 'stale');
    const fresh = fakeParquet('fresh');
    for (const file of DATA_FILES) serve('force', 'gamma_law', file, fresh);

    const seen: string[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const withoutForce = await fetchData({ dir, tasks: ['gamma_law'], baseUrl: `${origin}/force`, fetchImpl });
    expect(withoutForce.map((f) => f.skipped)).toEqual([true, false]);
    expect(fs.readFileSync(path.join(dir, 'gamma_law', TRAIN), 'utf8')).toBe('stale');

    const forced = await fetchData({ dir, tasks: ['gamma_law'], baseUrl: `${origin}/force`, fetchImpl, force: true });
    expect(forced.map((f) => f.skipped)).toEqual([false, false]);
    expect(fs.readFileSync(path.join(dir, 'gamma_law', TRAIN)).equals(fresh)).toBe(true);
    expect(seen).toEqual([`${origin}/force/gamma_law/${TEST}`, `${origin}/force/gamma_law/${TRAIN}`, `${origin}/force/gamma_law/${TEST}`]);
    expect(listing(dir)).toEqual(['gamma_law/', `gamma_law/${TEST}`, `gamma_law/${TRAIN}`]);
  });

  it('on a 404 names the URL and status, keeps the finished task and leaves no folder for the failed one', async () => {
    const dir = freshDir('missing');
    const good = fakeParquet('good');
    for (const file of DATA_FILES) serve('missing', 'good_law', file, good);
    // Nothing is served for bad_law, so its first file is a 404.

    const err = await failure(fetchData({ dir, tasks: ['good_law', 'bad_law'], baseUrl: `${origin}/missing` }));
    expect(err.url).toBe(`${origin}/missing/bad_law/${TRAIN}`);
    expect(err.message).toMatch(/HTTP 404/);
    expect(err.message).not.toContain('offline');
    expect(listing(dir)).toEqual(['good_law/', `good_law/${TEST}`, `good_law/${TRAIN}`]);
    for (const file of DATA_FILES) expect(fs.readFileSync(path.join(dir, 'good_law', file)).equals(good)).toBe(true);
  });

  it('accepts no status but 200, even a 2xx with a valid-looking body', async () => {
    const dir = freshDir('partial-content');
    const body = fakeParquet('ranged');
    routes.set(`/partial-content/ranged_law/${TRAIN}`, (_req, res) => {
      res.writeHead(206, { 'content-length': body.length });
      res.end(body);
    });

    const err = await failure(fetchData({ dir, tasks: ['ranged_law'], baseUrl: `${origin}/partial-content` }));
    expect(err.message).toMatch(/HTTP 206/);
    expect(listing(dir)).toEqual([]);
  });

  it("keeps a task's first file when its second one fails", async () => {
    const dir = freshDir('second');
    const train = fakeParquet('train');
    serve('second', 'half_law', TRAIN, train);
    routes.set(`/second/half_law/${TEST}`, (_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });

    const err = await failure(fetchData({ dir, tasks: ['half_law'], baseUrl: `${origin}/second` }));
    expect(err.url).toBe(`${origin}/second/half_law/${TEST}`);
    expect(err.message).toMatch(/HTTP 500/);
    expect(listing(dir)).toEqual(['half_law/', `half_law/${TRAIN}`]);
    expect(fs.readFileSync(path.join(dir, 'half_law', TRAIN)).equals(train)).toBe(true);
  });

  it.each([
    ['with a Content-Length', true],
    ['chunked', false],
  ])('fails on a connection cut mid-body (%s) and leaves no partial file', async (_name, withLength) => {
    const prefix = withLength ? 'cut-length' : 'cut-chunked';
    const dir = freshDir(prefix);
    const body = Buffer.concat([fakeParquet('x'.repeat(64 * 1024))]);
    routes.set(`/${prefix}/cut_law/${TRAIN}`, (_req, res) => {
      res.writeHead(200, withLength ? { 'content-length': body.length } : {});
      res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
    });

    const err = await failure(fetchData({ dir, tasks: ['cut_law'], baseUrl: `${origin}/${prefix}` }));
    expect(err.url).toBe(`${origin}/${prefix}/cut_law/${TRAIN}`);
    expect(listing(dir)).toEqual([]);
  });

  it.each([
    ['no magic at all', Buffer.from('<html>this is a login page, not parquet</html>')],
    ['no magic at the end', fakeParquet('truncated').subarray(0, 100)],
    ['too short', Buffer.from('PAR1')],
  ])('rejects a body with %s and writes no file', async (_name, body) => {
    const prefix = `magic-${body.length}`;
    const dir = freshDir(prefix);
    serve(prefix, 'fake_law', TRAIN, body);

    const err = await failure(fetchData({ dir, tasks: ['fake_law'], baseUrl: `${origin}/${prefix}` }));
    expect(err.message).toContain('PAR1');
    expect(listing(dir)).toEqual([]);
  });

  it('keeps the existing file when a forced re-download is bad', async () => {
    const dir = freshDir('keep');
    const old = fakeParquet('old');
    fs.mkdirSync(path.join(dir, 'kept_law'));
    fs.writeFileSync(path.join(dir, 'kept_law', TRAIN), old);
    serve('keep', 'kept_law', TRAIN, Buffer.from('not parquet'));

    await failure(fetchData({ dir, tasks: ['kept_law'], baseUrl: `${origin}/keep`, force: true }));
    expect(listing(dir)).toEqual(['kept_law/', `kept_law/${TRAIN}`]);
    expect(fs.readFileSync(path.join(dir, 'kept_law', TRAIN)).equals(old)).toBe(true);
  });

  it('offline: says so, points at the manual download and writes nothing', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    // A destination that does not exist yet, so any folder made on the way would show.
    const dir = path.join(root, 'offline', 'data');
    const err = await failure(fetchData({ dir, tasks: ['lonely_law'], baseUrl: `http://127.0.0.1:${port}` }));
    expect(err.url).toBe(`http://127.0.0.1:${port}/lonely_law/${TRAIN}`);
    expect(err.message).toContain('offline?');
    expect(err.message).toContain('https://huggingface.co/datasets/sijieli/scalebench');
    expect(err.message).toContain(`${path.join(dir, 'lonely_law')}${path.sep}`);
    expect(err.message).toContain('--data-dir / ACTIVE_SL_DATA');
    expect(fs.existsSync(path.join(root, 'offline'))).toBe(false);
  });

  it.each([
    ['before the headers', false],
    ['in the middle of the body', true],
  ])('times out %s', async (_name, sendHalf) => {
    const prefix = sendHalf ? 'slow-body' : 'slow-head';
    const dir = freshDir(prefix);
    const body = fakeParquet('slow');
    routes.set(`/${prefix}/slow_law/${TRAIN}`, (_req, res) => {
      if (!sendHalf) return; // never answers
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 10));
    });

    const started = Date.now();
    const err = await failure(fetchData({ dir, tasks: ['slow_law'], baseUrl: `${origin}/${prefix}`, timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err.message).toContain('within 200 ms');
    expect(err.message).toContain('offline?');
    expect(listing(dir)).toEqual([]);
  });

  it('refuses task names that could leave the destination, before any request', async () => {
    const before = requested.length;
    await expect(fetchData({ dir: root, tasks: ['../escape'], baseUrl: origin })).rejects.toThrow(/not a task name/);
    expect(requested.length).toBe(before);
  });
});
