import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { errorHandler } from '../../../src/http/errors.js';
import { requestContext } from '../../../src/http/request-id.js';
import { requireSession } from '../../../src/http/session.js';
import { claim } from '../../../src/lti/claims.js';
import type { PlatformEmulator, PreparedLaunch } from '../../../src/lti/emulator/index.js';
import { Browser, type LtiHarness, launchThrough, readForm, readMeta, startHarness } from './harness.js';

let h: LtiHarness;
let moodle: PlatformEmulator;
let canvas: PlatformEmulator;
let api: express.Express;

beforeAll(async () => {
  h = await startHarness();
  moodle = (await h.addPlatform('moodle', 'moodle')).platform;
  canvas = (await h.addPlatform('canvas', 'canvas')).platform;
  // A stand-in for the routes that will use requireSession (badges API, learner pages).
  api = express();
  api.use(requestContext(h.ctx.logger, h.ctx.newId));
  api.use(express.urlencoded({ extended: false }));
  const show: express.RequestHandler = (req, res) => {
    const s = req.ltiSession!;
    res.json({
      platformId: s.platformId,
      deploymentId: s.deploymentId,
      courseId: s.courseId,
      userId: s.userId,
      roles: s.roles,
    });
  };
  api.get('/any', requireSession(h.ctx), show);
  api.post('/any', requireSession(h.ctx), show);
  api.get('/teach', requireSession(h.ctx, { roles: ['instructor'] }), show);
  api.use(errorHandler);
});

afterAll(async () => {
  await h.close();
});

const noInlineScript = /<script(?![^>]*\ssrc=)[^>]*>/;

async function sessionOf(p: PlatformEmulator, prepared: PreparedLaunch): Promise<string> {
  const trace = await launchThrough(h, p, prepared);
  expect(trace.launch!.status).toBe(200);
  expect(trace.launch!.text).not.toMatch(noInlineScript);
  return readMeta(trace.launch!.text, 'laurel-session')!;
}

