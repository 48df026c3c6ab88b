/** The compute thread of `active-sl serve`: the engine (computer.ts), one request at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from './engine.js';
import { createHandler, type ComputeKind } from './computer.js';

function serve(): void {
  const handle = createHandler(workerData as EngineConfig);
  let tail: Promise<void> = Promise.resolve();
  parentPort!.on('message', (m: { id: number; kind: ComputeKind; payload: unknown }) => {
    tail = tail.then(async () => {
      try {
        parentPort!.postMessage({ id: m.id, ok: true, value: await handle(m.kind, m.payload) });
      } catch (e) {
        parentPort!.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
      }
    });
  });
}

serve();
