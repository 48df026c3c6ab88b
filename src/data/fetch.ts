/**
 * Downloads the ScaleBench parquet files (Hugging Face dataset sijieli/scalebench, CC-BY-4.0) into
 * <dir>/<task>/<file>. A file only ever appears under its final name once it arrived whole and
 * looks like parquet, so a folder that `locate` finds is never a half-download; a failed run leaves
 * what it finished before and nothing else.
 */
import { randomBytes } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_DATA_URL = 'https://huggingface.co/datasets/sijieli/scalebench/resolve/main';
export const DATA_FILES = ['train-00000-of-00001.parquet', 'test-00000-of-00001.parquet'] as const;

const DATASET_PAGE = 'https://huggingface.co/datasets/sijieli/scalebench';
const PARQUET_MAGIC = Buffer.from('PAR1', 'ascii');
const DEFAULT_TIMEOUT_MS = 60_000;

export interface FetchProgress {
  task: string;
  file: string;
  state: 'skip' | 'start' | 'done';
  bytes?: number;
}

export interface FetchDataOptions {
  /** Destination root; files go to <dir>/<task>/<file>. */
  dir: string;
  tasks: readonly string[];
  /** Default DEFAULT_DATA_URL. The CLI reads ACTIVE_SL_DATA_URL; this module reads no environment. */
  baseUrl?: string;
  /** Default globalThis.fetch. */
  fetchImpl?: typeof fetch;
  /** Per request, headers and body together. Default 60000. */
  timeoutMs?: number;
  /** Re-download files that exist. */
  force?: boolean;
  onProgress?: (event: FetchProgress) => void;
}

export interface FetchedFile {
  task: string;
  file: string;
  path: string;
  bytes: number;
  skipped: boolean;
}

export class FetchDataError extends Error {
  constructor(
    message: string,
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FetchDataError';
  }
}

/**
 * Downloads DATA_FILES of every task, one file at a time, and stops at the first failure with a
 * FetchDataError; files completed before it stay.
 */
export async function fetchData(options: FetchDataOptions): Promise<FetchedFile[]> {
  const root = path.resolve(options.dir);
  const baseUrl = (options.baseUrl ?? DEFAULT_DATA_URL).replace(/\/+$/, '');
  const fetchImpl = options.fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  // Task names become both a path segment and a URL segment: anything else could escape <dir>.
  for (const task of options.tasks) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(task)) {
      throw new TypeError(`not a task name: '${task}'`);
    }
  }

  const fetched: FetchedFile[] = [];
  for (const task of options.tasks) {
    const taskDir = path.join(root, task);
    const hint = `offline? Download the files by hand from ${DATASET_PAGE} into ${taskDir}${path.sep} ` + `or point --data-dir / ACTIVE_SL_DATA at a copy`;
    // The topmost folder this call made for the task, so that a failure can take back folders
    // that would otherwise stay behind empty.
    let createdFrom: string | undefined;
    try {
      for (const file of DATA_FILES) {
        const target = path.join(taskDir, file);
        const existing = await fileSize(target);
        if (existing !== undefined && !options.force) {
          options.onProgress?.({ task, file, state: 'skip', bytes: existing });
          fetched.push({ task, file, path: target, bytes: existing, skipped: true });
          continue;
        }
        options.onProgress?.({ task, file, state: 'start' });
        createdFrom ??= await fs.mkdir(taskDir, { recursive: true });
        const url = `${baseUrl}/${encodeURIComponent(task)}/${encodeURIComponent(file)}`;
        const bytes = await download(url, target, fetchImpl, timeoutMs, hint);
        options.onProgress?.({ task, file, state: 'done', bytes });
        fetched.push({ task, file, path: target, bytes, skipped: false });
      }
    } catch (err) {
      if (createdFrom !== undefined) await removeEmptyFolders(taskDir, createdFrom);
      throw err;
    }
  }
  return fetched;
}

