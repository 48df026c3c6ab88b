/**
 * The HTTP face of a served campaign, on Node's own `node:http`: the page, the JSON API (ask,
 * tell, pending, forecast, campaign) and server-sent events. No path parameters: every endpoint is
 * a fixed name, so nothing outside the campaign's files can be reached. Writes need the token
 * when there is one; bound to loopback, requests must name a loopback host (no DNS rebinding), and
 * a write from another site's page is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileSystemMessage } from '../runtime/fs-errors.js';
import type { Campaign, Change } from './campaign-state.js';
import { badRequest, HttpError } from './errors.js';
import { renderPage } from './page.js';
import { MAX_BODY_BYTES } from './validate.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** Writes need `Authorization: Bearer <token>` when set. */
  token: string | null;
  /** Where server-side failures are logged (stderr). */
  log: (line: string) => void;
}

export interface RunningServer {
  url: string;
  server: http.Server;
  /** Stops accepting, ends the event streams and open connections. */
  close(): Promise<void>;
}

/** How long a stopping server waits for the answers under way before it drops their connections. */
const CLOSE_GRACE_MS = 5000;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127(\.\d{1,3}){3}$/.test(h) || h.endsWith('.localhost');
}

/** The host name of a Host header, without the port. */
function hostName(header: string): string {
  const m = /^(\[[^\]]*\]|[^:]+)(?::\d+)?$/.exec(header.trim());
  return m ? m[1] : header;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, null, 1);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Bodies declared beyond this are refused without reading them; between the limit and this they are read and dropped, so that the client hears the 400. */
const DRAIN_BYTES = 16 * MAX_BODY_BYTES;

/** The body as text; over MAX_BODY_BYTES is a 400 and the rest is not kept. */
function readBody(req: http.IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const tooBig = () => badRequest(`the body is over the ${MAX_BODY_BYTES / (1 << 20)} MiB limit; tell at most a few thousand runs at once`);
    if (Number.isFinite(declared) && declared > DRAIN_BYTES) {
      reject(tooBig());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else if (size > DRAIN_BYTES) {
        reject(tooBig());
        req.pause();
      }
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(tooBig()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw badRequest(`${name}=${v}: expected a whole number ≥ 1`);
  return n;
}

function numberParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || n < 0) throw badRequest(`${name}=${v}: expected a number ≥ 0`);
  return n;
}

function groupParam(q: URLSearchParams): string | undefined {
  return q.get('group') ?? undefined;
}

const ENDPOINTS = [
  'GET /',
  'GET /campaign',
  'GET /suggest',
  'GET /forecast',
  'GET /pending',
  'GET /figures',
  'GET /events',
  'POST /runs',
  'POST /pending',
  'DELETE /pending',
];

export function startServer(campaign: Campaign, options: HttpOptions): Promise<RunningServer> {
  const loopback = isLoopback(options.host);
  const token = options.token === null ? null : digest(options.token);
  const streams = new Set<http.ServerResponse>();
  const page = renderPage({ name: campaign.task.name });

  const authorise = (req: http.IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let same = false;
      try {
        same = new URL(origin).host === req.headers.host;
      } catch {
        same = false;
      }
      if (!same) throw new HttpError(403, `a write from another site's page (${origin}) is refused`);
    }
    if (token === null) return;
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new HttpError(401, 'this server needs a token for writes: send Authorization: Bearer <token>');
    if (!timingSafeEqual(digest(m[1].trim()), token)) throw new HttpError(401, 'the token is wrong');
  };

  const events = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const send = (c: Change) => res.write(`event: change\ndata: ${JSON.stringify(c)}\n\n`);
    res.write('retry: 2000\n\n');
    send({ version: campaign.version(), kind: 'start' });
    const off = campaign.onChange(send);
    const ping = setInterval(() => res.write(': ping\n\n'), 20_000);
    ping.unref();
    streams.add(res);
    req.on('close', () => {
      off();
      clearInterval(ping);
      streams.delete(res);
    });
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (loopback) {
      const host = hostName(req.headers.host ?? '');
      if (!isLoopback(host)) throw new HttpError(403, `Host '${req.headers.host ?? ''}' is not this machine: the server answers requests to localhost only`);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    const where = `${req.method} ${url.pathname}`;
    switch (where) {
      case 'GET /':
        res.writeHead(200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Cache-Control': 'no-store',
          'Content-Security-Policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:",
        });
        res.end(page);
        return;
      case 'GET /favicon.ico':
        res.writeHead(204).end();
        return;
      case 'GET /campaign':
        return sendJson(res, 200, await campaign.view());
      case 'GET /figures':
        return sendJson(res, 200, await campaign.figures());
      case 'GET /suggest':
        return sendJson(res, 200, await campaign.suggest({ group: groupParam(q), batch: intParam(q, 'batch'), budget: numberParam(q, 'budget') }));
      case 'GET /forecast':
        return sendJson(res, 200, await campaign.forecast(groupParam(q)));
      case 'GET /pending':
        return sendJson(res, 200, campaign.pending());
      case 'GET /events':
        return events(req, res);
      case 'POST /runs': {
        authorise(req);
        const body = await readBody(req);
        const replicates = q.get('replicates');
        return sendJson(res, 200, await campaign.tell(body, req.headers['content-type'], { replicates: replicates === '1' || replicates === 'true' }));
      }
      case 'POST /pending': {
        authorise(req);
        const body = await readBody(req);
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (type !== 'application/json') throw badRequest(`Content-Type ${type || '(none)'}: send application/json`);
        let value: unknown;
        try {
          value = body.trim() === '' ? {} : JSON.parse(body);
        } catch (e) {
          throw badRequest(`the body is not valid JSON (${(e as Error).message})`);
        }
        return sendJson(res, 200, await campaign.lease(value));
      }
      case 'DELETE /pending': {
        authorise(req);
        const id = q.get('lease');
        if (!id) throw badRequest('name the lease: DELETE /pending?lease=<id>');
        return sendJson(res, 200, await campaign.release(id));
      }
    }
    if (ENDPOINTS.some((e) => e.endsWith(` ${url.pathname}`))) {
      const allowed = ENDPOINTS.filter((e) => e.endsWith(` ${url.pathname}`)).map((e) => e.split(' ')[0]);
      res.setHeader('Allow', allowed.join(', '));
      throw new HttpError(405, `${where}: this endpoint takes ${allowed.join(', ')}`);
    }
    throw new HttpError(404, `no endpoint ${where}; the endpoints are ${ENDPOINTS.join(', ')}`);
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError ? e.message : (fileSystemMessage(e) ?? `internal error: ${(e as Error).message}`);
      if (status === 500) options.log(`active-sl serve: ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      // a refused upload is not read to its end: the client learns at once, the connection closes
      if (status === 400 && !req.complete) res.setHeader('Connection', 'close');
      sendJson(res, status, { error: message, version: campaign.version() });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            // requests under way (a tell being written) get their answers; idle and event connections go now
            for (const s of streams) s.end();
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
          }),
      });
    });
  });
}
