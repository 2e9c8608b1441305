import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/** How long a `more` link stays valid (the issue asks for 24 h). */
export const moreLifetimeMs = 24 * 60 * 60 * 1000;

/**
 * Signs a continuation (the query and the position reached) into an opaque `more` token: HMAC-SHA256
 * with the instance secret, so clients cannot forge positions or widen the query, and nothing is stored.
 */
export function signMore(secret: string, state: object, now: Date): string {
  const payload = Buffer.from(JSON.stringify({ ...state, exp: now.getTime() + moreLifetimeMs })).toString(
    'base64url',
  );
  return `${payload}.${mac(secret, payload)}`;
}

/** Reads a `more` token back. @throws ERR_XAPI_INVALID_REQUEST when forged, malformed or expired. */
export function readMore<T>(secret: string, token: string, now: Date): T {
  const [payload = '', signature = ''] = token.split('.');
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('ERR_XAPI_INVALID_REQUEST', 'more: not a continuation this LRS issued', {
      details: { path: 'more' },
    });
  }
  const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T & { exp: number };
  if (state.exp < now.getTime()) {
    throw new AppError('ERR_XAPI_INVALID_REQUEST', 'more: this continuation has expired (24 h)', {
      details: { path: 'more' },
    });
  }
  return state;
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', `xapi-more:${secret}`).update(payload).digest('base64url');
}
