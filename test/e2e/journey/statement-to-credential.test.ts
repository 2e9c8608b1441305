import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { insertLrsKey } from '../../../src/store/lrs-keys.js';
import { startWorkers, type Workers } from '../../../src/workers.js';
import { generateCredentials } from '../../../src/xapi/index.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { Browser, readForm } from '../../http/lti/harness.js';

// The whole path a course takes, through the real app and the real queues: the sandbox LMS launches Laurel as
// instructor and learner, the instructor designs a badge and its rule, the course's content sends an xAPI
// statement, the workers award the badge and sign an Open Badges 3.0 credential, anyone verifies it, and voiding
// the statement revokes it.

let db: TestSchema;
let server: http.Server;
let url: string;
let ctx: AppContext;
let workers: Workers;

beforeAll(async () => {
  db = await createTestSchema({ max: 8 });
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx = await testContext(db, {
    config: testConfig({ PUBLIC_URL: url, SANDBOX: 'true' }),
    clock: { now: () => new Date() },
  });
  server.on('request', createApp(ctx));
  workers = startWorkers(ctx, { start: false });
});

afterAll(async () => {
  await workers?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

/** Launches Laurel from the sandbox's demo course; returns the session token the page carries. */
async function launchAs(role: 'instructor' | 'learner'): Promise<string> {
  const browser = new Browser();
  const start = await browser.send(`${url}/sandbox/launch/${role}`, { accept: 'text/html' });
  const frame = await browser.send(start.headers.get('location')!, { accept: 'text/html' });
  const login = /<iframe name="tool" title="Laurel" src="([^"]*)"/
    .exec(frame.text)![1]!
    .replaceAll('&amp;', '&');
  const toAuth = await browser.send(login, { accept: 'text/html' });
  const auth = await browser.send(toAuth.headers.get('location')!, { accept: 'text/html' });
  const form = readForm(auth.text);
  const page = await browser.send(form.action, { form: form.fields, accept: 'text/html' });
  expect(page.status).toBe(200);
  return /<meta name="laurel-session" content="([^"]+)"/.exec(page.text)![1]!;
}

async function call(
  method: string,
  path: string,
  init: { session?: string; auth?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.session) headers['x-laurel-session'] = init.session;
  if (init.auth) headers.authorization = init.auth;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const lesson = 'https://moodle.example.edu/mod/page/view.php?id=7';

describe('from a statement to a verified, then revoked, Open Badges 3.0 credential', () => {
  it('works end to end', async () => {
    const instructor = await launchAs('instructor');
    const learner = await launchAs('learner');

    const achievement = await call('POST', '/api/achievements', {
      session: instructor,
      body: {
        name: 'Lesson finished',
        description: 'Finished the first lesson',
        criteria: { narrative: 'Complete lesson 1' },
      },
    });
    expect(achievement.status).toBe(201);
    const rule = await call('PUT', `/api/achievements/${achievement.body.id}/rule`, {
      session: instructor,
      body: { rule: { statement: { verb: 'completed', objectId: lesson } } },
    });
    expect(rule.status).toBe(201);

    const { rows: platforms } = await db.pool.query<{ id: string }>('SELECT id FROM platforms');
    const key = generateCredentials();
    await insertLrsKey(db.pool, {
      key: key.key,
      platformId: platforms[0]!.id,
      courseId: null,
      secretSha256: key.secretSha256,
      scopes: ['statements/write'],
    });
    const lrs = {
      auth: `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString('base64')}`,
      headers: { 'x-experience-api-version': '1.0.3' },
    };
    const posted = await call('POST', '/xapi/statements', {
      ...lrs,
      body: {
        actor: { objectType: 'Agent', name: 'Alan Turing', mbox: 'mailto:alan@sandbox.invalid' },
        verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
        object: {
          objectType: 'Activity',
          id: lesson,
          definition: { type: 'http://adlnet.gov/expapi/activities/lesson' },
        },
        result: { completion: true },
      },
    });
    expect(posted.status).toBe(200);
    const statementId = posted.body[0] as string;

    await workers.drain();
    const awards = await call('GET', '/api/awards', { session: learner });
    expect(awards.status).toBe(200);
    expect(JSON.stringify(awards.body)).toContain(achievement.body.id);

    const { rows: issued } = await db.pool.query<{ id: string }>('SELECT id FROM credentials');
    expect(issued).toHaveLength(1);
    const credentialUrl = new URL(`/credentials/${issued[0]!.id}`, url);
    const credential = await call('GET', credentialUrl.pathname);
    expect(credential.status).toBe(200);
    expect(credential.body.type).toContain('OpenBadgeCredential');
    expect(credential.body.proof).toEqual([
      expect.objectContaining({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' }),
    ]);

    const verified = await call('POST', '/verify', { body: credential.body });
    expect(verified.status).toBe(200);
    expect(verified.body.verified).toBe(true);

    const voided = await call('POST', '/xapi/statements', {
      ...lrs,
      body: {
        actor: { objectType: 'Agent', mbox: 'mailto:alan@sandbox.invalid' },
        verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } },
        object: { objectType: 'StatementRef', id: statementId },
      },
    });
    expect(voided.status).toBe(200);
    await workers.drain();

    const after = await call('POST', '/verify', { body: credential.body });
    expect(after.body.verified).toBe(false);
    const status = (after.body.checks as { check: string; valid: boolean }[]).find(
      (c) => c.check === 'status',
    );
    expect(status?.valid).toBe(false);
  }, 60000);
});
