// One error type for every answer that is not a success, so each route states the status and a
// sentence the caller can act on, and the error handler (app.js) renders them all the same way:
// `{error: {code, message}}`.

export class HttpError extends Error {
  /**
   * @param {number} statusCode the HTTP status (400, 401, 403, 404, 409, ...)
   * @param {string} code a stable, machine-readable word ("bad_request", "forbidden", ...)
   * @param {string} message a sentence for people, naming the field or the reason
   */
  constructor(statusCode, code, message) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

export const badRequest = (message) => new HttpError(400, 'bad_request', message);
export const unauthorized = (message) => new HttpError(401, 'unauthorized', message);
export const forbidden = (message) => new HttpError(403, 'forbidden', message);
export const notFound = (message) => new HttpError(404, 'not_found', message);
export const conflict = (message) => new HttpError(409, 'conflict', message);
export const tooManyRequests = (message) => new HttpError(429, 'rate_limited', message);

// How much of a caller's value an error message repeats: enough to recognise it, never the
// megabytes a caller sent (an error is logged, shown and sometimes stored by clients).
export const MAX_ECHO_CHARS = 64;
// The ceiling of any error message, the server's own sentences included.
export const MAX_ERROR_MESSAGE_CHARS = 1024;

/**
 * A value sent by the caller, quoted for an error message: a string as it is, anything else as
 * JSON, cut to `max` characters with the full length said.
 */
export function echo(value, max = MAX_ECHO_CHARS) {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length <= max ? text : `${text.slice(0, max).toWellFormed()}… (${text.length} characters)`;
}

/** Cuts an error message to MAX_ERROR_MESSAGE_CHARS (Fastify's own messages repeat headers). */
export function boundedMessage(message) {
  const text = String(message);
  return text.length <= MAX_ERROR_MESSAGE_CHARS ? text : `${text.slice(0, MAX_ERROR_MESSAGE_CHARS).toWellFormed()}…`;
}
