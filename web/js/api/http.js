// Transport for the Douyin HTTP API: builds requests, attaches the bearer
// token, unwraps the {status_code, status_msg} envelope into values or ApiError.

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

export class ApiError extends Error {
  constructor(code, message) {
    super(asSentence(message) || FALLBACK_MESSAGES[code] || `Request failed (code ${code}).`);
    this.name = 'ApiError';
    this.code = code;
  }
}

export function authHeaders() {
  return session.token ? { Authorization: `Bearer ${session.token}` } : {};
}

/**
 * Turn a parsed body into a result or throw. `sentToken` tells whether the
 * request carried a token: a 10002 then means the session is no longer valid.
 */
export function unwrapEnvelope(body, httpStatus, sentToken) {
  if (!body || typeof body !== 'object' || typeof body.status_code !== 'number') {
    if (httpStatus === 413) throw new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'That is too large for the server.');
    throw new ApiError(ErrorCode.BAD_RESPONSE, httpStatus && httpStatus !== 200
      ? `The server answered HTTP ${httpStatus}.` : undefined);
  }
  if (body.status_code !== 0) {
    if (body.status_code === ErrorCode.UNAUTHENTICATED && sentToken) session.signOut('expired');
    throw new ApiError(body.status_code, typeof body.status_msg === 'string' ? body.status_msg.trim() : '');
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
  return unwrapEnvelope(body, response.status, sentToken);
}

export const apiGet = (path, params) => send('GET', path, params);
export const apiPost = (path, params) => send('POST', path, params);
