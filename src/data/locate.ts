/**
 * Where a task's data files are. Built-in tasks look, in order, in: --data-dir, $ACTIVE_SL_DATA,
 * the package's datasets/<task>/ (where `fetch-data` puts them), and ../shared/datasets beside
 * the package. A user's task file names its files relative to itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskSpec } from './task.js';
import { DataError } from './table.js';

export interface LocateOptions {
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

/** The folders searched for built-in task data, in order. */
export function dataRoots(options: LocateOptions = {}): string[] {
  const env = options.env ?? process.env;
  const roots = [
    options.dataDir,
    env.ACTIVE_SL_DATA,
    path.join(packageRoot(), 'datasets'),
    path.resolve(packageRoot(), '..', 'shared', 'datasets'),
  ].filter((r): r is string => typeof r === 'string' && r.length > 0);
  return [...new Set(roots.map((r) => path.resolve(r)))];
}

export function locateFile(task: TaskSpec, file: string, options: LocateOptions = {}): string {
  const tried: string[] = [];
  if (task.builtin) {
    for (const root of dataRoots(options)) {
      const p = path.join(root, task.name, file);
      tried.push(p);
      if (fs.existsSync(p)) return p;
    }
    throw new DataError(
      file,
      `the data of '${task.name}' was not found; looked in:\n  ${tried.join('\n  ')}\n` +
        `Get it with 'active-sl fetch-data', or point --data-dir or ACTIVE_SL_DATA at a folder holding ${task.name}/${file}`,
    );
  }
  const candidates = path.isAbsolute(file) ? [file] : [path.join(task.dir, file)];
  if (!path.isAbsolute(file) && options.dataDir) candidates.push(path.join(options.dataDir, file));
  for (const p of candidates) {
    tried.push(p);
    if (fs.existsSync(p)) return p;
  }
  throw new DataError(task.file, `data file '${file}' not found; looked in: ${tried.join(', ')}`);
}