describe('browser binding', () => {
  it('a platform without postMessage storage gets a 302 and a SameSite=None; Secure; Partitioned cookie', async () => {
    const trace = await launchThrough(h, moodle, { user: moodle.newUser(), roles: moodle.roles('learner') });
    expect(trace.login.status).toBe(302);
    const cookie = trace.login.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/HttpOnly; Secure; SameSite=None; Partitioned/);
    expect(cookie).toContain('Path=/lti/launch');
    expect(trace.authUrl!.searchParams.get('redirect_uri')).toBe(`${h.toolUrl}/lti/launch`);
    expect(trace.authUrl!.searchParams.get('response_mode')).toBe('form_post');
  });

  it('with third-party cookies blocked, the launch is bound through lti.put_data / lti.get_data', async () => {
    const trace = await launchThrough(
      h,
      canvas,
      { user: canvas.newUser(), roles: canvas.roles('learner'), context: { id: 'c1' } },
      { launchBrowser: new Browser() },
    );
    // The login page stores the binding in the platform's frame (script from a file), then redirects.
    expect(trace.login.status).toBe(200);
    expect(trace.login.text).toContain('src="/lti/assets/login.js"');
    expect(trace.login.text).not.toMatch(noInlineScript);
    expect(readMeta(trace.login.text, 'lti-storage-target')).toBe('post_message_forwarding');
    expect(readMeta(trace.login.text, 'lti-platform-origin')).toBe(new URL(h.platformHostUrl).origin);
    // Without the cookie, the launch answers a page that reads the binding back with lti.get_data.
    const check = trace.launch!;
    expect(check.status).toBe(200);
    expect(check.text).toContain('data-storage-check');
    expect(check.text).toContain('src="/lti/assets/launch.js"');
    expect(readMeta(check.text, 'lti-storage-key')).toBe(trace.stored!.key);
    const form = readForm(check.text);
    const wrong = await new Browser().send(form.action, {
      form: { ...form.fields, lti_binding: 'not-the-value' },
    });
    expect(wrong.json.error.code).toBe('ERR_LTI_STATE_MISMATCH');
    const bound = await new Browser().send(form.action, {
      form: { ...form.fields, lti_binding: trace.stored!.value },
    });
    expect(bound.status).toBe(200);
    expect(bound.text).toContain('data-view="learner"');
  });

  it('serves the page scripts as files, and nothing else under /lti/assets', async () => {
    for (const name of ['login.js', 'launch.js', 'session.js', 'autopost.js']) {
      const res = await new Browser().send(`${h.toolUrl}/lti/assets/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/javascript/);
    }
    expect((await new Browser().send(`${h.toolUrl}/lti/assets/other.js`)).status).toBe(404);
    const page = await new Browser().send(`${h.toolUrl}/lti/assets/login.js`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('deep linking', () => {
  it.each(['moodle', 'canvas'] as const)('round trip with a %s-like platform', async (family) => {
    const p = family === 'moodle' ? moodle : canvas;
    const trace = await launchThrough(h, p, {
      messageType: 'LtiDeepLinkingRequest',
      user: p.newUser({ name: 'Dee Linker' }),
      roles: p.roles('instructor'),
      context: { id: 'dl-course' },
      deepLinkingData: 'opaque-platform-data-42',
    });
    expect(trace.launch!.status).toBe(200);
    expect(trace.launch!.text).toContain('src="/lti/assets/autopost.js"');
    const form = readForm(trace.launch!.text);
    expect(form.action).toBe(p.endpoints.deepLinkReturnUrl);
    const { payload, protectedHeader } = await jwtVerify(
      form.fields.JWT!,
      createRemoteJWKSet(new URL(`${h.toolUrl}/.well-known/jwks.json`)),
      { algorithms: ['RS256'], issuer: p.clientId, audience: p.issuer, currentDate: h.clock.now() },
    );
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload[claim.messageType]).toBe('LtiDeepLinkingResponse');
    expect(payload[claim.version]).toBe('1.3.0');
    expect(payload[claim.deploymentId]).toBe(p.deploymentId);
    expect(payload[claim.deepLinkingData]).toBe('opaque-platform-data-42');
    expect(payload.nonce).toBeTruthy();
    const items = payload[claim.deepLinkingContentItems] as { type: string; url: string }[];
    expect(items).toHaveLength(1);
    expect(items[0]!.type).toBe('ltiResourceLink');
    expect(items[0]!.url.startsWith(`${h.toolUrl}/`)).toBe(true);
    // The platform receives and verifies it with the tool's JWKS.
    const before = p.deepLinkingResponses.length;
    const back = await trace.browser.send(form.action, { form: form.fields, accept: 'text/html' });
    expect(back.status).toBe(200);
    expect(p.deepLinkingResponses).toHaveLength(before + 1);
  });

  it('returns no item, with errormsg, to a platform that accepts no LTI resource links', async () => {
    const trace = await launchThrough(h, moodle, {
      messageType: 'LtiDeepLinkingRequest',
      user: moodle.newUser(),
      roles: moodle.roles('instructor'),
      mutate: (payload) => {
        const settings = payload[claim.deepLinkingSettings] as Record<string, unknown>;
        return { ...payload, [claim.deepLinkingSettings]: { ...settings, accept_types: ['file'] } };
      },
    });
    const jwt = readForm(trace.launch!.text).fields.JWT!;
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
    expect(payload[claim.deepLinkingContentItems]).toEqual([]);
    expect(payload[claim.deepLinkingErrorMsg]).toBeTruthy();
  });

  it('leaves data out when the platform sent none', async () => {
    const trace = await launchThrough(h, moodle, {
      messageType: 'LtiDeepLinkingRequest',
      user: moodle.newUser(),
      roles: moodle.roles('instructor'),
    });
    const jwt = readForm(trace.launch!.text).fields.JWT!;
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
    expect(payload).not.toHaveProperty(claim.deepLinkingData);
  });
});

describe('session after launch', () => {
  it('is scoped to platform, deployment, course, user and roles', async () => {
    const instructor = moodle.newUser({ name: 'Ines Instructor' });
    const token = await sessionOf(moodle, {
      user: instructor,
      roles: moodle.roles('instructor'),
      context: { id: 'scope-a' },
    });
    const res = await request(api).get('/any').set('X-Laurel-Session', token).expect(200);
    const { rows } = await h.db.pool.query(
      `SELECT u.id AS user_id, c.id AS course_id, c.platform_id FROM users u, courses c
       WHERE u.sub = $1 AND c.context_id = 'scope-a' AND c.platform_id = u.platform_id`,
      [instructor.sub],
    );
    expect(res.body).toEqual({
      platformId: rows[0].platform_id,
      deploymentId: moodle.deploymentId,
      courseId: rows[0].course_id,
      userId: rows[0].user_id,
      roles: moodle.roles('instructor'),
    });
    // The same user launched in another course gets another session, scoped to that course.
    const other = await sessionOf(moodle, {
      user: instructor,
      roles: moodle.roles('learner'),
      context: { id: 'scope-b' },
    });
    const b = await request(api).get('/any').set('X-Laurel-Session', other).expect(200);
    expect(b.body.userId).toBe(res.body.userId);
    expect(b.body.courseId).not.toBe(res.body.courseId);
    await request(api).get('/teach').set('X-Laurel-Session', token).expect(200);
    const forbidden = await request(api).get('/teach').set('X-Laurel-Session', other).expect(403);
    expect(forbidden.body.error.code).toBe('ERR_LTI_ROLE_FORBIDDEN');
  });

  it('travels as a header or a form field, never in the URL', async () => {
    const token = await sessionOf(canvas, {
      user: canvas.newUser(),
      roles: canvas.roles('learner'),
      context: { id: 'c9' },
    });
    await request(api).post('/any').type('form').send({ laurel_session: token }).expect(200);
    const inQuery = await request(api).get(`/any?laurel_session=${token}`).expect(401);
    expect(inQuery.body.error.code).toBe('ERR_LTI_SESSION_INVALID');
    const none = await request(api).get('/any').expect(401);
    expect(none.body.error.code).toBe('ERR_LTI_SESSION_INVALID');
    await request(api).get('/any').set('X-Laurel-Session', `${token}x`).expect(401);
  });

  it('expires after its lifetime', async () => {
    const token = await sessionOf(moodle, { user: moodle.newUser(), roles: moodle.roles('learner') });
    await request(api).get('/any').set('X-Laurel-Session', token).expect(200);
    h.clock.advance(4 * 60 * 60_000 + 1000);
    const expired = await request(api).get('/any').set('X-Laurel-Session', token).expect(401);
    expect(expired.body.error.code).toBe('ERR_LTI_SESSION_INVALID');
  });

  it('stores only a hash of the token', async () => {
    const token = await sessionOf(moodle, { user: moodle.newUser(), roles: moodle.roles('learner') });
    const { rows } = await h.db.pool.query('SELECT token_hash FROM lti_sessions');
    expect(rows.map((row) => row.token_hash)).not.toContain(token);
  });
});
