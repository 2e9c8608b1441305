// Suspension (issue #6, item 4): with CREDENTIAL_SUSPENSION=true credentials carry one 2-bit `message` entry
// (0 valid, 1 revoked, 2 suspended), so they can be suspended, unsuspended and revoked through the admin API and
// the CLI, while each still has the single credentialStatus object OB 3.0 allows.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type express from 'express';
import request from 'supertest';
import { fixedClock } from '../../../src/clock.js';
import type { AppContext } from '../../../src/context.js';
import { decodeList, getStatus, getStatusValue } from '../../../src/credentials/index.js';
import { createApp } from '../../../src/http/app.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

const adminToken = 'admin-token-for-suspension-tests-0123';
const auth = { Authorization: `Bearer ${adminToken}` };
let db: TestSchema;
let app: express.Express;
let revocationOnlyApp: express.Express;
let issuerId: string;
let awards = 0;

function contextWith(suspension: boolean): Promise<AppContext> {
  return testContext(db, {
    config: testConfig({ ADMIN_TOKEN: adminToken, CREDENTIAL_SUSPENSION: String(suspension) }),
    clock: fixedClock(new Date('2026-01-15T10:00:00Z')),
  });
}

async function issue(on = app): Promise<{ id: string; credential: Record<string, any> }> {
  const res = await request(on)
    .post('/admin/api/credentials')
    .set(auth)
    .send({
      issuerId,
      awardKey: `award-${++awards}`,
      name: 'Lab Safety Badge',
      achievement: {
        id: 'lab-safety',
        name: 'Lab Safety',
        description: 'Knows the lab rules.',
        criteriaNarrative: 'Passed the lab safety quiz.',
      },
      recipient: { email: 'learner@example.org', salt: 'pepper-123' },
    })
    .expect(201);
  return { id: res.body.id, credential: res.body.credential };
}

async function statusCheck(credential: unknown) {
  const res = await request(app)
    .post('/verify')
    .send(credential as object)
    .expect(200);
  return { verified: res.body.verified, status: res.body.checks.find((c: any) => c.check === 'status') };
}

function change(id: string, action: string, body: unknown = { reason: `${action} for a test` }) {
  return request(app)
    .post(`/admin/api/credentials/${id}/${action}`)
    .set(auth)
    .send(body as object);
}

/** The value of the credential's entry in the status list as served at /status/<id>. */
async function servedValue(credential: Record<string, any>): Promise<number> {
  const { statusListCredential, statusListIndex, statusSize } = credential.credentialStatus;
  const list = await request(app).get(new URL(statusListCredential).pathname).expect(200);
  const bits = decodeList(list.body.credentialSubject.encodedList);
  return statusSize
    ? getStatusValue(bits, Number(statusListIndex), statusSize)
    : Number(getStatus(bits, Number(statusListIndex)));
}

beforeAll(async () => {
  db = await createTestSchema();
  app = createApp(await contextWith(true));
  revocationOnlyApp = createApp(await contextWith(false));
  const res = await request(app)
    .post('/admin/api/issuers')
    .set(auth)
    .send({ name: 'Example College' })
    .expect(201);
  issuerId = res.body.issuer.id;
});

afterAll(async () => {
  await db.drop();
});

