import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { fixedClock } from '../../../src/clock.js';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { registrationsPerMinute } from '../../../src/http/routes/lti-install.js';
import {
  createRegistrationPlatform,
  type RegistrationPlatform,
  type RegistrationPlatformOptions,
} from '../../../src/lti/emulator/dynamic-registration.js';
import { loadManifest, registrationRequest } from '../../../src/lti/manifest.js';
import { findPlatformByIssuerAndClient, hasDeployment } from '../../../src/store/platforms.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let db: TestSchema;
let ctx: AppContext;
let app: express.Express;
let lms: express.Express;
let server: Server;
let origin: string;
let n = 0;
const clock = fixedClock(new Date('2026-01-15T10:00:00Z'));

// Each test starts a fresh registration rate-limit window.
beforeEach(() => {
  clock.advance(60_000);
});

beforeAll(async () => {
  db = await createTestSchema();
  ctx = await testContext(db, { config: testConfig({ OUTBOUND_ALLOW_PRIVATE: 'true' }), clock });
  app = createApp(ctx);
  lms = express();
  server = lms.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await db.drop();
});

/** A fresh emulated platform mounted on the loopback LMS server under its own path. */
function platform(options: Partial<RegistrationPlatformOptions> = {}): RegistrationPlatform {
  n += 1;
  const created = createRegistrationPlatform({ family: 'moodle', baseUrl: `${origin}/lms${n}`, ...options });
  lms.use(created.router);
  return created;
}

