import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createLeaseBook, parseDuration, readPending, writePending } from './leases.js';

const base = { group: 'all_data', index: 3, row: 3, features: { N: 1, D: 2 }, cost: 12, worker: 'job-1' };

it('holds leases until released, told or expired', () => {
  const book = createLeaseBook([]);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const a = book.add(base, 60, t0);
  const b = book.add({ ...base, index: 4, row: 4 }, 120, t0);
  expect(a.id).not.toBe(b.id);
  expect(a.expires).toBe('2026-01-01T00:01:00.000Z');
  expect(book.expire(t0 + 59_999)).toEqual([]);
  expect(book.expire(t0 + 60_000).map((l) => l.id)).toEqual([a.id]);
  expect(book.release('nope')).toBeNull();
  expect(book.release(b.id)?.row).toBe(4);
  expect(book.list()).toEqual([]);
});

it('keeps the book across restarts in a file, and refuses a file that is not one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-serve-leases-'));
  try {
    const file = path.join(dir, 'runs.csv.pending.json');
    expect(readPending(file)).toBeNull();
    const lease = createLeaseBook([]).add(base, 60, Date.now());
    await writePending(file, { version: 7, leases: [lease] });
    expect(readPending(file)).toEqual({ version: 7, leases: [lease] });
    fs.writeFileSync(file, '{"leases": 3}');
    expect(() => readPending(file)).toThrow(/not a pending-runs file of active-sl serve \(expected \{ version, leases \}\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('reads lease lengths in seconds or with a unit', () => {
  expect(['90', '90s', '30m', '1.5h', '2d', '0', 'soon', '-3'].map(parseDuration)).toEqual([90, 90, 1800, 5400, 172800, null, null, null]);
});
