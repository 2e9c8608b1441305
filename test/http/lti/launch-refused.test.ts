import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { claim } from '../../../src/lti/claims.js';
import {
  createPlatformKey,
  type PlatformEmulator,
  type PreparedLaunch,
} from '../../../src/lti/emulator/index.js';
import { insertPlatform, listDeployments, recordDeployment } from '../../../src/store/platforms.js';
import { Browser, type LtiHarness, launchThrough, readForm, startHarness } from './harness.js';

let h: LtiHarness;
let moodle: PlatformEmulator;
let canvas: PlatformEmulator;

beforeAll(async () => {
  h = await startHarness();
  moodle = (await h.addPlatform('moodle', 'moodle')).platform;
  canvas = (await h.addPlatform('canvas', 'canvas')).platform;
});

afterAll(async () => {
  await h.close();
});

const now = () => Math.floor(h.clock.now().getTime() / 1000);
const learner = (p: PlatformEmulator, extra: Partial<PreparedLaunch> = {}): PreparedLaunch => ({
  user: p.newUser({ name: 'Refused Learner' }),
  roles: p.roles('learner'),
  context: { id: 'course-r' },
  ...extra,
});

/** Launches and expects Laurel to refuse the form_post with `code` (and no session). */
async function expectRefused(p: PlatformEmulator, extra: Partial<PreparedLaunch>, code: string) {
  const trace = await launchThrough(h, p, learner(p, extra));
  expect(trace.launch?.json?.error?.code).toBe(code);
  expect(trace.launch!.status).toBeGreaterThanOrEqual(400);
  expect(trace.launch!.status).toBeLessThan(500);
  return trace;
}

// The 1EdTech LTI Advantage tool certification's bad payloads, plus the attacks of issue 3.
describe('certification bad payloads', () => {
  const cases: [string, () => Partial<PreparedLaunch>, string][] = [
    ['no kid', () => ({ sign: { kid: null } }), 'ERR_LTI_KID_MISSING'],
    ['unknown kid', () => ({ sign: { kid: 'no-such-kid' } }), 'ERR_LTI_KID_UNKNOWN'],
    ['wrong LTI version', () => ({ overrides: { [claim.version]: '1.2.0' } }), 'ERR_LTI_VERSION_UNSUPPORTED'],
    [
      'missing LTI version',
      () => ({ overrides: { [claim.version]: undefined } }),
      'ERR_LTI_VERSION_UNSUPPORTED',
    ],
    [
      'not an LTI JWT',
      () => ({
        mutate: (payload) => {
          const { iss, aud, sub, iat, exp, nonce } = payload;
          return { iss, aud, sub, iat, exp, nonce };
        },
      }),
      'ERR_LTI_ID_TOKEN_INVALID',
    ],
    ['missing aud', () => ({ overrides: { aud: undefined } }), 'ERR_LTI_AUDIENCE_INVALID'],
    ['missing iss', () => ({ overrides: { iss: undefined } }), 'ERR_LTI_ID_TOKEN_ISSUER'],
    ['missing sub', () => ({ overrides: { sub: undefined } }), 'ERR_LTI_CLAIM_INVALID'],
    [
      'missing deployment_id',
      () => ({ overrides: { [claim.deploymentId]: undefined } }),
      'ERR_LTI_CLAIM_INVALID',
    ],
    ['missing roles', () => ({ overrides: { [claim.roles]: undefined } }), 'ERR_LTI_CLAIM_INVALID'],
    [
      'missing message_type',
      () => ({ overrides: { [claim.messageType]: undefined } }),
      'ERR_LTI_CLAIM_INVALID',
    ],
    [
      'missing resource link id',
      () => ({ overrides: { [claim.resourceLink]: { title: 'x' } } }),
      'ERR_LTI_CLAIM_INVALID',
    ],
    [
      'iat in the future',
      () => ({ overrides: { iat: now() + 3600, exp: now() + 7200 } }),
      'ERR_LTI_IAT_INVALID',
    ],
    ['iat not a number', () => ({ overrides: { iat: 'yesterday' } }), 'ERR_LTI_IAT_INVALID'],
    ['missing iat', () => ({ overrides: { iat: undefined } }), 'ERR_LTI_IAT_INVALID'],
    ['expired exp', () => ({ overrides: { iat: now() - 7200, exp: now() - 3600 } }), 'ERR_LTI_TOKEN_EXPIRED'],
    ['missing exp', () => ({ overrides: { exp: undefined } }), 'ERR_LTI_TOKEN_EXPIRED'],
  ];
  it.each(cases)('%s is refused', async (_name, extra, code) => {
    await expectRefused(moodle, extra(), code);
  });

  it('the refusal names the missing claim', async () => {
    const trace = await expectRefused(
      moodle,
      { overrides: { [claim.roles]: undefined } },
      'ERR_LTI_CLAIM_INVALID',
    );
    expect(trace.launch!.json.error.claim).toBe(claim.roles);
  });

  it('a launch with exp just past but within the 60 s skew is accepted', async () => {
    const trace = await launchThrough(
      h,
      moodle,
      learner(moodle, { overrides: { iat: now() - 100, exp: now() - 30 } }),
    );
    expect(trace.launch!.status).toBe(200);
  });
});

