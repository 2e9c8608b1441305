import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe } from '@jest/globals';

/** ../shared/spec/ob3: the OB 3.0 spec's data files; tests that need them skip where it is absent. */
export const specDir = path.resolve(process.cwd(), '../shared/spec/ob3');
export const hasSpec = existsSync(path.join(specDir, 'test-vector/15-Credential.json'));
export const describeWithSpec = hasSpec ? describe : describe.skip;

export function specPath(relative: string): string {
  return path.join(specDir, relative);
}

export function readSpecText(relative: string): string {
  return readFileSync(specPath(relative), 'utf8');
}

export function readSpecJson<T = any>(relative: string): T {
  return JSON.parse(readSpecText(relative)) as T;
}
