import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type express from 'express';
import request from 'supertest';
import { keysCommand, platformCommand } from '../../../src/cli/lti.js';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { defaultKeyPolicy } from '../../../src/lti/keys-policy.js';
import { canvasConfiguration, loadManifest } from '../../../src/lti/manifest.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

const adminToken = 'admin-token-admin-token-admin-token-0123';
let db: TestSchema;
let ctx: AppContext;
let app: express.Express;

beforeAll(async () => {
  db = await createTestSchema();
  ctx = await testContext(db, {
    config: testConfig({ PUBLIC_URL: 'https://laurel.example.edu', ADMIN_TOKEN: adminToken }),
  });
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});

const moodle = {
  issuer: 'https://moodle.example.edu',
  clientId: 'AbC123',
  authLoginUrl: 'https://moodle.example.edu/mod/lti/auth.php',
  authTokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
  jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
  deploymentId: '7',
  name: 'Example Moodle',
};

describe('GET /.well-known/jwks.json', () => {
  it('serves the public keys with cache headers', async () => {
    const res = await request(app).get('/.well-known/jwks.json').expect(200).expect('Content-Type', /json/);
    expect(res.headers['cache-control']).toBe(`public, max-age=${defaultKeyPolicy.jwksMaxAgeSeconds}`);
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toEqual({
      kty: 'RSA',
      n: expect.any(String),
      e: 'AQAB',
      kid: expect.any(String),
      alg: 'RS256',
      use: 'sig',
    });
    await request(app).post('/.well-known/jwks.json').expect(405);
  });
});

describe('GET /lti/canvas.json', () => {
  it('is the Canvas configuration derived from manifest.json for PUBLIC_URL', async () => {
    const res = await request(app).get('/lti/canvas.json').expect(200);
    expect(res.body).toEqual(canvasConfiguration(await loadManifest(), 'https://laurel.example.edu'));
    expect(res.body.oidc_initiation_url).toBe('https://laurel.example.edu/lti/login');
    const icon = await request(app).get('/assets/laurel-icon.svg').expect(200);
    expect(icon.headers['content-type']).toMatch(/svg/);
  });
});

describe('/admin/api/platforms', () => {
  it('401 without or with a wrong bearer token', async () => {
    const none = await request(app).get('/admin/api/platforms').expect(401);
    expect(none.body.error.code).toBe('ERR_UNAUTHENTICATED');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    await request(app).get('/admin/api/platforms').set('Authorization', 'Bearer wrong').expect(401);
    await request(app).post('/admin/api/platforms').send(moodle).expect(401);
  });

  it('403 when ADMIN_TOKEN is not configured', async () => {
    const closed = createApp(await testContext(db));
    const res = await request(closed)
      .get('/admin/api/platforms')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(403);
    expect(res.body.error.code).toBe('ERR_FORBIDDEN');
  });

  it('adds a platform with its deployment, lists it, refuses a duplicate', async () => {
    const auth = `Bearer ${adminToken}`;
    const created = await request(app)
      .post('/admin/api/platforms')
      .set('Authorization', auth)
      .send(moodle)
      .expect(201);
    expect(created.body.platform).toMatchObject({
      issuer: moodle.issuer,
      clientId: 'AbC123',
      name: 'Example Moodle',
      deploymentIds: ['7'],
      authTokenAudience: null,
    });
    expect(created.headers.location).toBe(`/admin/api/platforms/${created.body.platform.id}`);
    const one = await request(app).get(created.headers.location!).set('Authorization', auth).expect(200);
    expect(one.body.platform).toEqual(created.body.platform);
    await request(app).get('/admin/api/platforms/not-a-uuid').set('Authorization', auth).expect(404);
    const list = await request(app).get('/admin/api/platforms').set('Authorization', auth).expect(200);
    expect(list.body.platforms.map((p: any) => p.clientId)).toContain('AbC123');
    const strict = await request(app)
      .patch(created.headers.location!)
      .set('Authorization', auth)
      .send({ strictDeployments: true })
      .expect(200);
    expect(strict.body.platform.strictDeployments).toBe(true);
    await request(app)
      .patch(created.headers.location!)
      .set('Authorization', auth)
      .send({ strictDeployments: 'yes' })
      .expect(400);
    await request(app)
      .patch('/admin/api/platforms/00000000-0000-0000-0000-000000000000')
      .set('Authorization', auth)
      .send({ strictDeployments: false })
      .expect(404);
    await request(app).patch(created.headers.location!).send({ strictDeployments: false }).expect(401);
    const again = await request(app)
      .post('/admin/api/platforms')
      .set('Authorization', auth)
      .send(moodle)
      .expect(409);
    expect(again.body.error.code).toBe('ERR_LTI_PLATFORM_EXISTS');
  });

  it('refuses bad input naming the field, and non-JSON bodies', async () => {
    const auth = `Bearer ${adminToken}`;
    const missing = await request(app)
      .post('/admin/api/platforms')
      .set('Authorization', auth)
      .send({ ...moodle, jwksUrl: undefined })
      .expect(400);
    expect(missing.body.error).toMatchObject({ code: 'ERR_VALIDATION', path: 'jwksUrl' });
    const unknown = await request(app)
      .post('/admin/api/platforms')
      .set('Authorization', auth)
      .send({ ...moodle, clientId: 'x2', secret: 'nope' })
      .expect(400);
    expect(unknown.body.error.code).toBe('ERR_VALIDATION');
    const privateUrl = await request(app)
      .post('/admin/api/platforms')
      .set('Authorization', auth)
      .send({ ...moodle, clientId: 'x3', jwksUrl: 'https://169.254.169.254/keys' })
      .expect(400);
    expect(privateUrl.body.error).toMatchObject({ code: 'ERR_VALIDATION', path: 'jwksUrl' });
    await request(app)
      .post('/admin/api/platforms')
      .set('Authorization', auth)
      .set('Content-Type', 'text/plain')
      .send('issuer=x')
      .expect(415);
  });
});

