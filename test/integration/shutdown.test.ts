import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startLaurel } from '../../src/serve.js';
import { testSecret } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

function config() {
  return loadConfig({
    PORT: '0',
    DATABASE_URL: db.url,
    LAUREL_SECRET: testSecret,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '5000',
  });
}

describe('startLaurel on DATABASE_URL', () => {
  it('migrates, serves, and on close lets an in-flight request finish before closing the pool', async () => {
    const laurel = await startLaurel(config(), { logger: createLogger('silent') });
    const port = Number(new URL(laurel.url).port);
    expect((await fetch(`${laurel.url}/readyz`)).status).toBe(200);

    // A request whose body is still arriving when shutdown starts.
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk) => (response += chunk));
    // The server ends the connection after answering; the answer may reach this socket after close() resolves.
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      'POST /nothing-here HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    let closed = false;
    const closing = laurel.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    await expect(fetch(`${laurel.url}/healthz`)).rejects.toThrow();

    socket.write('}');
    await closing;
    await ended;
    expect(response).toMatch(/^HTTP\/1\.1 404/);
    expect(response).toContain('ERR_NOT_FOUND');
    socket.destroy();
    await expect(laurel.ctx.pool.query('SELECT 1')).rejects.toThrow();
  });

  it('a second instance starting on the same database applies nothing twice and shares the instance id', async () => {
    const [a, b] = await Promise.all([startLaurel(config()), startLaurel(config())]);
    try {
      const ids = await Promise.all(
        [a, b].map(
          async (l) => ((await (await fetch(`${l.url}/readyz`)).json()) as { instance: string }).instance,
        ),
      );
      expect(ids[0]).toBe(ids[1]);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query(
        'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version HAVING count(*) > 1',
      );
      await client.end();
      expect(rows).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