describe('signatures and keys', () => {
  it('alg none is refused', async () => {
    await expectRefused(moodle, { sign: { alg: 'none' } }, 'ERR_LTI_ALG_UNSUPPORTED');
  });

  it('HS256 signed with the public key (key confusion) is refused', async () => {
    await expectRefused(moodle, { sign: { alg: 'HS256' } }, 'ERR_LTI_ALG_UNSUPPORTED');
  });

  it('RS512 is refused (RS256 only)', async () => {
    await expectRefused(moodle, { sign: { alg: 'RS512' } }, 'ERR_LTI_ALG_UNSUPPORTED');
  });

  it("a token signed by another platform's key is refused (its own kid)", async () => {
    await expectRefused(moodle, { sign: { key: canvas.signingKey } }, 'ERR_LTI_KID_UNKNOWN');
  });

  it("a token signed by another key under the platform's kid is refused", async () => {
    const stranger = await createPlatformKey('stranger');
    await expectRefused(
      moodle,
      { sign: { key: stranger, kid: moodle.signingKey.kid } },
      'ERR_LTI_SIGNATURE_INVALID',
    );
  });

  it('a tampered payload does not verify', async () => {
    const trace = await launchThrough(h, moodle, learner(moodle), { launchBrowser: new Browser() });
    // The launch above failed on the browser check; rebuild the token with a changed payload part.
    const [header, payload, signature] = trace.form!.fields.id_token!.split('.');
    const changed = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    changed.sub = 'someone-else';
    const forged = [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
    const res = await trace.browser.send(trace.form!.action, {
      form: { ...trace.form!.fields, id_token: forged },
    });
    expect(res.json.error.code).toBe('ERR_LTI_SIGNATURE_INVALID');
  });

  it('a garbage id_token is refused', async () => {
    const trace = await launchThrough(h, moodle, learner(moodle), { launchBrowser: new Browser() });
    const res = await trace.browser.send(trace.form!.action, {
      form: { ...trace.form!.fields, id_token: 'not-a-jwt' },
    });
    expect(res.json.error.code).toBe('ERR_LTI_ID_TOKEN_INVALID');
  });

  it('a platform whose JWKS cannot be fetched gets 502 ERR_LTI_JWKS_UNAVAILABLE', async () => {
    const { platform } = await h.addPlatform('nojwks', 'moodle', { register: false });
    await insertPlatform(h.db.pool, {
      id: h.ctx.newId(),
      ...platform.registration(),
      jwksUrl: `${h.platformHostUrl}/nojwks/not-here`,
    });
    const trace = await launchThrough(h, platform, learner(platform));
    expect(trace.launch!.status).toBe(502);
    expect(trace.launch!.json.error.code).toBe('ERR_LTI_JWKS_UNAVAILABLE');
  });

  it('a rotated platform key is fetched once the refetch cooldown allows it, and not before', async () => {
    const { platform } = await h.addPlatform('rotating', 'moodle');
    expect((await launchThrough(h, platform, learner(platform))).launch!.status).toBe(200);
    expect(platform.jwksRequests).toBe(1);
    await platform.rotateKey();
    await expectRefused(platform, {}, 'ERR_LTI_KID_UNKNOWN');
    expect(platform.jwksRequests).toBe(1);
    h.clock.advance(31_000);
    expect((await launchThrough(h, platform, learner(platform))).launch!.status).toBe(200);
    expect(platform.jwksRequests).toBe(2);
    // An unknown kid right after does not refetch again (rate limit).
    await expectRefused(platform, { sign: { kid: 'still-unknown' } }, 'ERR_LTI_KID_UNKNOWN');
    expect(platform.jwksRequests).toBe(2);
  });
});

describe('issuer, audience and azp', () => {
  it('wrong aud is refused', async () => {
    await expectRefused(moodle, { overrides: { aud: 'another-client' } }, 'ERR_LTI_AUDIENCE_INVALID');
  });

  it('several audiences without azp are refused', async () => {
    await expectRefused(
      moodle,
      { overrides: { aud: [moodle.clientId, 'another-client'] } },
      'ERR_LTI_AZP_INVALID',
    );
  });

  it('several audiences with azp naming another client are refused', async () => {
    await expectRefused(
      moodle,
      { overrides: { aud: [moodle.clientId, 'another-client'], azp: 'another-client' } },
      'ERR_LTI_AZP_INVALID',
    );
  });

  it('an id_token from another issuer than the login is refused', async () => {
    await expectRefused(moodle, { overrides: { iss: canvas.issuer } }, 'ERR_LTI_ID_TOKEN_ISSUER');
  });

  it('an unknown issuer is refused at login', async () => {
    const trace = await launchThrough(
      h,
      moodle,
      learner(moodle, { loginOverrides: { iss: 'https://unknown.example' } }),
    );
    expect(trace.login.status).toBe(400);
    expect(trace.login.json.error.code).toBe('ERR_LTI_PLATFORM_UNKNOWN');
  });

  it('an unknown client_id is refused at login', async () => {
    const trace = await launchThrough(h, moodle, learner(moodle, { loginOverrides: { client_id: 'nope' } }));
    expect(trace.login.json.error.code).toBe('ERR_LTI_PLATFORM_UNKNOWN');
  });

  it('a login without client_id is accepted when the issuer has one registration', async () => {
    const trace = await launchThrough(
      h,
      moodle,
      learner(moodle, { loginOverrides: { client_id: undefined } }),
    );
    expect(trace.launch!.status).toBe(200);
  });

  it('a login without client_id is refused when several registrations share the issuer', async () => {
    const { platform } = await h.addPlatform('shared', 'moodle');
    await h.register(platform, { clientId: 'second-client' });
    const trace = await launchThrough(
      h,
      platform,
      learner(platform, { loginOverrides: { client_id: undefined } }),
    );
    expect(trace.login.json.error.code).toBe('ERR_LTI_CLIENT_AMBIGUOUS');
    expect((await launchThrough(h, platform, learner(platform))).launch!.status).toBe(200);
  });

  it('a target_link_uri outside Laurel is refused at login', async () => {
    const trace = await launchThrough(
      h,
      moodle,
      learner(moodle, { targetLinkUri: 'https://evil.example/lti/launch' }),
    );
    expect(trace.login.json.error.code).toBe('ERR_LTI_TARGET_LINK_URI_INVALID');
  });

  it('an id_token whose target_link_uri differs from the login is refused', async () => {
    await expectRefused(
      moodle,
      { overrides: { [claim.targetLinkUri]: `${h.toolUrl}/elsewhere` } },
      'ERR_LTI_TARGET_LINK_URI_INVALID',
    );
  });

  it('a login parameter given twice is refused', async () => {
    const params = new URLSearchParams(moodle.prepareLaunch(learner(moodle)));
    params.append('iss', 'https://other.example');
    const res = await new Browser().send(`${h.toolUrl}/lti/login?${params}`);
    expect(res.json.error).toMatchObject({ code: 'ERR_LTI_LOGIN_INVALID', parameter: 'iss' });
  });

  it('a login missing login_hint is refused', async () => {
    const trace = await launchThrough(
      h,
      moodle,
      learner(moodle, { loginOverrides: { login_hint: undefined } }),
    );
    expect(trace.login.json.error.code).toBe('ERR_LTI_LOGIN_INVALID');
    expect(trace.login.json.error.parameter).toBe('login_hint');
  });
});

describe('state and nonce', () => {
  it('a replayed launch (same state, same nonce) is refused', async () => {
    const trace = await launchThrough(h, moodle, learner(moodle));
    expect(trace.launch!.status).toBe(200);
    const again = await new Browser().send(trace.form!.action, { form: trace.form!.fields });
    expect(again.json.error.code).toBe('ERR_LTI_NONCE_REPLAYED');
  });

  it('two simultaneous posts of one launch: exactly one wins', async () => {
    const trace = await launchThrough(h, moodle, learner(moodle), { launchBrowser: new Browser() });
    const results = await Promise.all(
      [1, 2, 3].map(() => trace.browser.send(trace.form!.action, { form: trace.form!.fields })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect(results.filter((r) => r.status === 401).map((r) => r.json.error.code)).toEqual([
      'ERR_LTI_NONCE_REPLAYED',
      'ERR_LTI_NONCE_REPLAYED',
    ]);
  });

  it('a nonce that was not issued for this login is refused', async () => {
    const other = await launchThrough(h, moodle, learner(moodle), { launchBrowser: new Browser() });
    const otherNonce = other.authUrl!.searchParams.get('nonce')!;
    await expectRefused(moodle, { nonce: otherNonce }, 'ERR_LTI_NONCE_MISMATCH');
  });

  it('a launch posted from another browser than the login (no login cookie) is refused', async () => {
    const trace = await launchThrough(h, moodle, learner(moodle), { launchBrowser: new Browser() });
    expect(trace.launch!.json.error.code).toBe('ERR_LTI_STATE_MISMATCH');
  });

  it("a launch carrying another login's state is refused", async () => {
    const browser = new Browser();
    const first = await launchThrough(h, moodle, learner(moodle), { browser, launchBrowser: new Browser() });
    const second = await launchThrough(h, moodle, learner(moodle), { browser, launchBrowser: new Browser() });
    const res = await browser.send(first.form!.action, {
      form: { ...first.form!.fields, state: second.form!.fields.state! },
    });
    expect(res.json.error.code).toBe('ERR_LTI_NONCE_MISMATCH');
    const bogus = await browser.send(first.form!.action, {
      form: { ...first.form!.fields, state: 'never-issued' },
    });
    expect(bogus.json.error.code).toBe('ERR_LTI_STATE_INVALID');
  });

  it('a launch without state is refused', async () => {
    const res = await new Browser().send(`${h.toolUrl}/lti/launch`, { form: { id_token: 'x' } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('ERR_LTI_STATE_INVALID');
  });

  it('a launch after the login expired is refused', async () => {
    const browser = new Browser();
    const params = moodle.prepareLaunch(learner(moodle));
    const login = await browser.send(`${h.toolUrl}/lti/login?${new URLSearchParams(params)}`);
    h.clock.advance(11 * 60_000);
    const form = readForm((await browser.send(login.headers.get('location')!, { accept: 'text/html' })).text);
    const res = await browser.send(form.action, { form: form.fields });
    expect(res.json.error.code).toBe('ERR_LTI_STATE_EXPIRED');
  });
});

describe('deployments and message types', () => {
  it('a new deployment of a registered platform is recorded', async () => {
    const { platform, registration } = await h.addPlatform('deploys', 'canvas', { deploymentId: '7:first' });
    expect((await launchThrough(h, platform, learner(platform))).launch!.status).toBe(200);
    expect(await listDeployments(h.db.pool, registration!.id)).toEqual(['7:first']);
  });

  it('a strict platform refuses a deployment it does not know, at login and at launch', async () => {
    const { platform, registration } = await h.addPlatform('strict', 'moodle', { strictDeployments: true });
    const atLogin = await launchThrough(h, platform, learner(platform));
    expect(atLogin.login.json.error.code).toBe('ERR_LTI_DEPLOYMENT_UNKNOWN');
    await expectRefused(
      platform,
      { loginOverrides: { lti_deployment_id: undefined } },
      'ERR_LTI_DEPLOYMENT_UNKNOWN',
    );
    await recordDeployment(h.db.pool, registration!.id, platform.deploymentId);
    expect((await launchThrough(h, platform, learner(platform))).launch!.status).toBe(200);
  });

  it('a deployment_id differing from the login lti_deployment_id is refused', async () => {
    await expectRefused(moodle, { overrides: { [claim.deploymentId]: '99' } }, 'ERR_LTI_DEPLOYMENT_UNKNOWN');
  });

  it('an unsupported message_type is refused', async () => {
    await expectRefused(
      moodle,
      { overrides: { [claim.messageType]: 'LtiSubmissionReviewRequest' } },
      'ERR_LTI_MESSAGE_TYPE_UNSUPPORTED',
    );
  });

  it('a deep linking request without deep_linking_settings is refused', async () => {
    await expectRefused(
      moodle,
      { messageType: 'LtiDeepLinkingRequest', overrides: { [claim.deepLinkingSettings]: undefined } },
      'ERR_LTI_CLAIM_INVALID',
    );
  });

  it('nothing is written for a refused launch', async () => {
    const trace = await expectRefused(
      moodle,
      { overrides: { [claim.version]: '1.1' } },
      'ERR_LTI_VERSION_UNSUPPORTED',
    );
    const sub = JSON.parse(
      Buffer.from(trace.form!.fields.id_token!.split('.')[1]!, 'base64url').toString(),
    ).sub;
    const { rows } = await h.db.pool.query('SELECT 1 FROM users WHERE sub = $1', [sub]);
    expect(rows).toHaveLength(0);
  });
});

describe('error pages', () => {
  it('a browser gets an HTML page with the code; an API client JSON', async () => {
    const html = await new Browser().send(`${h.toolUrl}/lti/launch`, {
      form: { id_token: 'x' },
      accept: 'text/html',
    });
    expect(html.status).toBe(400);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.text).toContain('ERR_LTI_STATE_INVALID');
    expect(html.text).not.toContain('<script>');
    const json = await new Browser().send(`${h.toolUrl}/lti/launch`, { form: { id_token: 'x' } });
    expect(json.headers.get('content-type')).toMatch(/json/);
  });

  it('errors of other routes keep their JSON shape for browsers', async () => {
    const res = await new Browser().send(`${h.toolUrl}/no/such/page`, { accept: 'text/html' });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('ERR_NOT_FOUND');
  });

  it('GET /lti/launch answers 405', async () => {
    const res = await new Browser().send(`${h.toolUrl}/lti/launch`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
