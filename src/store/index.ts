export { type EmbeddedPostgres, freePort, startEmbeddedPostgres } from './embedded.js';
export { type Migration, migrate, migrationsDir, pendingMigrations, readMigrations } from './migrate.js';
export {
  createPool,
  isDatabaseUnavailable,
  type Pool,
  type PoolClient,
  type Queryable,
  quoteIdent,
  toAppError,
  transaction,
  withClient,
} from './pool.js';
