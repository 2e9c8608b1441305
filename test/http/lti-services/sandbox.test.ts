import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { loadConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import {
  createServiceClient,
  listLineItems,
  parseServiceEndpoints,
} from '../../../src/lti/services/index.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { Browser, readForm } from '../lti/harness.js';

let db: TestSchema;
let server: http.Server;
let url: string;
let ctx: AppContext;
const adminToken = 't'.repeat(40);
const idTokens: string[] = [];

beforeAll(async () => {
  db = await createTestSchema();
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx = await testContext(db, {
    config: testConfig({ PUBLIC_URL: url, SANDBOX: 'true', ADMIN_TOKEN: adminToken }),
    clock: { now: () => new Date() },
  });
  server.on('request', createApp(ctx));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

describe('/sandbox', () => {
  it('is on with the embedded default, off in production or with DATABASE_URL unless configured', () => {
    const env = { LAUREL_SECRET: 'x'.repeat(32) };
    expect(loadConfig(env).sandbox).toBe(true);
    expect(loadConfig({ ...env, DATABASE_URL: 'postgres://db/laurel' }).sandbox).toBe(false);
    expect(loadConfig({ ...env, NODE_ENV: 'production' }).sandbox).toBe(false);
    expect(loadConfig({ ...env, NODE_ENV: 'production', SANDBOX: 'true' }).sandbox).toBe(true);
    expect(() => loadConfig({ ...env, SANDBOX: 'yes' })).toThrow(/SANDBOX/);
  });

  it('answers 404 when off', async () => {
    const ctx = await testContext(db, { config: testConfig({ SANDBOX: 'false' }) });
    await request(createApp(ctx)).get('/sandbox').expect(404);
    await request(createApp(ctx)).get('/sandbox/platform/mod/lti/certs.php').expect(404);
  });

  it.each(['instructor', 'learner'] as const)('launches Laurel as %s of the demo course', async (role) => {
    const browser = new Browser();
    const home = await browser.send(`${url}/sandbox`, { accept: 'text/html' });
    expect(home.status).toBe(200);
    expect(home.text).toContain(`/sandbox/launch/${role}`);

    const start = await browser.send(`${url}/sandbox/launch/${role}`, { accept: 'text/html' });
    expect(start.status).toBe(303);
    const frame = await browser.send(start.headers.get('location')!, { accept: 'text/html' });
    const login = /<iframe name="tool" title="Laurel" src="([^"]*)"/
      .exec(frame.text)![1]!
      .replaceAll('&amp;', '&');
    const toAuth = await browser.send(login, { accept: 'text/html' });
    expect(toAuth.status).toBe(302);
    const auth = await browser.send(toAuth.headers.get('location')!, { accept: 'text/html' });
    expect(auth.status).toBe(200);
    const form = readForm(auth.text);
    idTokens.push(form.fields.id_token!);
    const launched = await browser.send(form.action, { form: form.fields, accept: 'text/html' });
    expect(launched.status).toBe(200);

    const { rows } = await db.pool.query<{ title: string; email: string; roles: string[] }>(
      `SELECT c.title, u.email, e.roles FROM enrollments e JOIN users u ON u.id = e.user_id
       JOIN courses c ON c.id = e.course_id WHERE u.sub = $1`,
      [role === 'instructor' ? '2' : '3'],
    );
    expect(rows).toEqual([
      {
        title: 'Demo course',
        email: role === 'instructor' ? 'ada@sandbox.invalid' : 'alan@sandbox.invalid',
        roles: [
          `http://purl.imsglobal.org/vocab/lis/v2/membership#${role === 'instructor' ? 'Instructor' : 'Learner'}`,
        ],
      },
    ]);
  });

  it('registers its platform once', async () => {
    const { rows } = await db.pool.query('SELECT name FROM platforms WHERE issuer = $1', [
      `${url}/sandbox/platform`,
    ]);
    expect(rows).toEqual([{ name: 'Sandbox (emulated Moodle)' }]);
  });

  it('syncs the demo course roster from the sandbox NRPS, which the outbound guard lets through', async () => {
    const payload = decodeJwt(idTokens[0]!);
    const endpoints = parseServiceEndpoints(payload);
    expect(endpoints.nrps?.membershipsUrl).toMatch(new RegExp(`^${url}/sandbox/platform/`));
    // The launch itself recorded the course's service endpoints.
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM courses WHERE context_id = 'demo'`);
    const recorded = await db.pool.query(
      'SELECT nrps_memberships_url FROM lti_course_services WHERE course_id = $1',
      [rows[0]!.id],
    );
    expect(recorded.rows[0]?.nrps_memberships_url).toBe(endpoints.nrps?.membershipsUrl);
    const res = await fetch(`${url}/admin/api/courses/${rows[0]!.id}/roster-sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).roster).toMatchObject({ listed: 4, enrollments: 4, pageCount: 2 });
  });

  it('lets only the sandbox through the outbound guard, not the rest of this host', async () => {
    const client = createServiceClient(ctx);
    const platform = {
      id: ctx.newId(),
      clientId: 'c',
      authTokenUrl: `${url}/sandbox/platformx/token`,
      authTokenAudience: null,
    };
    const error = await listLineItems(client, { platform }, `${url}/sandbox/platformx/items`).catch((e) => e);
    expect(error.code).toBe('ERR_OUTBOUND_REFUSED');
    const dotted = await listLineItems(
      client,
      { platform: { ...platform, authTokenUrl: `${url}/sandbox/platform/../../admin/token` } },
      `${url}/sandbox/platform/../x`,
    ).catch((e) => e);
    expect(dotted.code).toBe('ERR_OUTBOUND_REFUSED');
  });
});