async function fileSize(p: string): Promise<number | undefined> {
  try {
    const stat = await fs.stat(p);
    return stat.isFile() ? stat.size : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Removes `from` and its parents up to `top` while they are empty. */
async function removeEmptyFolders(from: string, top: string): Promise<void> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      await fs.rmdir(dir);
    } catch {
      return; // not empty (or already gone): everything above it stays too
    }
    if (dir === top || path.dirname(dir) === dir) return;
  }
}

/** Downloads `url` to `target` through a partial file beside it; returns the size in bytes. */
async function download(url: string, target: string, fetchImpl: typeof fetch, timeoutMs: number, hint: string): Promise<number> {
  const partial = `${target}.partial-${randomBytes(6).toString('hex')}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
  let handle: FileHandle | undefined;
  let renamed = false;
  try {
    let response: Response;
    try {
      response = await fetchImpl(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw networkError(url, err, controller.signal, hint);
    }
    if (response.status !== 200) {
      // Releases the connection instead of leaving an unread body holding it.
      await response.body?.cancel().catch(() => {});
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new FetchDataError(`cannot download ${url}: ${status}`, url);
    }
    if (response.body === null) throw new FetchDataError(`cannot download ${url}: the answer has no body`, url);

    // 'wx' so that a name clash can never write into someone else's file.
    handle = await fs.open(partial, 'wx+');
    const reader = response.body.getReader();
    let bytes = 0;
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          throw networkError(url, err, controller.signal, hint);
        }
        if (chunk.done) break;
        await handle.write(chunk.value);
        bytes += chunk.value.byteLength;
      }
    } finally {
      reader.releaseLock();
    }

    // fetch decodes compressed bodies, after which Content-Length no longer counts what we got.
    const length = response.headers.get('content-length');
    const encoding = response.headers.get('content-encoding');
    if (length !== null && (encoding === null || encoding === 'identity') && Number(length) !== bytes) {
      throw new FetchDataError(`cannot download ${url}: the connection ended after ${bytes} of ${length} bytes; ${hint}`, url);
    }
    await checkParquet(handle, bytes, url);
    // On disk before the rename, so a crash cannot leave a short file under the final name.
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(partial, target);
    renamed = true;
    return bytes;
  } catch (err) {
    if (err instanceof FetchDataError) throw err;
    throw new FetchDataError(`cannot save ${url} to ${target}: ${describe(err)}`, url, { cause: err });
  } finally {
    clearTimeout(timer);
    await handle?.close().catch(() => {});
    if (!renamed) await fs.rm(partial, { force: true }).catch(() => {});
  }
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

function networkError(url: string, err: unknown, signal: AbortSignal, hint: string): FetchDataError {
  // Once our timer fired, whatever fetch threw is only a consequence of the abort.
  const cause = signal.aborted && signal.reason instanceof TimeoutError ? signal.reason : err;
  return new FetchDataError(`cannot download ${url}: ${describe(cause)}; ${hint}`, url, { cause: err });
}

/** The messages along an error's cause chain on one line ("fetch failed: connect ECONNREFUSED …"). */
function describe(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== undefined && e !== null; depth++) {
    if (e instanceof AggregateError && e.errors.length > 0) {
      parts.push(e.errors.map((x) => describe(x)).join(', '));
      break;
    }
    const message = e instanceof Error ? e.message || (e as NodeJS.ErrnoException).code || e.name : String(e);
    if (message && !parts.includes(message)) parts.push(message);
    e = e instanceof Error ? e.cause : undefined;
  }
  return (parts.join(': ') || 'unknown error').replace(/\s+/g, ' ');
}

async function checkParquet(handle: FileHandle, bytes: number, url: string): Promise<void> {
  const fail = (): never => {
    throw new FetchDataError(`cannot download ${url}: the body (${bytes} bytes) is not a parquet file (it must start and end with PAR1)`, url);
  };
  if (bytes < 2 * PARQUET_MAGIC.length) fail();
  const head = Buffer.alloc(PARQUET_MAGIC.length);
  const tail = Buffer.alloc(PARQUET_MAGIC.length);
  await handle.read(head, 0, head.length, 0);
  await handle.read(tail, 0, tail.length, bytes - tail.length);
  if (!head.equals(PARQUET_MAGIC) || !tail.equals(PARQUET_MAGIC)) fail();
}
