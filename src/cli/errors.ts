/**
 * Errors a user can act on: printed as one line (no stack) with exit code 2. Anything else is a bug
 * and keeps its stack.
 */
import { DataError } from '../data/table.js';
import { TaskError } from '../data/task.js';
import { FormulaError } from '../laws/formula/index.js';

/** A flag or argument that is not allowed; names the flag and what is allowed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USER_ERRORS = [UsageError, TaskError, DataError, FormulaError] as const;

export function isUserError(e: unknown): e is Error {
  return e instanceof Error && (USER_ERRORS.some((k) => e instanceof k) || e.name === 'FetchDataError');
}
