import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type express from 'express';
import request from 'supertest';
import { fixedClock } from '../../../src/clock.js';
import {
  ACHIEVEMENT_CREDENTIAL_SCHEMA_URL,
  MAX_SCHEMAS_PER_CREDENTIAL,
} from '../../../src/credentials/index.js';
import { createApp } from '../../../src/http/app.js';
import { SCHEMA_RETRY_AFTER_MS } from '../../../src/issuing/schema-loader.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { hasSpec, specPath } from '../../vectors/ob3/spec.js';

// The `schema` check of POST /verify (OB 3.0 §8.2, 1EdTechJsonSchemaValidator2019): schemas from OB_SCHEMA_DIR,
// or fetched from SCHEMA_FETCH_HOSTS through the SSRF guard, redirects vetted, failures not retried at once.

const adminToken = 'admin-token-for-schema-check-tests';
// A small schema of our own, so these tests run without ../shared: `name` must be a string.
const nameSchema = {
  $schema: 'https://json-schema.org/draft/2019-09/schema#',
  $id: 'https://schemas.example/name-is-a-string.json',
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' } },
};

let db: TestSchema;
let folder: string;
let server: Server;
let origin: string;
const hits: string[] = [];
let failNext = 0;

function credential(schemaUrl: string, name: unknown = 'A badge') {
  return {
    '@context': ['https://www.w3.org/2018/credentials/v1'],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    issuanceDate: '2026-01-01T00:00:00Z',
    name,
    credentialSubject: { id: 'did:example:learner' },
    credentialSchema: [{ id: schemaUrl, type: '1EdTechJsonSchemaValidator2019' }],
  };
}

async function schemaCheck(app: express.Express, body: unknown) {
  const res = await request(app)
    .post('/verify')
    .send(body as object)
    .expect(200);
  return (res.body.checks as { check: string; valid: boolean; message: string }[]).find(
    (c) => c.check === 'schema',
  );
}