function registerPath(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

describe('GET /lti/register against an emulated Moodle over HTTP', () => {
  it('registers: stores issuer, client_id, endpoints and deployment; closes with a script file', async () => {
    const moodle = platform();
    const res = await request(app)
      .get(registerPath(moodle.initiationUrl('https://laurel.test/lti/register')))
      .expect(200)
      .expect('Content-Type', /html/);
    expect(res.text).toContain('<script src="/assets/lti/registration-close.js" defer></script>');
    expect(res.text).not.toMatch(/<script>/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");

    expect(moodle.registrations).toHaveLength(1);
    const [accepted] = moodle.registrations;
    expect(accepted!.request).toEqual(
      JSON.parse(
        JSON.stringify(
          registrationRequest(await loadManifest(), ctx.config.publicUrl, {
            scopesSupported: moodle.openidConfiguration().scopes_supported as string[],
          }),
        ),
      ),
    );
    const stored = await findPlatformByIssuerAndClient(db.pool, origin, accepted!.clientId);
    expect(stored).toMatchObject({
      issuer: origin,
      authLoginUrl: `${origin}/lms${n}/auth`,
      authTokenUrl: `${origin}/lms${n}/token`,
      jwksUrl: `${origin}/lms${n}/certs`,
      productFamilyCode: 'moodle',
    });
    expect(await hasDeployment(db.pool, stored!.id, accepted!.deploymentId)).toBe(true);

    const script = await request(app).get('/assets/lti/registration-close.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.text).toContain("subject: 'org.imsglobal.lti.close'");
    expect(script.text).toContain('window.opener');
  });

  it('answers JSON to an API client', async () => {
    const canvas = platform({ family: 'canvas' });
    const res = await request(app)
      .get(registerPath(canvas.initiationUrl('https://laurel.test/lti/register')))
      .set('Accept', 'application/json')
      .expect(200);
    expect(res.body).toMatchObject({ issuer: origin, clientId: expect.stringMatching(/^1000000000\d+$/) });
    expect(res.body.deploymentId).toBe('1');
    // Canvas answers its configuration only to the bearer of the registration token.
    await request(origin).get(new URL(canvas.openidConfigurationUrl).pathname).expect(401);
  });

  it('keeps the authorization_server as the audience of client assertions (Brightspace)', async () => {
    const brightspace = platform({
      family: 'brightspace',
      configurationOverrides: { authorization_server: 'https://api.brightspace.com/auth/token' },
    });
    await request(app)
      .get(registerPath(brightspace.initiationUrl('https://laurel.test/lti/register')))
      .expect(200);
    const stored = await findPlatformByIssuerAndClient(
      db.pool,
      origin,
      brightspace.registrations[0]!.clientId,
    );
    expect(stored).toMatchObject({
      productFamilyCode: 'desire2learn',
      authTokenAudience: 'https://api.brightspace.com/auth/token',
    });
  });

  it('a reused registration token is refused by the platform and reported', async () => {
    const moodle = platform();
    const url = registerPath(moodle.initiationUrl('https://laurel.test/lti/register'));
    await request(app).get(url).expect(200);
    const res = await request(app).get(url).set('Accept', 'application/json').expect(400);
    expect(res.body.error).toMatchObject({
      code: 'ERR_LTI_REGISTRATION_REFUSED',
      platformStatus: 401,
      platformError: 'token_already_used',
    });
    const page = await request(app).get(url).expect(400).expect('Content-Type', /html/);
    expect(page.text).toContain('ERR_LTI_REGISTRATION_REFUSED');
    expect(moodle.registrations).toHaveLength(1);
  });

  it('an unknown token is refused', async () => {
    const moodle = platform();
    const res = await request(app)
      .get(registerPath(moodle.initiationUrl('https://laurel.test/lti/register', 'not-issued')))
      .set('Accept', 'application/json')
      .expect(400);
    expect(res.body.error.platformError).toBe('invalid_registration_token');
  });

  it('refuses an issuer that does not match the configuration URL origin (§3.5.1), registering nothing', async () => {
    const evil = platform({ issuer: 'https://moodle.example.edu' });
    const res = await request(app)
      .get(registerPath(evil.initiationUrl('https://laurel.test/lti/register')))
      .set('Accept', 'application/json')
      .expect(400);
    expect(res.body.error.code).toBe('ERR_LTI_ISSUER_MISMATCH');
    expect(evil.registrations).toHaveLength(0);
  });

  it.each([
    ['registration_endpoint', undefined, /registration_endpoint/],
    ['token_endpoint_auth_methods_supported', ['client_secret_basic'], /private_key_jwt/],
    ['id_token_signing_alg_values_supported', ['HS256'], /RS256/],
    ['https://purl.imsglobal.org/spec/lti-platform-configuration', undefined, /lti-platform-configuration/],
  ])('refuses a configuration whose %s is wrong', async (key, value, message) => {
    const broken = platform({ configurationOverrides: { [key]: value } });
    const res = await request(app)
      .get(registerPath(broken.initiationUrl('https://laurel.test/lti/register')))
      .set('Accept', 'application/json')
      .expect(400);
    expect(res.body.error.code).toBe('ERR_LTI_OPENID_CONFIGURATION_INVALID');
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses a configuration that is not JSON or not there', async () => {
    lms.get('/not-json/.well-known/openid-configuration', (_req, res) => {
      res.type('html').send('<html>login</html>');
    });
    for (const path of [
      '/not-json/.well-known/openid-configuration',
      '/missing/.well-known/openid-configuration',
    ]) {
      const res = await request(app)
        .get('/lti/register')
        .query({ openid_configuration: `${origin}${path}`, registration_token: 't' })
        .set('Accept', 'application/json')
        .expect(400);
      expect(res.body.error.code).toBe('ERR_LTI_OPENID_CONFIGURATION_INVALID');
    }
  });

  it('limits registrations per client address (429 with Retry-After)', async () => {
    for (let i = 0; i < registrationsPerMinute; i += 1) {
      await request(app).get('/lti/register').set('Accept', 'application/json').expect(400);
    }
    clock.advance(15_000);
    const limited = await request(app).get('/lti/register').expect(429).expect('Content-Type', /html/);
    expect(limited.headers['retry-after']).toBe('45');
    expect(limited.text).toContain('ERR_RATE_LIMITED');
    clock.advance(45_000);
    await request(app).get('/lti/register').set('Accept', 'application/json').expect(400);
  });

  it('requires openid_configuration', async () => {
    const res = await request(app).get('/lti/register').set('Accept', 'application/json').expect(400);
    expect(res.body.error.code).toBe('ERR_LTI_REGISTRATION_INVALID_REQUEST');
    const page = await request(app).get('/lti/register?openid_configuration=nope').expect(400);
    expect(page.text).toContain('must be an absolute URL');
  });
});

describe('SSRF guard on the OpenID configuration fetch', () => {
  it('refuses loopback addresses (literal and by name) unless OUTBOUND_ALLOW_PRIVATE', async () => {
    const guarded = createApp(await testContext(db));
    const moodle = platform();
    for (const url of [
      moodle.openidConfigurationUrl,
      moodle.openidConfigurationUrl.replace('127.0.0.1', 'localhost'),
    ]) {
      const res = await request(guarded)
        .get('/lti/register')
        .query({ openid_configuration: url, registration_token: 't' })
        .set('Accept', 'application/json')
        .expect(400);
      expect(res.body.error.code).toBe('ERR_OUTBOUND_REFUSED');
    }
    expect(moodle.registrations).toHaveLength(0);
  });

  it('refuses http in production', async () => {
    const production = createApp(
      await testContext(db, {
        config: testConfig({ NODE_ENV: 'production', OUTBOUND_ALLOW_PRIVATE: 'true' }),
      }),
    );
    const res = await request(production)
      .get('/lti/register')
      .query({ openid_configuration: platform().openidConfigurationUrl })
      .set('Accept', 'application/json')
      .expect(400);
    expect(res.body.error).toMatchObject({
      code: 'ERR_OUTBOUND_REFUSED',
      message: expect.stringMatching(/https/),
    });
  });
});

describe('the emulated registration endpoint checks what Moodle 4.x checks', () => {
  const toolConfig = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
  async function post(moodle: RegistrationPlatform, body: unknown) {
    return request(origin)
      .post(new URL(moodle.openidConfiguration().registration_endpoint as string).pathname)
      .set('Authorization', `Bearer ${moodle.issueRegistrationToken()}`)
      .send(body as object);
  }
  const good = async () =>
    JSON.parse(JSON.stringify(registrationRequest(await loadManifest(), 'https://laurel.example.edu')));

  it('accepts the request Laurel derives from manifest.json', async () => {
    const res = await post(platform(), await good());
    expect(res.status).toBe(200);
    expect(res.body[toolConfig].deployment_id).toBe('1');
  });

  it.each([
    ['a missing domain', (b: any) => delete b[toolConfig].domain, 'missing required attribute domain'],
    [
      'a target_link_uri outside the domain',
      (b: any) => {
        b[toolConfig].target_link_uri = 'https://elsewhere.example.com/lti/launch';
      },
      'domain_targetlinkuri_mismatch',
    ],
    [
      'response_types without id_token',
      (b: any) => {
        b.response_types = ['code'];
      },
      'invalid_response_types',
    ],
    [
      'another token_endpoint_auth_method',
      (b: any) => {
        b.token_endpoint_auth_method = 'client_secret_basic';
      },
      'invalid_token_endpoint_auth_method',
    ],
    [
      'an application_type other than web',
      (b: any) => {
        b.application_type = 'native';
      },
      'invalid_application_type',
    ],
    ['a missing jwks_uri', (b: any) => delete b.jwks_uri, 'missing required attribute jwks_uri'],
  ])('refuses %s', async (_name, change, reason) => {
    const body = await good();
    change(body);
    const res = await post(platform(), body);
    expect(res.status).toBe(400);
    expect(res.text).toBe(reason);
  });

  it('Canvas refuses a scope it does not offer; Laurel asks only for offered ones', async () => {
    const canvas = platform({
      family: 'canvas',
      configurationOverrides: {
        scopes_supported: ['openid', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
      },
    });
    const res = await post(canvas, await good());
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/^Invalid scopes: .*lineitem/);
    const registered = await request(app)
      .get(registerPath(canvas.initiationUrl('https://laurel.test/lti/register')))
      .set('Accept', 'application/json')
      .expect(200);
    expect(registered.body.clientId).toBe(canvas.registrations[0]!.clientId);
    expect(canvas.registrations[0]!.request.scope).toBe(
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
    );
  });

  it('Brightspace refuses tool URLs that are not https', async () => {
    const brightspace = platform({ family: 'brightspace' });
    const body = JSON.parse(
      JSON.stringify(registrationRequest(await loadManifest(), 'http://laurel.example.edu')),
    );
    const res = await post(brightspace, body);
    expect(res.status).toBe(400);
    expect(res.text).toBe('URLs must be https');
    expect((await post(brightspace, await good())).status).toBe(200);
  });

  it('refuses a request without a registration token', async () => {
    const moodle = platform();
    const res = await request(origin)
      .post(new URL(moodle.openidConfiguration().registration_endpoint as string).pathname)
      .send(await good());
    expect(res.status).toBe(401);
    expect(res.text).toBe('missing_registration_token');
  });
});
