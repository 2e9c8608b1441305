import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import type { PlatformEmulator } from '../../../src/lti/emulator/index.js';
import type { PlatformServices } from '../../../src/lti/emulator/services.js';
import { signJwt } from '../../../src/lti/keys.js';
import { signClientAssertion } from '../../../src/lti/services/index.js';
import { agsScope, jwtBearerAssertionType, nrpsScope } from '../../../src/lti/services/scopes.js';
import type { Platform } from '../../../src/store/platforms.js';
import { type ServicesHarness, startServicesHarness } from './harness.js';

// The emulator's token endpoint must refuse what a real platform refuses, or the client tests prove nothing.
let h: ServicesHarness;
let platform: PlatformEmulator;
let services: PlatformServices;
let registration: Platform;

beforeAll(async () => {
  h = await startServicesHarness();
  ({ platform, services, registration } = await h.addPlatform('tokens', 'moodle'));
  services.addCourse({ id: 'c' });
});

afterAll(async () => {
  await h?.close();
});

async function tokenRequest(fields: Record<string, string>): Promise<{ status: number; json: any }> {
  const res = await fetch(platform.endpoints.authTokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, json: await res.json() };
}

const grant = (assertion: string, scope: string = agsScope.lineItem) => ({
  grant_type: 'client_credentials',
  client_assertion_type: jwtBearerAssertionType,
  client_assertion: assertion,
  scope,
});

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(h.clock.now().getTime() / 1000);
  return {
    iss: registration.clientId,
    sub: registration.clientId,
    aud: registration.authTokenUrl,
    iat: now,
    exp: now + 300,
    jti: `jti-${Math.random()}`,
    ...overrides,
  };
}

describe('the emulated token endpoint', () => {
  it('grants a token for a good assertion, once per jti', async () => {
    const assertion = await signClientAssertion(h.ctx, registration);
    const first = await tokenRequest(
      grant(assertion, `${agsScope.lineItem} ${nrpsScope.contextMembershipReadonly}`),
    );
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(first.json.scope.split(' ').sort()).toEqual(
      [agsScope.lineItem, nrpsScope.contextMembershipReadonly].sort(),
    );
    const replay = await tokenRequest(grant(assertion));
    expect(replay).toEqual({
      status: 401,
      json: { error: 'invalid_client', error_description: 'client_assertion jti was already used' },
    });

    const lineItems = await fetch(services.lineItemsUrl('c'), {
      headers: { authorization: `Bearer ${first.json.access_token}` },
    });
    expect(lineItems.status).toBe(200);
    expect(lineItems.headers.get('content-type')).toContain(
      'application/vnd.ims.lis.v2.lineitemcontainer+json',
    );
    const results = await fetch(services.membershipsUrl('c'), {
      headers: { authorization: 'Bearer nope' },
    });
    expect(results.status).toBe(401);
    expect(results.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('enforces scopes on each service', async () => {
    const token = await tokenRequest(grant(await signClientAssertion(h.ctx, registration), agsScope.score));
    const res = await fetch(services.lineItemsUrl('c'), {
      headers: { authorization: `Bearer ${token.json.access_token}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('insufficient_scope');
  });

  it('refuses an expired assertion, another key, a wrong alg, another client and a missing jti', async () => {
    const expired = await signClientAssertion(h.ctx, registration);
    h.clock.advance(10 * 60_000);
    expect((await tokenRequest(grant(expired))).json.error_description).toMatch(/exp/);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'not-laurels' })
      .sign(privateKey);
    const strangerAnswer = await tokenRequest(grant(stranger));
    expect(strangerAnswer.status).toBe(401);
    expect(strangerAnswer.json.error).toBe('invalid_client');

    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'x' })
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    expect((await tokenRequest(grant(hs))).json.error_description).toMatch(/RS256/);

    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'x' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims())).toString('base64url');
    expect((await tokenRequest(grant(`${header}.${body}.`))).status).toBe(401);

    const otherClient = await signClientAssertion(h.ctx, { ...registration, clientId: 'x' });
    expect((await tokenRequest(grant(otherClient))).json.error_description).toMatch(/iss/);

    const { iss, sub, aud } = claims();
    const noJti = await signJwt(h.ctx, { iss, sub, aud });
    expect((await tokenRequest(grant(noJti))).json.error_description).toMatch(/jti/);
  });

  it('answers RFC 6749 errors for a malformed grant', async () => {
    const assertion = await signClientAssertion(h.ctx, registration);
    expect((await tokenRequest({ ...grant(assertion), grant_type: 'password' })).json.error).toBe(
      'unsupported_grant_type',
    );
    expect((await tokenRequest({ ...grant(assertion), client_assertion_type: 'x' })).json.error).toBe(
      'invalid_request',
    );
    expect((await tokenRequest(grant(assertion, 'https://example.com/scope'))).json.error).toBe(
      'invalid_scope',
    );
    expect((await tokenRequest(grant('not-a-jwt'))).json).toEqual({
      error: 'invalid_client',
      error_description: 'client_assertion is not a JWT',
    });
  });
});