beforeAll(async () => {
  db = await createTestSchema();
  folder = mkdtempSync(path.join(tmpdir(), 'laurel-schemas-'));
  writeFileSync(path.join(folder, 'name-is-a-string.json'), JSON.stringify(nameSchema));
  // As an admin would: the 1EdTech schema downloaded into the folder under its URL's file name.
  if (hasSpec) {
    copyFileSync(
      specPath('schema/achievementcredential.json'),
      path.join(folder, path.posix.basename(new URL(ACHIEVEMENT_CREDENTIAL_SCHEMA_URL).pathname)),
    );
  }
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (failNext > 0) {
      failNext--;
      res.writeHead(500).end();
    } else if (pathname === '/schemas/name.json') {
      res.writeHead(200, { 'content-type': 'application/schema+json' }).end(JSON.stringify(nameSchema));
    } else if (req.url === '/old/name.json') {
      res.writeHead(301, { location: '/schemas/name.json' }).end();
    } else if (req.url === '/elsewhere/name.json') {
      res.writeHead(302, {
        location: `http://localhost:${(server.address() as AddressInfo).port}/schemas/name.json`,
      });
      res.end();
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(folder, { recursive: true, force: true });
  await db.drop();
});

describe('schemas from OB_SCHEMA_DIR', () => {
  let app: express.Express;
  beforeAll(async () => {
    const ctx = await testContext(db, {
      config: testConfig({ OB_SCHEMA_DIR: folder, ADMIN_TOKEN: adminToken }),
    });
    app = createApp(ctx);
  });

  it('checks a credential against the schema it names, found by file name', async () => {
    const url = 'https://schemas.example/any/path/name-is-a-string.json';
    expect(await schemaCheck(app, credential(url))).toEqual({
      check: 'schema',
      valid: true,
      message: expect.stringContaining(`valid against ${url}`),
    });
    const bad = await schemaCheck(app, credential(url, 5));
    expect(bad).toMatchObject({ valid: false, message: `${url}: /name must be string` });
  });

  it('finds a schema by its $id too', async () => {
    expect(await schemaCheck(app, credential(nameSchema.$id, 5))).toMatchObject({ valid: false });
  });

  it('reports a schema it cannot load as not checked, naming why', async () => {
    const check = await schemaCheck(app, credential('https://schemas.example/unknown.json'));
    expect(check?.valid).toBe(true);
    expect(check?.message).toMatch(/not checked: .*unknown\.json .*SCHEMA_FETCH_HOSTS/);
  });

  (hasSpec ? it : it.skip)('checks what Laurel issues against the 1EdTech schema: valid', async () => {
    const auth = { Authorization: `Bearer ${adminToken}` };
    const issuer = await request(app)
      .post('/admin/api/issuers')
      .set(auth)
      .send({ name: 'Example College', url: 'https://college.example' })
      .expect(201);
    const issued = await request(app)
      .post('/admin/api/credentials')
      .set(auth)
      .send({
        issuerId: issuer.body.issuer.id,
        awardKey: 'schema-1',
        name: 'Teamwork Badge',
        achievement: {
          id: 'teamwork',
          name: 'Teamwork',
          description: 'Works in a team.',
          criteriaNarrative: 'Did.',
        },
        recipient: { email: 'learner@example.org', salt: 'pepper-123' },
      })
      .expect(201);
    const check = await schemaCheck(app, issued.body.credential);
    expect(check).toEqual({
      check: 'schema',
      valid: true,
      message: `valid against ${ACHIEVEMENT_CREDENTIAL_SCHEMA_URL}`,
    });
    // The same credential with a field of the wrong type fails the 1EdTech schema.
    const broken = structuredClone(issued.body.credential);
    broken.credentialSubject.achievement.criteria = 'not an object';
    const failed = await schemaCheck(app, broken);
    expect(failed?.valid).toBe(false);
    expect(failed?.message).toContain('/credentialSubject/achievement/criteria');
  });
});

describe('how many schemas one credential may name', () => {
  it(`checks at most ${MAX_SCHEMAS_PER_CREDENTIAL}, saying how many it left out, and requests none beyond`, async () => {
    const config = testConfig({ SCHEMA_FETCH_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: 'true' });
    const app = createApp(await testContext(db, { config }));
    hits.length = 0;
    const body = credential(`${origin}/schemas/name.json?n=0`);
    body.credentialSchema = Array.from({ length: MAX_SCHEMAS_PER_CREDENTIAL + 2 }, (_, n) => ({
      id: `${origin}/schemas/name.json?n=${n}`,
      type: '1EdTechJsonSchemaValidator2019',
    }));
    const check = await schemaCheck(app, body);
    expect(check?.valid).toBe(true);
    expect(check?.message).toContain('2 more left out');
    expect(hits).toHaveLength(MAX_SCHEMAS_PER_CREDENTIAL);
  });
});

describe('schemas fetched from SCHEMA_FETCH_HOSTS', () => {
  const clock = fixedClock(new Date('2026-01-15T10:00:00Z'));
  let app: express.Express;
  beforeAll(async () => {
    const config = testConfig({ SCHEMA_FETCH_HOSTS: '127.0.0.1', OUTBOUND_ALLOW_PRIVATE: 'true' });
    app = createApp(await testContext(db, { config, clock }));
  });

  it('fetches the schema once, follows a redirect to an allowed host, and checks against it', async () => {
    hits.length = 0;
    expect(await schemaCheck(app, credential(`${origin}/schemas/name.json`, 5))).toMatchObject({
      valid: false,
    });
    expect(await schemaCheck(app, credential(`${origin}/schemas/name.json`))).toMatchObject({ valid: true });
    expect(await schemaCheck(app, credential(`${origin}/old/name.json`, 5))).toMatchObject({ valid: false });
    expect(hits).toEqual(['/schemas/name.json', '/old/name.json', '/schemas/name.json']);
  });

  it('refuses a redirect to a host not listed', async () => {
    const check = await schemaCheck(app, credential(`${origin}/elsewhere/name.json`, 5));
    expect(check?.valid).toBe(true);
    expect(check?.message).toMatch(/not checked: .*redirects to http:\/\/localhost.*not allowed/);
  });

  it('requests nothing from a host not listed', async () => {
    hits.length = 0;
    const check = await schemaCheck(app, credential('http://localhost:1/schemas/name.json'));
    expect(check?.message).toMatch(/not checked: .*SCHEMA_FETCH_HOSTS \(127\.0\.0\.1\)/);
    expect(hits).toEqual([]);
  });

  it('does not ask again for a schema that failed until the retry delay has passed', async () => {
    hits.length = 0;
    failNext = 1;
    const url = `${origin}/schemas/name.json?v=2`;
    const first = await schemaCheck(app, credential(url, 5));
    expect(first).toMatchObject({
      valid: true,
      message: expect.stringMatching(/not checked: .*answered 500/),
    });
    expect(await schemaCheck(app, credential(url, 5))).toMatchObject({ valid: true });
    expect(hits).toEqual(['/schemas/name.json?v=2']);
    clock.advance(SCHEMA_RETRY_AFTER_MS);
    expect(await schemaCheck(app, credential(url, 5))).toMatchObject({ valid: false });
    expect(hits).toHaveLength(2);
  });
});