describe('laurel platform add|list (CLI functions)', () => {
  it('adds and lists a platform', async () => {
    const lines: string[] = [];
    const code = await platformCommand(
      ctx,
      [
        'add',
        '--issuer',
        'https://canvas.instructure.com',
        '--client-id',
        '10000000000042',
        '--auth-login-url',
        'https://sso.canvaslms.com/api/lti/authorize_redirect',
        '--auth-token-url',
        'https://sso.canvaslms.com/login/oauth2/token',
        '--jwks-url',
        'https://sso.canvaslms.com/api/lti/security/jwks',
        '--deployment-id',
        '12:abc',
        '--product-family',
        'canvas',
        '--auth-token-audience',
        'https://canvas.instructure.com/login/oauth2/token',
      ],
      (line) => lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^Added platform [0-9a-f-]{36} \(https:\/\/canvas\.instructure\.com/);
    lines.length = 0;
    await platformCommand(ctx, ['list'], (line) => lines.push(line));
    expect(lines.join('\n')).toContain('client_id=10000000000042  deployments=12:abc');
    const id = lines.find((line) => line.includes('10000000000042'))!.split('  ')[0]!;
    lines.length = 0;
    await platformCommand(ctx, ['strict', id, 'on'], (line) => lines.push(line));
    expect(lines).toEqual([`Platform ${id}: strict deployments on.`]);
    lines.length = 0;
    await platformCommand(ctx, ['list'], (line) => lines.push(line));
    expect(lines.join('\n')).toContain('deployments=12:abc (strict)');
    await expect(platformCommand(ctx, ['strict', id, 'maybe'], () => {})).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(platformCommand(ctx, ['strict', 'nope', 'on'], () => {})).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });

  it('refuses unknown options and missing values', async () => {
    await expect(platformCommand(ctx, ['add', '--issuer'], () => {})).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(platformCommand(ctx, ['add', '--colour', 'red'], () => {})).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(
      platformCommand(ctx, ['add', '--issuer', 'https://x.example.edu'], () => {}),
    ).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      details: { path: 'clientId' },
    });
  });
});

describe('laurel keys list|rotate (CLI functions)', () => {
  it('rotates and lists the keys with their states', async () => {
    const lines: string[] = [];
    await keysCommand(ctx, ['list'], (line) => lines.push(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ {2}active {3}/);
    await keysCommand(ctx, ['rotate'], (line) => lines.push(line));
    expect(lines[1]).toMatch(/^Published key \S+; it becomes the signing key at 2026-01-15T12:00:00.000Z\.$/);
    await expect(keysCommand(ctx, ['rotate'], () => {})).rejects.toMatchObject({
      code: 'ERR_LTI_KEY_ROTATION_PENDING',
    });
    lines.length = 0;
    await keysCommand(ctx, ['list'], (line) => lines.push(line));
    expect(lines.map((line) => line.split('  ')[1]!.trim())).toEqual(['active', 'pending']);
    const jwks = await request(app).get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys).toHaveLength(2);
    await expect(keysCommand(ctx, ['burn'], () => {})).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });
});

describe('GET /admin/install', () => {
  it('lists every URL for PUBLIC_URL with copy buttons and a script file', async () => {
    const res = await request(app).get('/admin/install').expect(200).expect('Content-Type', /html/);
    for (const url of [
      'https://laurel.example.edu/lti/register',
      'https://laurel.example.edu/lti/canvas.json',
      'https://laurel.example.edu/lti/login',
      'https://laurel.example.edu/lti/launch',
      'https://laurel.example.edu/.well-known/jwks.json',
    ]) {
      expect(res.text).toContain(`>${url}</code>`);
    }
    expect(res.text.match(/data-copy=/g)!.length).toBeGreaterThanOrEqual(8);
    expect(res.text).toContain('<script src="/assets/admin/install.js" defer></script>');
    expect(res.text).not.toMatch(/<script>|onclick=/);
    const script = await request(app).get('/assets/admin/install.js').expect(200);
    expect(script.text).toContain('navigator.clipboard.writeText');
  });
});
