import { afterEach, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/errors.js';
import { type Migration, migrate, pendingMigrations, readMigrations } from '../../src/store/index.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

const schemas: TestSchema[] = [];
async function fresh(): Promise<TestSchema> {
  const db = await createTestSchema({ migrated: false, max: 4 });
  schemas.push(db);
  return db;
}

afterEach(async () => {
  await Promise.all(schemas.splice(0).map((db) => db.drop()));
});

function migration(version: string, sql: string): Migration {
  return { version, name: `m${version}`, sql, checksum: `c-${sql}` };
}

describe('migrate', () => {
  it('applies the real migrations once, and reports none pending after', async () => {
    const db = await fresh();
    const all = await readMigrations();
    expect(all.length).toBeGreaterThan(0);
    expect(await pendingMigrations(db.pool, all)).toEqual(all.map((m) => m.version));
    expect(await migrate(db.pool, all)).toEqual(all.map((m) => m.version));
    expect(await migrate(db.pool, all)).toEqual([]);
    expect(await pendingMigrations(db.pool, all)).toEqual([]);
  });

  it('applies each migration once when several processes start at the same moment', async () => {
    const db = await fresh();
    const counting = [
      migration('0001', 'CREATE TABLE counter (n int); INSERT INTO counter VALUES (1);'),
      migration('0002', 'UPDATE counter SET n = n + 1;'),
    ];
    const results = await Promise.all([
      migrate(db.pool, counting),
      migrate(db.pool, counting),
      migrate(db.pool, counting),
    ]);
    expect(results.flat().sort()).toEqual(['0001', '0002']);
    const { rows } = await db.pool.query('SELECT n FROM counter');
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('rolls back a failing migration entirely and keeps the earlier ones', async () => {
    const db = await fresh();
    const steps = [
      migration('0001', 'CREATE TABLE a (n int);'),
      migration('0002', 'CREATE TABLE b (n int); SELECT no_such_function();'),
    ];
    const error = await migrate(db.pool, steps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ERR_MIGRATION_FAILED');
    expect((error as AppError).message).toContain('0002_m0002');
    const { rows } = await db.pool.query(`SELECT to_regclass('a') AS a, to_regclass('b') AS b`);
    expect(rows[0].a).not.toBeNull();
    expect(rows[0].b).toBeNull();
    expect(await pendingMigrations(db.pool, steps)).toEqual(['0002']);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const db = await fresh();
    await migrate(db.pool, [migration('0001', 'CREATE TABLE a (n int);')]);
    const error = await migrate(db.pool, [migration('0001', 'CREATE TABLE a (n bigint);')]).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe('ERR_MIGRATION_FAILED');
    expect((error as AppError).message).toContain('changed after it was applied');
  });
});
