import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { AppContext } from '../../src/context.js';
import { createApp } from '../../src/http/app.js';
import { createPool, migrate } from '../../src/store/index.js';
import { testContext } from '../helpers/context.js';
import { createTestSchema, type TestSchema, testServerUrl } from '../helpers/db.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let db: TestSchema;
let proxy: TcpProxy;
let ctx: AppContext;

beforeAll(async () => {
  db = await createTestSchema();
  const target = new URL(testServerUrl());
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(testServerUrl());
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const pool = createPool({ connectionString: viaProxy.href, schema: db.schema, max: 3 });
  await migrate(pool);
  await pool.query('INSERT INTO instance (id) VALUES (gen_random_uuid()) ON CONFLICT DO NOTHING');
  ctx = { ...(await testContext(db)), pool };
});

afterAll(async () => {
  await ctx.pool.end();
  await proxy.close();
  await db.drop();
});

describe('when PostgreSQL goes away', () => {
  it('answers 503 with a code, stays up, and recovers when it returns', async () => {
    const app = createApp(ctx);
    await request(app).get('/readyz').expect(200);

    await proxy.cut();
    const down = await request(app).get('/readyz').expect(503);
    expect(down.body.error.code).toBe('ERR_DB_UNAVAILABLE');
    await request(app).get('/healthz').expect(200);

    await proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await request(app).get('/readyz')).status;
    }
    expect(status).toBe(200);
  });
});
