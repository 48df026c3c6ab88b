/**
 * The two ways `serve` says no: a `ServeError` before the server starts (the command turns it into
 * a usage error, exit 2), and an `HttpError` for one request (its status and one message naming
 * the field and row; nothing was changed).
 */

/** A problem with the campaign's files or flags, found while starting. */
export class ServeError extends Error {
  override name = 'ServeError';
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
