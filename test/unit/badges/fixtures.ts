import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import {
  type EvidenceStatement,
  normalizeStatement,
  type StoredStatement,
} from '../../../src/badges/index.js';

const dir = new URL('../../vectors/xapi/', import.meta.url);

export const fixtureNames = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.replace(/\.json$/, ''))
  .sort();

/** A stable UUID for a fixture the emitter sends without an id (the LRS assigns one when it stores it). */
function idFor(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The fixture as the LRS stores it: `id` set when the emitter sent none, `stored` set. */
export function stored(name: string): StoredStatement {
  const raw = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'));
  return { id: idFor(name), ...raw, stored: '2026-03-05T00:00:00.000Z' };
}

export function evidenceOf(name: string): EvidenceStatement {
  return normalizeStatement(stored(name));
}