describe('suspendable credentials', () => {
  it('carry one message entry: 2 bits, the three messages and a reference that is served', async () => {
    const { credential } = await issue();
    expect(credential.credentialStatus).toEqual({
      id: expect.stringMatching(/^https:\/\/laurel\.test\/status\/[0-9a-f-]{36}#\d+$/),
      type: 'BitstringStatusListEntry',
      statusPurpose: 'message',
      statusListIndex: expect.stringMatching(/^\d+$/),
      statusListCredential: expect.stringMatching(/^https:\/\/laurel\.test\/status\/[0-9a-f-]{36}$/),
      statusSize: 2,
      statusMessage: [
        { status: '0x0', message: 'valid' },
        { status: '0x1', message: 'revoked' },
        { status: '0x2', message: 'suspended' },
        { status: '0x3', message: 'undefined' },
      ],
      statusReference: 'https://laurel.test/status/messages',
    });
    expect(await statusCheck(credential)).toEqual({
      verified: true,
      status: { check: 'status', valid: true, message: 'valid' },
    });
    const reference = await request(app).get('/status/messages').expect(200);
    expect(reference.body.statusMessage.map((m: any) => m.message)).toEqual([
      'valid',
      'revoked',
      'suspended',
      'undefined',
    ]);
    const list = await request(app).get(new URL(credential.credentialStatus.statusListCredential).pathname);
    expect(list.body.credentialSubject).toMatchObject({
      type: 'BitstringStatusList',
      statusPurpose: 'message',
    });
    // 131,072 entries of 2 bits (Bitstring Status List §3.1 minimum, times the size).
    expect(decodeList(list.body.credentialSubject.encodedList).length).toBe(32768);
  });

  it('suspend, unsuspend and suspend again, each reason recorded, /verify following every step', async () => {
    const { id, credential } = await issue();
    const suspended = await change(id, 'suspend', { reason: 'Under academic review' }).expect(200);
    expect(suspended.body).toMatchObject({
      id,
      status: 'suspended',
      suspensionReason: 'Under academic review',
    });
    expect(await statusCheck(credential)).toEqual({
      verified: false,
      status: { check: 'status', valid: false, message: 'suspended' },
    });
    expect(await servedValue(credential)).toBe(2);

    const unsuspended = await change(id, 'unsuspend', { reason: 'Review closed: no case' }).expect(200);
    expect(unsuspended.body).toMatchObject({ status: 'valid', suspendedAt: null });
    expect((await statusCheck(credential)).verified).toBe(true);
    expect(await servedValue(credential)).toBe(0);

    await change(id, 'suspend', { reason: 'Second review' }).expect(200);
    const view = await request(app).get(`/admin/api/credentials/${id}`).set(auth).expect(200);
    expect(view.body).toMatchObject({ status: 'suspended', suspensionReason: 'Second review' });
    expect(view.body.events.map((e: any) => [e.action, e.reason])).toEqual([
      ['suspend', 'Under academic review'],
      ['unsuspend', 'Review closed: no case'],
      ['suspend', 'Second review'],
    ]);
  });

  it('revocation wins over suspension and is for good', async () => {
    const { id, credential } = await issue();
    await change(id, 'suspend').expect(200);
    const revoked = await change(id, 'revoke', { reason: 'Plagiarism confirmed' }).expect(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revocationReason: 'Plagiarism confirmed' });
    expect(await statusCheck(credential)).toEqual({
      verified: false,
      status: { check: 'status', valid: false, message: 'revoked' },
    });
    expect(await servedValue(credential)).toBe(1);
    for (const action of ['unsuspend', 'suspend', 'revoke']) {
      const res = await change(id, action).expect(409);
      expect(res.body.error.code).toBe('ERR_CONFLICT');
    }
    expect(await servedValue(credential)).toBe(1);
  });

  it('answers 409 for a suspend of a suspended credential and an unsuspend of a valid one', async () => {
    const { id } = await issue();
    expect((await change(id, 'unsuspend').expect(409)).body.error.code).toBe('ERR_CONFLICT');
    await change(id, 'suspend').expect(200);
    expect((await change(id, 'suspend').expect(409)).body.error.code).toBe('ERR_CONFLICT');
  });

  it('loses no change when credentials of one list change at once', async () => {
    const issued = await Promise.all(Array.from({ length: 6 }, () => issue()));
    const actions = issued.map((_, i) => (i % 3 === 0 ? 'revoke' : 'suspend'));
    await Promise.all(issued.map(({ id }, i) => change(id, actions[i]!).expect(200)));
    const values = await Promise.all(issued.map(({ credential }) => servedValue(credential)));
    expect(values).toEqual(actions.map((a) => (a === 'revoke' ? 1 : 2)));
  });

  it('refuses bad requests with the error shape, and the API without the token', async () => {
    const { id } = await issue();
    expect((await change(id, 'suspend', {}).expect(400)).body.error.code).toBe('ERR_VALIDATION');
    expect((await change(id, 'suspend', { reason: '   ' }).expect(400)).body.error.code).toBe(
      'ERR_VALIDATION',
    );
    await change(id, 'suspend', { reason: 'x', extra: 1 }).expect(400);
    await change('00000000-0000-4000-8000-000000000000', 'suspend').expect(404);
    await change('not-a-uuid', 'unsuspend').expect(404);
    await request(app).post(`/admin/api/credentials/${id}/suspend`).send({ reason: 'x' }).expect(401);
    await request(app).get(`/admin/api/credentials/${id}`).expect(401);
    await request(app).get(`/admin/api/credentials/${id}/suspend`).set(auth).expect(405);
    const view = await request(app).get(`/admin/api/credentials/${id}`).set(auth).expect(200);
    expect(view.body).toMatchObject({ status: 'valid', events: [] });
  });
});

describe('credentials issued with a revocation-only entry (CREDENTIAL_SUSPENSION=false)', () => {
  it('can be revoked but not suspended, and keep their own revocation list', async () => {
    const { id, credential } = await issue(revocationOnlyApp);
    expect(credential.credentialStatus).toMatchObject({ statusPurpose: 'revocation' });
    expect(credential.credentialStatus.statusSize).toBeUndefined();
    const refused = await change(id, 'suspend').expect(409);
    expect(refused.body.error.code).toBe('ERR_CREDENTIAL_NOT_SUSPENDABLE');
    expect((await statusCheck(credential)).verified).toBe(true);
    await change(id, 'revoke').expect(200);
    expect(await statusCheck(credential)).toEqual({
      verified: false,
      status: { check: 'status', valid: false, message: 'revoked' },
    });
    const { rows } = await db.pool.query(
      'SELECT purpose, status_size FROM status_lists WHERE issuer_id = $1 ORDER BY purpose',
      [issuerId],
    );
    expect(rows).toEqual([
      { purpose: 'message', status_size: 2 },
      { purpose: 'revocation', status_size: 1 },
    ]);
  });
});
