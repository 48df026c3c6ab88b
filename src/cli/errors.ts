/**
 * Errors a user can act on: printed as one line (no stack) with exit code 2. Anything else is a bug
 * and keeps its stack.
 */

/** A flag or argument that is not allowed; names the flag and what is allowed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The errors a user can act on, by name: a bad flag, task file, data file, formula or download.
 * Matched by name rather than class so that the CLI's error path imports none of the modules that
 * throw them (the data reader alone costs 0.4 s to load, and `--help` must not pay it).
 */
export const USER_ERRORS: ReadonlySet<string> = new Set(['UsageError', 'TaskError', 'DataError', 'FormulaError', 'FetchDataError']);

export function isUserError(e: unknown): e is Error {
  return e instanceof Error && USER_ERRORS.has(e.name);
}
