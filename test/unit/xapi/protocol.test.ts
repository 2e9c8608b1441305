import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../../src/errors.js';
import {
  acceptedLanguages,
  buildMultipart,
  checkPreconditions,
  generateCredentials,
  mergeJsonDocuments,
  parseBasicAuth,
  parseScopes,
  readMore,
  secretMatches,
  signMore,
} from '../../../src/xapi/index.js';
import { multipartBoundary, parseMultipart } from '../../../src/xapi/multipart.js';

const now = new Date('2026-01-15T10:00:00Z');

describe('more continuations', () => {
  it('round-trips, refuses a forged or altered token, expires after 24 h', () => {
    const token = signMore('secret-a', { k: 'key', a: 1 }, now);
    expect(readMore<{ k: string }>('secret-a', token, now).k).toBe('key');
    expect(() => readMore('secret-b', token, now)).toThrow(AppError);
    const [payload, mac] = token.split('.');
    const altered = `${Buffer.from(JSON.stringify({ k: 'other', exp: 9e15 })).toString('base64url')}.${mac}`;
    expect(() => readMore('secret-a', altered, now)).toThrow(/not a continuation/);
    expect(payload).toBeDefined();
    expect(() => readMore('secret-a', token, new Date(now.getTime() + 24 * 3600_000 + 1))).toThrow(/expired/);
  });
});

describe('multipart/mixed', () => {
  it('reads what it builds, with CRLF inside content kept', () => {
    const body = buildMultipart('b0', { a: 1 }, [
      { sha2: 'x'.repeat(64), contentType: 'text/plain', content: Buffer.from('line1\r\nline2') },
    ]);
    const parts = parseMultipart(body, 'b0');
    expect(parts).toHaveLength(2);
    expect(JSON.parse(parts[0]!.body.toString())).toEqual({ a: 1 });
    expect(parts[1]!.headers['x-experience-api-hash']).toBe('x'.repeat(64));
    expect(parts[1]!.body.toString()).toBe('line1\r\nline2');
  });
  it('finds the boundary parameter and refuses truncated bodies', () => {
    expect(multipartBoundary('multipart/mixed; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('multipart/mixed;boundary=xyz')).toBe('xyz');
    expect(multipartBoundary('application/json')).toBeUndefined();
    expect(() => parseMultipart(Buffer.from('--b0\r\nContent-Type: a/b\r\n\r\nno end'), 'b0')).toThrow(
      AppError,
    );
    expect(() => parseMultipart(Buffer.from('nothing'), 'b0')).toThrow(AppError);
  });
});

describe('LRS credentials', () => {
  it('keys and secrets are random; only the hash is needed to check a secret', () => {
    const a = generateCredentials();
    const b = generateCredentials();
    expect(a.key).not.toBe(b.key);
    expect(a.secret).toHaveLength(43);
    expect(secretMatches(a.secret, a.secretSha256)).toBe(true);
    expect(secretMatches(b.secret, a.secretSha256)).toBe(false);
  });
  it('reads Basic auth and scopes', () => {
    expect(parseBasicAuth(`Basic ${Buffer.from('k:s:with:colons').toString('base64')}`)).toEqual({
      key: 'k',
      secret: 's:with:colons',
    });
    expect(parseBasicAuth('Bearer x')).toBeUndefined();
    expect(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
    expect(parseScopes([])).toEqual(['statements/write', 'statements/read/mine']);
    expect(parseScopes(['all/read,statements/write'])).toEqual(['all/read', 'statements/write']);
    expect(() => parseScopes(['all'])).toThrow(/scope "all"/);
  });
});

describe('documents', () => {
  it('If-Match / If-None-Match rules', () => {
    expect(() => checkPreconditions({ ifMatch: '"a"' }, '"a"', true)).not.toThrow();
    expect(() => checkPreconditions({ ifMatch: '"a"' }, '"b"', true)).toThrow(
      expect.objectContaining({ status: 412 }),
    );
    expect(() => checkPreconditions({ ifMatch: '*' }, undefined, false)).toThrow(
      expect.objectContaining({ status: 412 }),
    );
    expect(() => checkPreconditions({ ifNoneMatch: '*' }, '"a"', false)).toThrow(
      expect.objectContaining({ status: 412 }),
    );
    expect(() => checkPreconditions({}, '"a"', true)).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => checkPreconditions({}, undefined, true)).not.toThrow();
  });
  it('merges JSON objects only', () => {
    const merged = mergeJsonDocuments(Buffer.from('{"a":1,"b":1}'), 'application/json', { b: 2 });
    expect(JSON.parse(merged.toString())).toEqual({ a: 1, b: 2 });
    expect(() => mergeJsonDocuments(Buffer.from('abc'), 'text/plain', { b: 2 })).toThrow(AppError);
    expect(() => mergeJsonDocuments(Buffer.from('[1]'), 'application/json', { b: 2 })).toThrow(AppError);
  });
});

describe('Accept-Language', () => {
  it('orders tags by q', () => {
    expect(acceptedLanguages('fr;q=0.5, de, *;q=0.1')).toEqual(['de', 'fr']);
    expect(acceptedLanguages(undefined)).toEqual([]);
  });
});
