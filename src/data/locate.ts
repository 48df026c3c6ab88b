/**
 * Where a task's data files are. Built-in tasks look in --data-dir, else $ACTIVE_SL_DATA, else the
 * package's datasets/<task>/ (where `fetch-data` puts them) and then ../shared/datasets beside the
 * package. A user's task file names its files relative to itself.
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

/**
 * The folders searched for built-in task data, in order. A folder the user names (--data-dir, else
 * $ACTIVE_SL_DATA) is the only one searched: data found elsewhere would change results without a
 * sign. It must exist.
 */
export function dataRoots(options: LocateOptions = {}): string[] {
  const env = options.env ?? process.env;
  const named: [string, string | undefined][] = [
    ['--data-dir', options.dataDir],
    ['ACTIVE_SL_DATA', env.ACTIVE_SL_DATA],
  ];
  for (const [source, dir] of named) {
    if (dir === undefined || dir.length === 0) continue;
    const root = path.resolve(dir);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new DataError(source, `${root} is not a folder`);
    return [root];
  }
  return [path.join(packageRoot(), 'datasets'), path.resolve(packageRoot(), '..', 'shared', 'datasets')];
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
        `Get it with 'active-sl fetch-data', or point --data-dir or ACTIVE_SL_DATA at a folder holding ${task.name}/${file}` +
        (options.dataDir || (options.env ?? process.env).ACTIVE_SL_DATA ? ' (a folder named there is the only one searched)' : ''),
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
