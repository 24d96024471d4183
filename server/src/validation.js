// Checks on request input. Each check either answers the clean value or throws a 400 whose message
// names the field and what was expected, so a client developer can fix the call from the message
// alone. Everything is checked before anything is written, so bad input never leaves half a write.
import { badRequest, echo, MAX_ECHO_CHARS } from './http-error.js';

export const MAX_CONTENT_CHARS = 16_384; // well inside Sockudo's 100 KB event payload, even as UTF-8
export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;
export const MAX_BATCH = 1000;
export const ROLES = Object.freeze(['user', 'assistant', 'system']);
export const STATUSES = Object.freeze(['sent', 'pending', 'processing', 'streaming', 'success', 'failure']);
export const SESSION_STATUSES = Object.freeze(['active', 'completed', 'failed', 'interrupted']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A date, a time (seconds and fraction optional) and a zone: what `since` cursors look like.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** The JSON body as an object, or a 400 saying what arrived instead. */
export function bodyObject(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON object');
  }
  return body;
}

/**
 * A required string, trimmed of nothing (content is kept as sent), with each lone surrogate
 * replaced by U+FFFD: that is what the database stores (it holds UTF-8, which cannot encode one),
 * so what is stored, pushed, answered and compared with a retry is the same string.
 */
export function requiredString(value, field, { max = 256, allowEmpty = false } = {}) {
  if (typeof value !== 'string') throw badRequest(`'${field}' is required and must be a string`);
  if (!allowEmpty && value.trim() === '') throw badRequest(`'${field}' must not be empty`);
  if (value.length > max) throw badRequest(`'${field}' is longer than ${max} characters`);
  return value.toWellFormed();
}

export function optionalString(value, field, options) {
  return value === undefined || value === null ? undefined : requiredString(value, field, options);
}

export function content(value, field = 'content') {
  return requiredString(value, field, { max: MAX_CONTENT_CHARS });
}

/** A session id: a UUID, so a typo gets a 400 instead of a confusing 404. */
export function sessionId(value, field = 'sessionId') {
  const id = requiredString(value, field, { max: 36 });
  if (!UUID.test(id)) throw badRequest(`'${field}' must be a UUID, got '${echo(id)}'`);
  return id.toLowerCase();
}

export function oneOf(value, field, allowed, fallback) {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw badRequest(`'${field}' is required (one of ${allowed.join(', ')})`);
  }
  if (!allowed.includes(value)) throw badRequest(`'${field}' must be one of ${allowed.join(', ')}, got ${echo(JSON.stringify(value) ?? String(value))}`);
  return value;
}

/** `{code, message}`, both non-empty strings, or undefined when absent. */
export function messageError(value, field = 'error') {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`'${field}' must be an object {code, message}`);
  return {
    code: requiredString(value.code, `${field}.code`, { max: 64 }),
    message: requiredString(value.message, `${field}.message`, { max: 2048 }),
  };
}

/** Any JSON object (kept as sent), or undefined when absent. */
export function actionPayload(value, field = 'actionPayload') {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`'${field}' must be a JSON object`);
  return value;
}

/**
 * The paging parameters of GET /api/session/:id/messages.
 * @returns {{limit: number, afterSequence?: number, sinceMs?: number}}
 */
export function pageQuery(query) {
  const page = { limit: DEFAULT_PAGE };
  if (query.limit !== undefined) page.limit = queryInteger(query.limit, 'limit', 1, MAX_PAGE);
  if (query.afterSequence !== undefined) {
    page.afterSequence = queryInteger(query.afterSequence, 'afterSequence', 0, Number.MAX_SAFE_INTEGER);
  }
  if (query.since !== undefined) page.sinceMs = sinceQuery(query.since);
  return page;
}

export const ROADMAP_PARAMS = Object.freeze(['limit', 'since']);

/**
 * The parameters of GET /api/session/:id/messages in the roadmap dialect (profile.js): `limit`
 * (a larger one is clamped to `maxLimit`, not refused) and `since`. Any other parameter
 * (afterSequence included) is ignored, or a 400 naming it when `refusesUnknownParams`.
 * @returns {{limit: number, sinceMs?: number}}
 */
export function roadmapPageQuery(query, { defaultLimit, maxLimit, refusesUnknownParams }) {
  if (refusesUnknownParams) {
    const unknown = Object.keys(query).filter((name) => !ROADMAP_PARAMS.includes(name));
    if (unknown.length) {
      const names = echo(unknown.map((name) => `'${name}'`).join(', '), 4 * MAX_ECHO_CHARS);
      throw badRequest(`unknown query parameter${unknown.length > 1 ? 's' : ''} ${names}: this server takes only ${ROADMAP_PARAMS.join(' and ')}`);
    }
  }
  const page = { limit: defaultLimit };
  if (query.limit !== undefined) {
    const text = single(query.limit, 'limit');
    // Any positive integer, however large: more than the maximum is answered with the maximum.
    if (!/^\d+$/.test(text) || Number(text) < 1) {
      throw badRequest(`'limit' must be a positive integer (at most ${maxLimit} messages are answered), got '${echo(text)}'`);
    }
    page.limit = Math.min(Number(text), maxLimit);
  }
  if (query.since !== undefined) page.sinceMs = sinceQuery(query.since);
  return page;
}

// `since`: an ISO-8601 date-time with a zone, as milliseconds since the epoch.
function sinceQuery(raw) {
  // An unencoded "+02:00" arrives as " 02:00" (form decoding): take it for what was meant.
  const since = single(raw, 'since').replace(/ (\d{2}:?\d{2})$/, '+$1');
  const ms = ISO_8601.test(since) && realDate(since) ? Date.parse(since) : NaN;
  if (Number.isNaN(ms)) {
    throw badRequest(`'since' must be an ISO-8601 date-time with a zone, e.g. 2026-11-29T13:05:11.123Z, got '${echo(since)}'`);
  }
  return ms;
}

// Date.parse rolls 2026-02-30 over to March 2nd; a cursor like that is a client bug, not a date.
function realDate(text) {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function queryInteger(raw, field, min, max) {
  const text = single(raw, field);
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(`'${field}' must be an integer from ${min} to ${max}, got '${echo(text)}'`);
  }
  return value;
}

function single(raw, field) {
  if (Array.isArray(raw)) throw badRequest(`'${field}' is given more than once`);
  return String(raw);
}
