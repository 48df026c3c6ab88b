/**
 * Runs independent jobs on a pool of worker threads (tinypool), all cores busy, and hands results
 * back in job order — so that what is written does not depend on the number of workers.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';

/** A compiled worker module (its default export runs one job); absent when running from TypeScript sources. */
export function workerFile(url: URL): string | null {
  const file = fileURLToPath(url);
  return fs.existsSync(file) ? file : null;
}

/**
 * Runs every job on worker threads, or in this thread when there is no compiled worker file (tests
 * from TypeScript sources); `onResult(i, result)` is called for job 0, 1, 2, … in order, each as
 * soon as it and all before it are done. One worker is a pool of one thread too: this thread stays
 * free to answer Ctrl-C while a unit runs.
 */
export async function runPool<J, R>(
  file: string | null,
  run: (job: J) => R,
  jobs: readonly J[],
  workers: number,
  onResult: (index: number, result: R) => void,
): Promise<void> {
  if (file === null || jobs.length === 0) {
    jobs.forEach((job, i) => onResult(i, run(job)));
    return;
  }
  const pool = new Tinypool({ filename: file, minThreads: Math.min(workers, jobs.length), maxThreads: Math.min(workers, jobs.length) });
  const done = new Map<number, R>();
  let next = 0;
  try {
    await Promise.all(
      jobs.map(async (job, i) => {
        const result = (await pool.run(job)) as R;
        done.set(i, result);
        while (done.has(next)) {
          onResult(next, done.get(next)!);
          done.delete(next);
          next += 1;
        }
      }),
    );
  } finally {
    await pool.destroy();
  }
}
