import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { AppError, errorCodes } from '../../src/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((match) => [match[1]!, Number(match[2])]),
);

describe('docs/errors.md', () => {
  it.each(Object.entries(errorCodes))('documents %s with status %i', (code, status) => {
    expect(documented.get(code)).toBe(status);
  });

  it('lists no code that src/errors.ts does not define', () => {
    expect([...documented.keys()].filter((code) => !(code in errorCodes))).toEqual([]);
  });
});

describe('AppError', () => {
  it('exposes client errors and hides server errors', () => {
    expect(new AppError('ERR_VALIDATION', 'x').expose).toBe(true);
    expect(new AppError('ERR_INTERNAL', 'x').expose).toBe(false);
    expect(new AppError('ERR_DB_UNAVAILABLE', 'x').status).toBe(503);
  });
});
