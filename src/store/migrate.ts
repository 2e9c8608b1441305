import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import { type Pool, toAppError } from './pool.js';

export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `migrations/NNNN_name.sql` in version order. */
export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileName.exec(file);
    if (!match)
      throw new AppError('ERR_MIGRATION_FAILED', `Migration file ${file} must be named NNNN_name.sql`);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    migrations.push({
      version: match[1]!,
      name: match[2]!,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  const versions = new Set(migrations.map((m) => m.version));
  if (versions.size !== migrations.length)
    throw new AppError('ERR_MIGRATION_FAILED', 'Two migration files share a version');
  return migrations;
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, each once, each in its own transaction.
 * An advisory lock per schema makes two processes starting together apply each migration once.
 * @returns the versions applied by this call.
 * @throws AppError ERR_MIGRATION_FAILED when a migration fails or an applied one was edited.
 */
export async function migrate(pool: Pool, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  const client = await pool.connect().catch((error) => {
    throw toAppError(error);
  });
  const applied: string[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('laurel.migrate'), hashtext(current_schema()))`);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: string; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations',
      );
      const done = new Map(rows.map((row) => [row.version, row.checksum]));
      for (const migration of all) {
        const checksum = done.get(migration.version);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new AppError(
              'ERR_MIGRATION_FAILED',
              `Migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`,
            );
          }
          continue;
        }
        try {
          await client.query('BEGIN');
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query('COMMIT');
          applied.push(migration.version);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new AppError(
            'ERR_MIGRATION_FAILED',
            `Migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
    } finally {
      await client
        .query(`SELECT pg_advisory_unlock(hashtext('laurel.migrate'), hashtext(current_schema()))`)
        .catch(() => {});
    }
  } finally {
    client.release();
  }
  return applied;
}

/** Versions not yet applied (for /readyz); throws when the database is unreachable. */
export async function pendingMigrations(pool: Pool, migrations: Migration[]): Promise<string[]> {
  const { rows } = await pool
    .query<{ version: string }>(
      `SELECT version FROM schema_migrations WHERE to_regclass('schema_migrations') IS NOT NULL`,
    )
    .catch(async (error) => {
      if ((error as { code?: string }).code === '42P01') return { rows: [] as { version: string }[] };
      throw error;
    });
  const done = new Set(rows.map((row) => row.version));
  return migrations.map((m) => m.version).filter((version) => !done.has(version));
}
