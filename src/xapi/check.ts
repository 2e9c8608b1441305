import { AppError } from '../errors.js';
import { isIri, isLanguageTag, isUuid, parseTimestamp } from './formats.js';
import type { Extensions, LanguageMap } from './types.js';

/** A JSON object as read from input: no prototype tricks, keys checked by the caller. */
export type Json = Record<string, unknown>;

/**
 * Refuses the input: `path` is the JSON path of the field (`object.definition.name`), `rule` quotes the
 * rule broken. Throws ERR_XAPI_INVALID_STATEMENT (400).
 */
export function fail(path: string, rule: string): never {
  throw new AppError('ERR_XAPI_INVALID_STATEMENT', `${path || 'statement'}: ${rule}`, {
    details: { path: path || '$', rule },
  });
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** A plain JSON object (not null, not an array). Data 2.2: `null` is refused outside extensions. */
export function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, value === null ? 'must not be null' : 'must be a JSON object');
  }
  return value as Json;
}

/** Refuses any property outside `allowed` (xAPI 2.0 §4.2.1: unknown properties are rejected). */
export function onlyKeys(value: Json, allowed: ReadonlySet<string>, path: string): void {
  for (const key in value) {
    if (!allowed.has(key)) fail(join(path, key), 'is not a property of this object');
  }
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, value === null ? 'must not be null' : 'must be an array');
  return value;
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, value === null ? 'must not be null' : 'must be a string');
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, value === null ? 'must not be null' : 'must be a boolean');
  return value;
}

export function number(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(path, value === null ? 'must not be null' : 'must be a number');
  }
  return value;
}

export function iri(value: unknown, path: string): string {
  const text = string(value, path);
  if (!isIri(text)) fail(path, 'must be an absolute IRI (RFC 3987)');
  return text;
}

/** A Language Map: keys are RFC 5646 tags, values strings (Data 4.2). */
export function languageMap(value: unknown, path: string): LanguageMap {
  const map = object(value, path);
  const out: LanguageMap = {};
  for (const key in map) {
    if (!isLanguageTag(key)) fail(join(path, key), 'Language Map keys must be RFC 5646 language tags');
    out[key] = string(map[key], join(path, key));
  }
  return out;
}

/** Extensions: an object whose keys are IRIs; values are any JSON, null included (Data 2.2.s4.b1.b1). */
export function extensions(value: unknown, path: string): Extensions {
  const map = object(value, path);
  for (const key in map) {
    if (!isIri(key)) fail(join(path, key), 'extension keys must be absolute IRIs');
  }
  return map;
}

export function keys(...names: string[]): ReadonlySet<string> {
  return new Set(names);
}

export function uuid(value: unknown, path: string): string {
  const text = string(value, path);
  if (!isUuid(text)) fail(path, 'must be a UUID (RFC 4122)');
  return text;
}

export function timestamp(value: unknown, path: string): string {
  const text = string(value, path);
  if (parseTimestamp(text) === undefined) {
    fail(path, 'must be an ISO 8601 timestamp with a timezone (not -00:00)');
  }
  return text;
}
