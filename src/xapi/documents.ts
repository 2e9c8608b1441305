import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';

/** The ETag of a document's content: a quoted SHA-1 (RFC 9110 §8.8.3; xAPI Communication 3.1). */
export function documentEtag(content: Buffer): string {
  return `"${createHash('sha1').update(content).digest('hex')}"`;
}

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

function listMatches(header: string, etag: string | undefined): boolean {
  if (header.trim() === '*') return etag !== undefined;
  if (etag === undefined) return false;
  return header.split(',').some((item) => item.trim().replace(/^W\//, '') === etag);
}

/**
 * Checks If-Match / If-None-Match against the current ETag (undefined: no document).
 * `requireOne`: a PUT that would overwrite must carry one of them (xAPI 2.0 §4.1.4, Communication 3.1).
 * @throws ERR_XAPI_PRECONDITION_FAILED (412), ERR_XAPI_PRECONDITION_REQUIRED (409).
 */
export function checkPreconditions(
  conditions: Preconditions,
  etag: string | undefined,
  requireOne: boolean,
): void {
  if (conditions.ifMatch !== undefined && !listMatches(conditions.ifMatch, etag)) {
    throw new AppError(
      'ERR_XAPI_PRECONDITION_FAILED',
      'If-Match: the document has changed (or does not exist)',
      {
        details: { path: 'If-Match' },
      },
    );
  }
  if (conditions.ifNoneMatch !== undefined && listMatches(conditions.ifNoneMatch, etag)) {
    throw new AppError('ERR_XAPI_PRECONDITION_FAILED', 'If-None-Match: the document exists', {
      details: { path: 'If-None-Match' },
    });
  }
  if (
    requireOne &&
    etag !== undefined &&
    conditions.ifMatch === undefined &&
    conditions.ifNoneMatch === undefined
  ) {
    throw new AppError(
      'ERR_XAPI_PRECONDITION_REQUIRED',
      'If-Match: the document exists; send If-Match with its ETag (or If-None-Match: *) to change it',
      { details: { path: 'If-Match' } },
    );
  }
}

/** True for application/json (parameters ignored). */
export function isJsonType(contentType: string): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType);
}

/**
 * POST on a document resource merges JSON objects (top-level properties of the new one win); both must be
 * JSON objects (Communication 2.2). @throws ERR_XAPI_INVALID_REQUEST otherwise.
 */
export function mergeJsonDocuments(existing: Buffer, existingType: string, incoming: unknown): Buffer {
  const fail = (message: string) =>
    new AppError('ERR_XAPI_INVALID_REQUEST', message, { details: { path: 'body' } });
  if (!isJsonType(existingType)) throw fail('body: the stored document is not JSON, so it cannot be merged');
  if (typeof incoming !== 'object' || incoming === null || Array.isArray(incoming)) {
    throw fail('body: POST merges JSON objects; send a JSON object');
  }
  let current: unknown;
  try {
    current = JSON.parse(existing.toString('utf8'));
  } catch {
    throw fail('body: the stored document is not a JSON object');
  }
  if (typeof current !== 'object' || current === null || Array.isArray(current)) {
    throw fail('body: the stored document is not a JSON object');
  }
  return Buffer.from(JSON.stringify({ ...current, ...incoming }));
}
