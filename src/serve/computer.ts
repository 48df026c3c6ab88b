/**
 * Where the engine runs: on a worker thread when the compiled worker is there (the server's own
 * thread then keeps answering tells, leases and the page while a fit takes seconds), in this
 * thread otherwise (tests from the TypeScript sources). Either way requests are answered one at
 * a time, in order.
 */
import { Worker } from 'node:worker_threads';
import { workerFile } from '../runtime/pool.js';
import {
  createEngine,
  type Engine,
  type EngineConfig,
  type GroupView,
  type RunsSnapshot,
  type SuggestAnswer,
  type SuggestRequest,
  type ViewRequest,
} from './engine.js';
import type { GroupFigures } from './figures.js';

export interface ViewAnswer {
  views: GroupView[];
  figures: GroupFigures[] | null;
}

export interface ComputeRequests {
  suggest: { payload: SuggestRequest; answer: SuggestAnswer };
  view: { payload: ViewRequest & { figures: boolean; stopBelow?: number }; answer: ViewAnswer };
  backfill: { payload: RunsSnapshot; answer: number };
}
export type ComputeKind = keyof ComputeRequests;

export interface Computer {
  call<K extends ComputeKind>(kind: K, payload: ComputeRequests[K]['payload']): Promise<ComputeRequests[K]['answer']>;
  close(): Promise<void>;
}

/** The engine behind one function: what the worker runs, and what the in-thread computer calls. */
export function createHandler(config: EngineConfig): (kind: ComputeKind, payload: unknown) => Promise<unknown> {
  let engine: Promise<Engine> | null = null;
  return async (kind, payload) => {
    engine ??= createEngine(config);
    const e = await engine;
    if (kind === 'suggest') return e.suggest(payload as SuggestRequest);
    if (kind === 'backfill') return e.backfill(payload as RunsSnapshot);
    const req = payload as ComputeRequests['view']['payload'];
    const views = e.view(req);
    if (!req.figures) return { views, figures: null };
    // vega is loaded only by the first request that draws
    const { groupFigures } = await import('./figures.js');
    const figures: GroupFigures[] = [];
    for (const [i, v] of views.entries()) figures.push(await groupFigures(v, i, req.stopBelow));
    return { views, figures };
  };
}

/** Runs `task`s one after another. */
function queue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const next = tail.then(task);
    tail = next.catch(() => undefined);
    return next;
  };
}

function inThread(config: EngineConfig): Computer {
  const handle = createHandler(config);
  const serial = queue();
  return {
    // setImmediate: the caller's I/O gets its turn before a fit holds the thread
    call: (kind, payload) => serial(() => new Promise((resolve) => setImmediate(resolve)).then(() => handle(kind, payload))) as never,
    close: async () => {},
  };
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
  stack?: string;
}

function onWorker(file: string, config: EngineConfig): Computer {
  let worker: Worker | null = null;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  const start = (): Worker => {
    const w = new Worker(file, { workerData: config });
    w.on('message', (m: Reply) => {
      const entry = waiting.get(m.id);
      if (!entry) return;
      waiting.delete(m.id);
      if (m.ok) entry.resolve(m.value);
      else entry.reject(Object.assign(new Error(m.error), { stack: m.stack ?? m.error }));
    });
    w.on('error', (e) => failAll(e));
    w.on('exit', (code) => {
      // the next request starts a fresh thread
      if (worker === w) worker = null;
      failAll(new Error(`the compute thread stopped (exit code ${code})`));
    });
    w.unref();
    return w;
  };
  return {
    call(kind, payload) {
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker!.postMessage({ id, kind, payload });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

export function createComputer(config: EngineConfig): Computer {
  const file = workerFile(new URL('./compute-worker.js', import.meta.url));
  return file === null ? inThread(config) : onWorker(file, config);
}
