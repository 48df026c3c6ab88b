/**
 * Pending runs: suggestions handed to a job, each with a lease that expires if the job never
 * reports. A leased pool row is not suggested to anyone else; a told run of that configuration,
 * a release, or the expiry frees it. The book is kept beside the runs file (`runs.csv.pending.json`,
 * with the campaign's version) so that a restarted server still knows what is out.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { durableWrite } from './durable.js';
import { ServeError } from './errors.js';

export interface Lease {
  id: string;
  group: string;
  /** Index of the row within its group's pool. */
  index: number;
  /** Data row (0-based) in the pool file, as suggestions name it. */
  row: number;
  features: Record<string, number>;
  cost: number;
  /** Whoever took it, as the client said (a job id). */
  worker: string | null;
  leasedAt: string;
  expires: string;
}

export interface PendingFile {
  version: number;
  leases: Lease[];
}

export function pendingFileOf(runsFile: string): string {
  return `${runsFile}.pending.json`;
}

/** The saved book, or null when there is none; a file that is not one is an error naming it. */
export function readPending(file: string): PendingFile | null {
  if (!fs.existsSync(file)) return null;
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PendingFile>;
    if (typeof raw.version !== 'number' || !Array.isArray(raw.leases)) throw new Error('expected { version, leases }');
    return { version: raw.version, leases: raw.leases };
  } catch (e) {
    throw new ServeError(`${file}: not a pending-runs file of active-sl serve (${(e as Error).message}); move it away to start with no pending runs`);
  }
}

export function writePending(file: string, book: PendingFile): Promise<void> {
  return durableWrite(file, `${JSON.stringify(book, null, 1)}\n`);
}

export interface LeaseBook {
  /** Leases not yet expired at the last `expire`. */
  list(): readonly Lease[];
  add(lease: Omit<Lease, 'id' | 'leasedAt' | 'expires'>, seconds: number, now: number): Lease;
  release(id: string): Lease | null;
  /** Removes and returns every lease `drop` says. */
  releaseWhere(drop: (l: Lease) => boolean): Lease[];
  /** Removes and returns the leases whose time is up. */
  expire(now: number): Lease[];
}

export function createLeaseBook(initial: readonly Lease[]): LeaseBook {
  let leases = [...initial];
  const releaseWhere = (drop: (l: Lease) => boolean) => {
    const gone = leases.filter(drop);
    if (gone.length) leases = leases.filter((l) => !drop(l));
    return gone;
  };
  return {
    list: () => leases,
    add(base, seconds, now) {
      const lease: Lease = {
        ...base,
        id: randomBytes(6).toString('hex'),
        leasedAt: new Date(now).toISOString(),
        expires: new Date(now + seconds * 1000).toISOString(),
      };
      leases = [...leases, lease];
      return lease;
    },
    release: (id) => releaseWhere((l) => l.id === id)[0] ?? null,
    releaseWhere,
    expire: (now) => releaseWhere((l) => Date.parse(l.expires) <= now),
  };
}

/** A lease length: seconds, or a number with s, m, h or d ("90s", "30m", "1h", "2d"). */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/.exec(text);
  if (!m) return null;
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return seconds > 0 ? seconds : null;
}
