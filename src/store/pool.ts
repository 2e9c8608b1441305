import pg from 'pg';
import { AppError } from '../errors.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Something that runs SQL: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

export interface PoolOptions {
  connectionString: string;
  /** Every connection uses this schema first (tests give each file its own). */
  schema?: string;
  max?: number;
}

// Parse int8 and numeric as numbers where safe; timestamps stay Date.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
});

/** Creates a pg pool; an idle client's error is logged by the caller's handler, never crashes the process. */
export function createPool(options: PoolOptions, onError: (error: Error) => void = () => {}): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)},public` } : {}),
  });
  pool.on('error', onError);
  return pool;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// SQLSTATE classes and errno values that mean "the database is not there", not "the query was wrong".
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
]);

/** True when `error` says the database cannot be reached (as opposed to a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && unavailableCodes.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(
    error.message,
  );
}

/** Rethrows a connection failure as ERR_DB_UNAVAILABLE (503); other errors pass unchanged. */
export function toAppError(error: unknown): unknown {
  if (isDatabaseUnavailable(error)) {
    return new AppError('ERR_DB_UNAVAILABLE', 'The database is unavailable; try again shortly', {
      cause: error,
    });
  }
  return error;
}

/** Runs `work` on one client of the pool, calling `broke()` for a connection that must not be reused. */
async function onClient<T>(
  pool: Pool,
  work: (client: PoolClient, broke: () => void) => Promise<T>,
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toAppError(error);
  }
  let broken = false;
  try {
    return await work(client, () => {
      broken = true;
    });
  } catch (error) {
    if (isDatabaseUnavailable(error)) broken = true;
    throw toAppError(error);
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `work` on one client of the pool, outside a transaction (each statement commits alone).
 * @throws whatever `work` throws; ERR_DB_UNAVAILABLE when the database cannot be reached.
 */
export function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return onClient(pool, (client) => work(client));
}

/**
 * Runs `work` in a transaction on one client: COMMIT when it resolves, ROLLBACK when it throws.
 * @throws whatever `work` throws; ERR_DB_UNAVAILABLE when the database cannot be reached.
 */
export function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return onClient(pool, async (client, broke) => {
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broke();
      }
      throw error;
    }
  });
}
