import { chmod, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

// Jest loads global setup through require(), without the moduleNameMapper that maps our `.js` import
// specifiers to the `.ts` sources; map them here the same way.
const Module = createRequire(import.meta.url)('node:module') as {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
};
const resolve = Module._resolveFilename;
Module._resolveFilename = (request, ...rest) => {
  try {
    return resolve(request, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js'))
      return resolve(request.replace(/\.js$/, '.ts'), ...rest);
    throw error;
  }
};

/**
 * Tests talk to a real PostgreSQL: DATABASE_URL when set (CI), otherwise an embedded one started here
 * for the whole run in a temporary folder. Workers read LAUREL_TEST_DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.LAUREL_TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'laurel-test-pg-'));
  await chmod(dir, 0o711);
  const { startEmbeddedPostgres } = await import('../../src/store/index.js');
  const embedded = await startEmbeddedPostgres({ dataDir: dir });
  process.env.LAUREL_TEST_DATABASE_URL = embedded.url;
  (globalThis as { __laurelEmbedded?: typeof embedded }).__laurelEmbedded = embedded;
}
