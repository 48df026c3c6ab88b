/**
 * Runs units on a pool of worker threads (tinypool), all cores busy, and hands results back in
 * unit order — so that what is written does not depend on the number of workers.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import type { UnitRecord } from './unit.js';
import runJob, { type UnitJob } from './worker.js';

/** The compiled worker beside this module; absent when running from TypeScript sources. */
function workerFile(): string | null {
  const file = fileURLToPath(new URL('./worker.js', import.meta.url));
  return fs.existsSync(file) ? file : null;
}

/**
 * Runs every job; `onResult(i, record)` is called for job 0, 1, 2, … in order, each as soon as it
 * and all before it are done.
 */
export async function runJobs(jobs: readonly UnitJob[], workers: number, onResult: (index: number, record: UnitRecord) => void): Promise<void> {
  const file = workerFile();
  if (workers <= 1 || jobs.length <= 1 || file === null) {
    jobs.forEach((job, i) => onResult(i, runJob(job)));
    return;
  }
  const pool = new Tinypool({ filename: file, minThreads: Math.min(workers, jobs.length), maxThreads: Math.min(workers, jobs.length) });
  const done = new Map<number, UnitRecord>();
  let next = 0;
  try {
    await Promise.all(
      jobs.map(async (job, i) => {
        const record = (await pool.run(job)) as UnitRecord;
        done.set(i, record);
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
