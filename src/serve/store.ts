/**
 * The observed runs file as the server keeps it: its text in memory, its runs parsed, and
 * appends committed by rewriting the whole file durably (durable.ts) before a tell is answered.
 * A kill at any moment leaves the file as it was before or after a commit: never a torn line.
 * The text the user wrote is kept byte for byte; new lines follow its line ending.
 */
import fs from 'node:fs';
import path from 'node:path';
import { observedFromTable } from '../campaign/observed.js';
import { readTable } from '../data/table.js';
import type { TaskSpec } from '../data/task.js';
import { durableWrite, stagingName } from './durable.js';
import { ServeError } from './errors.js';
import type { RecordedRun } from './validate.js';

export interface RunsFile {
  readonly file: string;
  /** The header, in file order. */
  readonly columns: readonly string[];
  readonly runs: readonly RecordedRun[];
  /** What opening did besides reading: created the file, removed a leftover temporary file. */
  readonly notes: readonly string[];
  /** Appends one line per run (header column → cell text), durably; the runs are recorded once it resolves. */
  append(rows: readonly { cells: Record<string, string>; group: string; x: number[]; y: number[] }[]): Promise<RecordedRun[]>;
  /** Whether something else has written the file since this process last read or wrote it. */
  changedOnDisk(): boolean;
  /** Reads the file again (after `changedOnDisk`). */
  reload(): Promise<void>;
}

/** A cell as CSV writes it: quoted when it holds a comma, a quote, or spaces a reader would trim. */
export function csvCell(text: string): string {
  return /[",]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

interface Stamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

const stampOf = (s: fs.Stats): Stamp => ({ ino: s.ino, size: s.size, mtimeMs: s.mtimeMs });

async function parseRuns(task: TaskSpec, file: string): Promise<{ columns: string[]; runs: RecordedRun[] }> {
  const table = await readTable(file);
  const needed = [...(task.group ? [task.group] : []), ...task.features, ...task.targets];
  const missing = needed.filter((c) => !table.columns.includes(c));
  if (missing.length) {
    throw new ServeError(
      `${file}: no column ${missing.map((c) => `'${c}'`).join(', ')}; the observed runs need ${needed.join(', ')} (columns: ${table.columns.join(', ')})`,
    );
  }
  if (table.numRows === 0) return { columns: table.columns, runs: [] };
  const obs = observedFromTable(task, file, table);
  const O = task.targets.length;
  const runs = obs.rows.map((row, i) => ({
    group: obs.group[i],
    x: obs.X.map((col) => col[i]),
    y: Array.from(obs.y.subarray(i * O, (i + 1) * O)),
    row,
  }));
  return { columns: table.columns, runs };
}

/** Opens (or creates, with the task's columns as header) the observed runs file. */
export async function openRunsFile(task: TaskSpec, file: string): Promise<RunsFile> {
  const notes: string[] = [];
  const staging = stagingName(file);
  if (fs.existsSync(staging)) {
    // a commit cut short by a kill: it was never renamed into place, so never acknowledged
    fs.rmSync(staging, { force: true });
    notes.push(`removed ${path.basename(staging)}, an unfinished write of a server that was stopped (those runs had not been acknowledged)`);
  }
  if (!fs.existsSync(file)) {
    const dir = path.dirname(file);
    if (!fs.existsSync(dir)) throw new ServeError(`--observed ${file}: the folder ${dir} does not exist`);
    await durableWrite(file, `${[...(task.group ? [task.group] : []), ...task.features, ...task.targets].map(csvCell).join(',')}\n`);
    notes.push(`created ${file} with the header only: no runs yet`);
  }
  let text = '';
  let stamp: Stamp = { ino: 0, size: 0, mtimeMs: 0 };
  let columns: string[] = [];
  let runs: RecordedRun[] = [];
  const read = async () => {
    const before = fs.statSync(file);
    text = fs.readFileSync(file, 'utf8');
    ({ columns, runs } = await parseRuns(task, file));
    stamp = stampOf(before);
  };
  await read();
  const mode = fs.statSync(file).mode & 0o777;
  return {
    file,
    get columns() {
      return columns;
    },
    get runs() {
      return runs;
    },
    notes,
    async append(rows) {
      if (rows.length === 0) return [];
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const lines = rows.map((r) => columns.map((c) => csvCell(r.cells[c] ?? '')).join(',') + eol).join('');
      // a file whose last line has no line ending gets one first, so the new run starts its own line
      const next = text + (text === '' || text.endsWith('\n') ? '' : eol) + lines;
      await durableWrite(file, next, mode);
      text = next;
      stamp = stampOf(fs.statSync(file));
      const added = rows.map((r, i) => ({ group: r.group, x: [...r.x], y: [...r.y], row: runs.length + i }));
      runs = [...runs, ...added];
      return added;
    },
    changedOnDisk() {
      try {
        const now = stampOf(fs.statSync(file));
        return now.ino !== stamp.ino || now.size !== stamp.size || now.mtimeMs !== stamp.mtimeMs;
      } catch {
        return true;
      }
    },
    reload: read,
  };
}
