/** Files that are never seen half-written: whole-file writes by rename, append-only JSON lines that survive a kill. */
import fs from 'node:fs';

/** Writes `text` to a temporary file beside `file` and renames it over: readers see the old file or the new one. */
export function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * The complete lines of an append-only JSON-lines file. A last line cut short by a killed process
 * is removed from the file, so that appending continues a well-formed file.
 */
export function readJsonLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const records: T[] = [];
  let good = 0;
  for (const line of text.split('\n')) {
    if (good + line.length >= text.length) break; // no newline after it: unfinished
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      break;
    }
    good += line.length + 1;
  }
  if (good < text.length) fs.truncateSync(file, Buffer.byteLength(text.slice(0, good)));
  return records;
}
