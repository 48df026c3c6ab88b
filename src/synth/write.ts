/**
 * Puts a generated task folder in place all at once: the files go into a hidden sibling folder,
 * which is then renamed to the destination, so a reader (or a crash) never sees half a scenario.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateScenario, type ScenarioSummary } from './generate.js';
import type { ScenarioSpec, ScenarioSpecInput } from './spec.js';

/** The destination cannot be (re)written; names the folder and why. */
export class OutputFolderError extends Error {
  override name = 'OutputFolderError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`${dir}: ${reason}`);
  }
}

export interface WriteFolderOptions {
  /** Replace a non-empty destination, provided `active-sl synth` wrote it. */
  force?: boolean;
}

/** The marker generate.ts puts in task.json; --force deletes only folders that carry it. */
function writtenBySynth(dir: string): boolean {
  try {
    const task = JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8')) as { synthetic?: { generator?: unknown } };
    return task.synthetic?.generator === 'active-sl synth';
  } catch {
    return false;
  }
}

/** Whether the destination exists; throws when it must not be replaced. */
function checkDestination(dir: string, force: boolean): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return false;
  }
  if (!stat.isDirectory()) throw new OutputFolderError(dir, 'exists and is not a folder');
  if (fs.readdirSync(dir).length === 0) return true;
  if (!force) throw new OutputFolderError(dir, 'exists and is not empty (add --force to replace a folder active-sl synth wrote)');
  const cwd = path.resolve(process.cwd());
  if (cwd === dir || cwd.startsWith(`${dir}${path.sep}`)) throw new OutputFolderError(dir, 'is the current folder or holds it; --force will not replace it');
  // --force on a mistyped --out must not wipe someone's work: only our own output is replaced
  if (!writtenBySynth(dir))
    throw new OutputFolderError(dir, 'is not empty and was not written by active-sl synth (no task.json with "synthetic"); --force will not replace it');
  return true;
}

/** Writes `files` (name → contents) as the folder `dir`; returns its absolute path. */
export function writeFolderAtomically(dir: string, files: Readonly<Record<string, string>>, options: WriteFolderOptions = {}): string {
  const dest = path.resolve(dir);
  const exists = checkDestination(dest, options.force ?? false);
  const parent = path.dirname(dest);
  // mkdir, not mkdtemp: the folder keeps the mode any new folder gets here (mkdtemp makes it 700)
  const staging = path.join(parent, `.${path.basename(dest)}.synth-${randomUUID()}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(staging);
  } catch (e) {
    // the parent and the hidden staging folder are not what the user named: the error names --out,
    // and a file where a folder must be is said as such (mkdir -p reports it as "already there")
    const error = e as NodeJS.ErrnoException;
    if (error.code === 'EEXIST') error.code = 'ENOTDIR';
    error.path = dest;
    throw error;
  }
  const retired = `${staging}.old`;
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(staging, name), text);
    if (exists) fs.renameSync(dest, retired);
    try {
      fs.renameSync(staging, dest);
    } catch (e) {
      if (exists) fs.renameSync(retired, dest);
      throw e;
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutputFolderError(dest, `cannot write (${code ?? (e as Error).message})`);
  }
  fs.rmSync(retired, { recursive: true, force: true });
  return dest;
}

/** Generates a scenario and writes its folder; a spec that fails a check writes nothing. */
export function writeScenario(
  spec: ScenarioSpec | ScenarioSpecInput,
  dir: string,
  options: WriteFolderOptions = {},
): { dir: string; summary: ScenarioSummary } {
  const generated = generateScenario(spec);
  return { dir: writeFolderAtomically(dir, generated.files, options), summary: generated.summary };
}
