import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type express from 'express';
import request from 'supertest';
import { fixedClock } from '../../../src/clock.js';
import type { AppContext } from '../../../src/context.js';
import { bakePng, bakeSvg } from '../../../src/credentials/index.js';
import { createApp } from '../../../src/http/app.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

const adminToken = 'admin-token-for-credentials-tests';
const auth = { Authorization: `Bearer ${adminToken}` };
let db: TestSchema;
let ctx: AppContext;
let app: express.Express;
let issuerId: string;

function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])),
    chunk('IDAT', deflateSync(Buffer.from([0, 128]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function issueBody(awardKey: string) {
  return {
    issuerId,
    awardKey,
    name: 'Teamwork Badge',
    achievement: {
      id: 'teamwork',
      name: 'Teamwork',
      description: 'Works well in a team.',
      criteriaNarrative: 'Completed the group project.',
      image: 'https://laurel.test/achievements/teamwork/image.png',
    },
    recipient: { email: 'learner@example.org', salt: 'pepper-123' },
    evidence: [{ id: 'https://lms.example/statements/1', name: 'Project passed' }],
  };
}

async function verify(body: unknown, type = 'application/json') {
  const req = request(app).post('/verify').set('Content-Type', type);
  return (await req.send(body as string).expect(200)).body;
}

beforeAll(async () => {
  db = await createTestSchema();
  ctx = await testContext(db, {
    config: testConfig({ PUBLIC_URL: 'https://laurel.test', ADMIN_TOKEN: adminToken }),
    clock: fixedClock(new Date('2026-01-15T10:00:00Z')),
  });
  app = createApp(ctx);
  const res = await request(app)
    .post('/admin/api/issuers')
    .set(auth)
    .send({ name: 'Example College', url: 'https://college.example', email: 'badges@college.example' })
    .expect(201);
  issuerId = res.body.issuer.id;
});

afterAll(async () => {
  await db.drop();
});

describe('issuers', () => {
  it('serves the DID document with the key under assertionMethod, and keeps the key sealed at rest', async () => {
    const res = await request(app).get(`/issuers/${issuerId}/did.json`).expect(200);
    const did = `did:web:laurel.test:issuers:${issuerId}`;
    expect(res.body.id).toBe(did);
    expect(res.body.verificationMethod).toHaveLength(1);
    expect(res.body.verificationMethod[0]).toMatchObject({ type: 'Multikey', controller: did });
    expect(res.body.assertionMethod).toEqual([res.body.verificationMethod[0].id]);
    const { rows } = await db.pool.query('SELECT secret_key_sealed FROM issuer_keys');
    expect(rows[0].secret_key_sealed).toMatch(/^v1\./);
  });

  it('refuses the admin API without the token', async () => {
    await request(app).post('/admin/api/issuers').send({ name: 'x' }).expect(401);
  });

  it('answers 404 for unknown or malformed ids', async () => {
    await request(app).get('/issuers/00000000-0000-4000-8000-000000000000/did.json').expect(404);
    await request(app).get('/credentials/not-a-uuid').expect(404);
  });
});

describe('issuing, verifying, revoking', () => {
  let credentialId: string;
  let credential: Record<string, any>;

  it('issues a credential that is served at its id and verifies on every check', async () => {
    const res = await request(app)
      .post('/admin/api/credentials')
      .set(auth)
      .send(issueBody('award-1'))
      .expect(201);
    credentialId = res.body.id;
    credential = res.body.credential;
    expect(credential.id).toBe(`https://laurel.test/credentials/${credentialId}`);
    expect(credential.credentialStatus.statusListCredential).toMatch(/^https:\/\/laurel\.test\/status\//);
    const served = await request(app).get(`/credentials/${credentialId}`).expect(200);
    expect(served.body).toEqual(credential);
    const achievement = await request(app).get('/achievements/teamwork').expect(200);
    expect(achievement.body.id).toBe('https://laurel.test/achievements/teamwork');
    const report = await verify(credential);
    expect(report.checks.filter((c: any) => !c.valid)).toEqual([]);
    expect(report.verified).toBe(true);
  });

  it('issues one credential per award key', async () => {
    const again = await request(app)
      .post('/admin/api/credentials')
      .set(auth)
      .send(issueBody('award-1'))
      .expect(201);
    expect(again.body.id).toBe(credentialId);
    const other = await request(app)
      .post('/admin/api/credentials')
      .set(auth)
      .send(issueBody('award-2'))
      .expect(201);
    expect(other.body.id).not.toBe(credentialId);
    expect(other.body.credential.credentialStatus.statusListIndex).not.toBe(
      credential.credentialStatus.statusListIndex,
    );
  });

  it('publishes the status list with cache headers', async () => {
    const url = new URL(credential.credentialStatus.statusListCredential);
    const res = await request(app).get(url.pathname).expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
    expect(res.body.proof.cryptosuite).toBe('eddsa-rdfc-2022');
  });

  it('verifies baked PNG and SVG uploads', async () => {
    const png = bakePng(tinyPng(), JSON.stringify(credential));
    expect((await verify(png, 'image/png')).verified).toBe(true);
    const svg = bakeSvg('<svg xmlns="http://www.w3.org/2000/svg"></svg>', JSON.stringify(credential));
    expect((await verify(Buffer.from(svg), 'image/svg+xml')).verified).toBe(true);
  });

  it('keeps verifying credentials signed with a rotated key', async () => {
    await request(app).post(`/admin/api/issuers/${issuerId}/rotate-key`).set(auth).expect(204);
    const did = await request(app).get(`/issuers/${issuerId}/did.json`).expect(200);
    expect(did.body.assertionMethod).toHaveLength(2);
    expect((await verify(credential)).verified).toBe(true);
    const fresh = await request(app)
      .post('/admin/api/credentials')
      .set(auth)
      .send(issueBody('award-3'))
      .expect(201);
    expect(fresh.body.credential.proof[0].verificationMethod).toBe(did.body.assertionMethod[0]);
    expect((await verify(fresh.body.credential)).verified).toBe(true);
  });

  it('stops verifying once revoked, with the reason recorded', async () => {
    const res = await request(app)
      .post(`/admin/api/credentials/${credentialId}/revoke`)
      .set(auth)
      .send({ reason: 'Awarded in error' })
      .expect(200);
    expect(res.body.reason).toBe('Awarded in error');
    const report = await verify(credential);
    expect(report.verified).toBe(false);
    expect(report.checks.find((c: any) => c.check === 'status')).toMatchObject({
      valid: false,
      message: 'revoked',
    });
    await request(app)
      .post(`/admin/api/credentials/${credentialId}/revoke`)
      .set(auth)
      .send({ reason: 'x' })
      .expect(409);
    await request(app).post(`/admin/api/credentials/${credentialId}/revoke`).set(auth).send({}).expect(400);
  });
});

describe('POST /verify with bad input', () => {
  it.each([
    ['garbage text', 'not a credential', 'text/plain'],
    ['a broken PNG', Buffer.from('\x89PNG\r\n\x1a\nbroken'), 'image/png'],
    [
      'an SVG with a script',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
      'image/svg+xml',
    ],
    ['an SVG with an entity', Buffer.from('<!DOCTYPE svg [<!ENTITY a "b">]><svg>&a;</svg>'), 'image/svg+xml'],
    ['a JSON array', [1, 2], 'application/json'],
  ])('%s: a failed verification, not an error', async (_name, body, type) => {
    const report = await verify(body, type);
    expect(report.verified).toBe(false);
    expect(report.checks[0].valid).toBe(false);
  });

  it('refuses did:web issuers on private addresses (SSRF guard)', async () => {
    const report = await verify({
      '@context': [
        'https://www.w3.org/ns/credentials/v2',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      ],
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: 'did:web:127.0.0.1',
      validFrom: '2020-01-01T00:00:00Z',
      credentialSubject: { type: ['AchievementSubject'] },
      proof: {
        type: 'DataIntegrityProof',
        cryptosuite: 'eddsa-rdfc-2022',
        proofPurpose: 'assertionMethod',
        verificationMethod: 'did:web:127.0.0.1#key-1',
        proofValue: 'z1',
      },
    });
    expect(report.verified).toBe(false);
    const issuer = report.checks.find((c: any) => c.check === 'issuer');
    expect(issuer.valid).toBe(false);
    expect(issuer.message).toMatch(/could not be fetched.*refused/);
  });

  it('answers 413 for an oversized upload and 415 for an unknown type', async () => {
    await request(app)
      .post('/verify')
      .set('Content-Type', 'image/png')
      .send(Buffer.alloc(3 * 1024 * 1024))
      .expect(413);
    await request(app)
      .post('/verify')
      .set('Content-Type', 'application/pdf')
      .send(Buffer.from('x'))
      .expect(415);
  });
});

describe('GET /verify page', () => {
  it('serves a page whose script is a file (no inline script) and the script itself', async () => {
    const res = await request(app).get('/verify').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<script src="/assets/verify/verify.js" defer></script>');
    expect(res.text).not.toMatch(/<script>/);
    const script = await request(app).get('/assets/verify/verify.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text).toContain("fetch('/verify'");
  });

  it('refuses to fetch a credential URL on a private address', async () => {
    const res = await request(app).post('/verify?url=https%3A%2F%2F127.0.0.1%2Fbadge.json').expect(200);
    expect(res.body.verified).toBe(false);
    expect(res.body.checks[0].message).toMatch(/refused/);
  });
});
