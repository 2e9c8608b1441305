import type { Server } from 'node:http';
import path from 'node:path';
import { type Clock, type NewId, randomId, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { createSigningPool } from './credentials/index.js';
import { createApp } from './http/app.js';
import { createLogger, type Logger } from './log.js';
import { resolveSecret } from './secrets.js';
import {
  createPool,
  type EmbeddedPostgres,
  migrate,
  type Pool,
  readMigrations,
  startEmbeddedPostgres,
} from './store/index.js';
import { startWorkers, type Workers } from './workers.js';

export interface Database {
  pool: Pool;
  embedded: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under DATA_DIR when it is unset. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (url === undefined) {
    const started = Date.now();
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      onLog: (message) => logger.debug({ postgres: message.trim() }, 'embedded postgres'),
    });
    url = embedded.url;
    if (embedded.owner === process.pid)
      logger.info({ dataDir: embedded.dataDir, ms: Date.now() - started }, 'embedded PostgreSQL started');
    else
      logger.info(
        { dataDir: embedded.dataDir, owner: embedded.owner },
        'embedded PostgreSQL shared with the running Laurel process',
      );
  }
  const pool = createPool({ connectionString: url, max: config.dbPoolMax }, (error) =>
    logger.warn({ err: error }, 'idle database connection failed'),
  );
  return {
    pool,
    embedded,
    async close() {
      await pool.end().catch(() => {});
      await embedded?.stop();
    },
  };
}

export interface RunningLaurel {
  readonly url: string;
  readonly ctx: AppContext;
  readonly server: Server;
  /** The job workers running in this process (undefined with `workers: false`). */
  readonly workers: Workers | undefined;
  /** Stops accepting, drains in-flight requests (up to SHUTDOWN_GRACE_MS), closes the pool and PostgreSQL. */
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  newId?: NewId;
  logger?: Logger;
  /** Run the durable job workers in this process (default true). */
  workers?: boolean;
}

/** Records this installation's id once; it survives restarts with the data. */
async function recordInstance(pool: Pool, newId: NewId): Promise<string> {
  await pool.query('INSERT INTO instance (id) VALUES ($1) ON CONFLICT (singleton) DO NOTHING', [newId()]);
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM instance');
  return rows[0]!.id;
}

export interface OpenedContext {
  ctx: AppContext;
  db: Database;
  instance: string;
  /** Stops the signing threads, then closes the database (call it after the workers have stopped). */
  close(): Promise<void>;
}

/**
 * Everything but HTTP: secret, database (embedded or DATABASE_URL), migrations, the AppContext.
 * @throws AppError ERR_EMBEDDED_POSTGRES, ERR_MIGRATION_FAILED, ERR_DB_UNAVAILABLE.
 */
export async function openContext(config: Config, options: StartOptions = {}): Promise<OpenedContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const newId = options.newId ?? randomId;
  const secret = await resolveSecret(config);
  const db = await openDatabase(config, logger);
  try {
    const migrations = await readMigrations();
    const applied = await migrate(db.pool, migrations);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    const instance = await recordInstance(db.pool, newId);
    // Threads start on the first credential: commands that never sign (migrate, keys) pay nothing for the pool.
    const signing =
      config.signingThreads > 0
        ? createSigningPool({
            threads: config.signingThreads,
            onCrash: (error) => logger.error({ err: error }, 'signing thread died; it is replaced'),
          })
        : undefined;
    const ctx: AppContext = {
      config,
      pool: db.pool,
      logger,
      clock: options.clock ?? systemClock,
      newId,
      secret,
      migrations,
      ...(signing ? { signing } : {}),
    };
    const close = async () => {
      await signing?.close();
      await db.close();
    };
    return { ctx, db, instance, close };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * Starts Laurel: the context (see openContext), the HTTP server and, unless `workers: false`, the job workers.
 * @throws AppError ERR_EMBEDDED_POSTGRES, ERR_MIGRATION_FAILED, ERR_DB_UNAVAILABLE.
 */
export async function startLaurel(config: Config, options: StartOptions = {}): Promise<RunningLaurel> {
  const started = Date.now();
  const { ctx, instance, close: closeContext } = await openContext(config, options);
  const { logger } = ctx;
  try {
    const app = createApp(ctx);
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const workers = options.workers === false ? undefined : startWorkers(ctx);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, publicUrl: config.publicUrl, instance, ms: Date.now() - started }, 'Laurel is ready');

    let closing: Promise<void> | undefined;
    return {
      url,
      ctx,
      server,
      workers,
      close: () => {
        closing ??= (async () => {
          const drained = new Promise<void>((resolve) => server.close(() => resolve()));
          // Keep-alive connections go as soon as their in-flight request is answered; the rest after the grace.
          server.closeIdleConnections();
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          const timer = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
          await drained;
          clearInterval(sweep);
          clearTimeout(timer);
          await workers?.stop();
          await closeContext();
          logger.info('Laurel stopped');
          logger.flush();
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeContext();
    throw error;
  }
}
