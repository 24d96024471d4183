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
