import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  findPlatformById,
  findPlatformByIssuerAndClient,
  findPlatformsByIssuer,
  hasDeployment,
  insertPlatform,
  listDeployments,
  listPlatforms,
  recordDeployment,
} from '../../../src/store/platforms.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema();
});
afterAll(async () => {
  await db.drop();
});

const base = {
  issuer: 'https://moodle.example.edu',
  authLoginUrl: 'https://moodle.example.edu/mod/lti/auth.php',
  authTokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
  jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
};

describe('platforms store', () => {
  it('inserts, finds by id and by (issuer, client_id), and refuses a duplicate pair', async () => {
    const id = randomUUID();
    const inserted = await insertPlatform(db.pool, {
      ...base,
      id,
      clientId: 'c1',
      productFamilyCode: 'moodle',
    });
    expect(inserted).toMatchObject({ id, clientId: 'c1', name: '', strictDeployments: false });
    expect(await findPlatformById(db.pool, id)).toEqual(inserted);
    expect(await findPlatformByIssuerAndClient(db.pool, base.issuer, 'c1')).toEqual(inserted);
    expect(await findPlatformByIssuerAndClient(db.pool, base.issuer, 'nope')).toBeUndefined();
    expect(await insertPlatform(db.pool, { ...base, id: randomUUID(), clientId: 'c1' })).toBeUndefined();
    await insertPlatform(db.pool, { ...base, id: randomUUID(), clientId: 'c2', name: 'Second' });
    expect((await findPlatformsByIssuer(db.pool, base.issuer)).map((p) => p.clientId)).toEqual(['c1', 'c2']);
    expect((await listPlatforms(db.pool)).length).toBe(2);
  });

  it('records a deployment once', async () => {
    const id = randomUUID();
    await insertPlatform(db.pool, { ...base, issuer: 'https://canvas.test', id, clientId: '1000' });
    expect(await hasDeployment(db.pool, id, 'd1')).toBe(false);
    expect(await recordDeployment(db.pool, id, 'd1')).toBe(true);
    expect(await recordDeployment(db.pool, id, 'd1')).toBe(false);
    expect(await hasDeployment(db.pool, id, 'd1')).toBe(true);
    expect(await listDeployments(db.pool, id)).toEqual(['d1']);
  });
});
