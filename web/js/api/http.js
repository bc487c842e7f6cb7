// Transport for the Douyin HTTP API: builds requests, attaches the bearer
// token, unwraps the {status_code, status_msg} envelope into values or ApiError.
// A rate-limited request (HTTP 429) keeps its Retry-After on the ApiError, so
// the place that shows the error can say when the action will work again.

import { asSentence } from '../lib/format.js';
import { session } from '../state/session.js';

/** Error codes from docs/api.md, plus two client-side ones. */
export const ErrorCode = Object.freeze({
  INVALID_ARGUMENT: 10001,
  UNAUTHENTICATED: 10002,
  PERMISSION_DENIED: 10003,
  NOT_FOUND: 10004,
  ALREADY_EXISTS: 10005,
  RESOURCE_EXHAUSTED: 10006,
  INTERNAL: 10500,
  NETWORK: -1, // no answer at all
  BAD_RESPONSE: -2, // an answer that is not the API's JSON envelope
  ABORTED: -3,
});

const FALLBACK_MESSAGES = {
  [ErrorCode.INVALID_ARGUMENT]: 'That input was not accepted.',
  [ErrorCode.UNAUTHENTICATED]: 'Please log in again.',
  [ErrorCode.PERMISSION_DENIED]: 'You are not allowed to do that.',
  [ErrorCode.NOT_FOUND]: 'That no longer exists.',
  [ErrorCode.ALREADY_EXISTS]: 'That already exists.',
  [ErrorCode.RESOURCE_EXHAUSTED]: 'The server is busy. Please try again shortly.',
  [ErrorCode.INTERNAL]: 'Something went wrong on the server.',
  [ErrorCode.NETWORK]: 'Cannot reach the server. Check your connection.',
  [ErrorCode.BAD_RESPONSE]: 'The server sent an unexpected answer.',
  [ErrorCode.ABORTED]: 'Cancelled.',
};

/** The server's answer to a request over its route's rate limit. */
export const HTTP_TOO_MANY_REQUESTS = 429;

export class ApiError extends Error {
  /**
   * httpStatus: the answer's HTTP status (0 when there was none).
   * retryAfterSeconds: the answer's Retry-After, whole seconds (null when absent).
   */
  constructor(code, message, { httpStatus = 0, retryAfterSeconds = null } = {}) {
    super(asSentence(message) || FALLBACK_MESSAGES[code] || `Request failed (code ${code}).`);
    this.name = 'ApiError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.retryAfterSeconds = retryAfterSeconds;
    // Counted from when the answer was read, a little after the server counted
    // from: waiting until retryAt never retries too early.
    this.retryAt = retryAfterSeconds === null ? 0 : Date.now() + retryAfterSeconds * 1000;
  }

  /** Refused for going over a rate limit: the same request works again after retryAfterSeconds. */
  get isRateLimited() {
    return this.httpStatus === HTTP_TOO_MANY_REQUESTS;
  }
}

/** Whole seconds left before a rate-limited action may be retried (0: now, or not rate limited). */
export function secondsUntilRetry(error, now = Date.now()) {
  if (!error?.retryAt) return 0;
  return Math.max(0, Math.ceil((error.retryAt - now) / 1000));
}

/** How long a poll should wait after `error`: its usual interval, or longer if the server asked for it. */
export function pollDelayAfter(error, usualMs) {
  return Math.max(usualMs, secondsUntilRetry(error) * 1000);
}

/**
 * A Retry-After header as whole seconds: delay-seconds (what minitok sends) or
 * an HTTP date (allowed by RFC 9110, e.g. from a proxy). null when absent or unreadable.
 */
export function parseRetryAfter(value) {
  const text = String(value ?? '').trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text);
  // HTTP dates start with the weekday ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone takes "-3" too.
  const date = /^[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export function authHeaders() {
  return session.token ? { Authorization: `Bearer ${session.token}` } : {};
}

/**
 * Turn a parsed body into a result or throw. `sentToken` tells whether the
 * request carried a token: a 10002 then means the session is no longer valid.
 * `retryAfter` is the answer's Retry-After header (null when absent).
 */
export function unwrapEnvelope(body, httpStatus, sentToken, retryAfter = null) {
  const details = { httpStatus, retryAfterSeconds: parseRetryAfter(retryAfter) };
  if (!body || typeof body !== 'object' || typeof body.status_code !== 'number') {
    if (httpStatus === 413) throw new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'That is too large for the server.', details);
    // A 429 without the envelope (e.g. from a proxy in front) is still a rate limit.
    if (httpStatus === HTTP_TOO_MANY_REQUESTS) throw new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'Too many requests.', details);
    throw new ApiError(ErrorCode.BAD_RESPONSE, httpStatus && httpStatus !== 200
      ? `The server answered HTTP ${httpStatus}.` : undefined, details);
  }
  if (body.status_code !== 0) {
    // A rate-limited request was never checked, so it says nothing about the token.
    if (body.status_code === ErrorCode.UNAUTHENTICATED && sentToken && httpStatus !== HTTP_TOO_MANY_REQUESTS) {
      session.signOut('expired');
    }
    throw new ApiError(body.status_code, typeof body.status_msg === 'string' ? body.status_msg.trim() : '', details);
  }
  return body;
}

function toSearchParams(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  return search;
}

async function send(method, path, params) {
  const headers = { Accept: 'application/json', ...authHeaders() };
  const sentToken = 'Authorization' in headers;
  const search = toSearchParams(params);
  let url = path;
  const init = { method, headers, credentials: 'omit', cache: 'no-store' };
  if (method === 'GET') {
    if ([...search.keys()].length) url += `?${search}`;
  } else {
    // Form body (not the query string): keeps passwords and text out of URLs and logs.
    init.body = search;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(ErrorCode.NETWORK);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return unwrapEnvelope(body, response.status, sentToken, response.headers.get('Retry-After'));
}

export const apiGet = (path, params) => send('GET', path, params);
export const apiPost = (path, params) => send('POST', path, params);
