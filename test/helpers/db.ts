import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, migrate, type Pool, quoteIdent } from '../../src/store/index.js';

/** The server the tests use (see global-setup). */
export function testServerUrl(): string {
  const url = process.env.LAUREL_TEST_DATABASE_URL;
  if (!url) throw new Error('LAUREL_TEST_DATABASE_URL is not set: run the tests through jest (global-setup)');
  return url;
}

export interface TestSchema {
  pool: Pool;
  schema: string;
  /** Drops the schema and closes the pool. */
  drop(): Promise<void>;
}

/** A fresh schema of its own for one test file, migrated unless `migrated: false`. */
export async function createTestSchema(
  options: { migrated?: boolean; max?: number } = {},
): Promise<TestSchema> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await admin.end();
  const pool = createPool({ connectionString: testServerUrl(), schema, max: options.max ?? 5 });
  if (options.migrated !== false) await migrate(pool);
  return {
    pool,
    schema,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: testServerUrl() });
      await client.connect();
      await client.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await client.end();
    },
  };
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh empty database of its own (for tests that start a whole Laurel with DATABASE_URL). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  await admin.end();
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: testServerUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await client.end();
    },
  };
}
