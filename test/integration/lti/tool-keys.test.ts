import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { fixedClock } from '../../../src/clock.js';
import {
  type KeyContext,
  listToolKeys,
  publicJwks,
  rotateToolKeys,
  signingKey,
  signJwt,
} from '../../../src/lti/keys.js';
import { defaultKeyPolicy } from '../../../src/lti/keys-policy.js';
import { unseal } from '../../../src/secrets.js';
import { testSecret } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let db: TestSchema;
const clock = fixedClock(new Date('2026-01-15T10:00:00Z'));
let ctx: KeyContext;
const p = defaultKeyPolicy;

beforeAll(async () => {
  db = await createTestSchema();
  ctx = { pool: db.pool, clock, secret: testSecret };
});
afterAll(async () => {
  await db.drop();
});

const kids = async () => (await publicJwks(ctx)).keys.map((k) => k.kid);

describe('tool keys on a clock that moves while keys are generated', () => {
  it('creates and rotates keys (created_at read before generating)', async () => {
    const other = await createTestSchema();
    try {
      let tick = Date.parse('2026-03-01T00:00:00Z');
      const moving: KeyContext = {
        pool: other.pool,
        secret: testSecret,
        clock: {
          now: () => {
            tick += 250;
            return new Date(tick);
          },
        },
      };
      const first = await signingKey(moving);
      const rotation = await rotateToolKeys(moving);
      expect((await listToolKeys(moving)).map((k) => [k.kid, k.state])).toEqual([
        [first.kid, 'active'],
        [rotation.kid, 'pending'],
      ]);
    } finally {
      await other.drop();
    }
  });
});

describe('tool keys', () => {
  it('creates the first key at first need, active at once, private half sealed at rest', async () => {
    const [first, second] = await Promise.all([signingKey(ctx), signingKey(ctx)]);
    expect(first.kid).toBe(second.kid);
    const { rows } = await db.pool.query('SELECT kid, private_key_sealed FROM lti_tool_keys');
    expect(rows).toHaveLength(1);
    expect(rows[0].private_key_sealed).toMatch(/^v1\./);
    expect(rows[0].private_key_sealed).not.toContain('PRIVATE KEY');
    expect(unseal(testSecret, 'lti-tool-key', rows[0].private_key_sealed)).toContain('BEGIN PRIVATE KEY');
    expect(() =>
      unseal('another-secret-another-secret-0123456', 'lti-tool-key', rows[0].private_key_sealed),
    ).toThrow();
  });

  it('JWKS holds only public RSA members with kid, alg and use', async () => {
    const jwks = await publicJwks(ctx);
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(Object.keys(key!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
  });

  it('signJwt signs with kid, iat and exp from the clock, verifiable with the JWKS', async () => {
    const token = await signJwt(
      ctx,
      { iss: 'client-1', aud: 'https://lms.example.edu' },
      { lifetimeSeconds: 120 },
    );
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await publicJwks(ctx)), {
      currentDate: clock.now(),
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: (await signingKey(ctx)).kid });
    expect(payload.iat).toBe(clock.now().getTime() / 1000);
    expect(payload.exp).toBe(payload.iat! + 120);
    await expect(signJwt(ctx, {}, { lifetimeSeconds: p.maxTokenLifetimeSeconds + 1 })).rejects.toThrow(
      /lifetime/,
    );
  });

  it('rotation: publish first, sign after the lead, retire after the old tokens expired', async () => {
    const oldKid = (await signingKey(ctx)).kid;
    const rotation = await rotateToolKeys(ctx);
    expect(rotation.activatesAt.getTime() - clock.now().getTime()).toBe(p.publishLeadSeconds * 1000);
    expect(await kids()).toEqual([oldKid, rotation.kid]);
    expect((await signingKey(ctx)).kid).toBe(oldKid);
    await expect(rotateToolKeys(ctx)).rejects.toMatchObject({ code: 'ERR_LTI_KEY_ROTATION_PENDING' });

    clock.advance(p.publishLeadSeconds * 1000 - 1000);
    expect((await signingKey(ctx)).kid).toBe(oldKid);
    const lastOldToken = await signJwt(ctx, { sub: 'x' }, { lifetimeSeconds: p.maxTokenLifetimeSeconds });
    expect(decodeProtectedHeader(lastOldToken).kid).toBe(oldKid);

    clock.advance(1000);
    expect((await signingKey(ctx)).kid).toBe(rotation.kid);
    expect(await kids()).toEqual([oldKid, rotation.kid]);

    // The last token of the old key is still valid: the old key must still be published.
    clock.advance((p.maxTokenLifetimeSeconds - 2) * 1000);
    await jwtVerify(lastOldToken, createLocalJWKSet(await publicJwks(ctx)), { currentDate: clock.now() });
    clock.advance((p.verifierSkewSeconds + 1) * 1000);
    expect(await kids()).toEqual([oldKid, rotation.kid]);
    clock.advance(1000);
    expect(await kids()).toEqual([rotation.kid]);

    const { rows } = await db.pool.query(
      'SELECT private_key_sealed, retired_at FROM lti_tool_keys WHERE kid = $1',
      [oldKid],
    );
    expect(rows[0]).toEqual({ private_key_sealed: null, retired_at: clock.now() });
    const states = (await listToolKeys(ctx)).map((k) => [k.kid, k.state]);
    expect(states).toEqual([
      [oldKid, 'retired'],
      [rotation.kid, 'active'],
    ]);
  });
});
