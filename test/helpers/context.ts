import { type Clock, fixedClock, type NewId, randomId } from '../../src/clock.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { readMigrations } from '../../src/store/index.js';
import type { TestSchema } from './db.js';

export const testSecret = 'test-secret-test-secret-test-secret-0123456789';

/** A Config for tests: loadConfig over a small environment, never process.env. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    PUBLIC_URL: 'https://laurel.test',
    LOG_LEVEL: 'silent',
    LAUREL_SECRET: testSecret,
    DATA_DIR: '/nonexistent',
    // Hermetic: /verify fetches no JSON Schema from the internet (schema-check.test.ts tests fetching).
    SCHEMA_FETCH_HOSTS: 'none',
    ...env,
  });
}

/** An AppContext over a test schema, with a frozen clock unless one is given. */
export async function testContext(
  db: TestSchema,
  options: { config?: Config; clock?: Clock; newId?: NewId } = {},
): Promise<AppContext> {
  const config = options.config ?? testConfig();
  return {
    config,
    pool: db.pool,
    logger: createLogger('silent'),
    clock: options.clock ?? fixedClock(new Date('2026-01-15T10:00:00Z')),
    newId: options.newId ?? randomId,
    secret: config.laurelSecret ?? testSecret,
    migrations: await readMigrations(),
  };
}
