import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { expect } from '@jest/globals';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { insertLrsKey } from '../../../src/store/lrs-keys.js';
import { startWorkers, type Workers } from '../../../src/workers.js';
import { generateCredentials } from '../../../src/xapi/index.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { Browser, readForm, readMeta } from '../lti/harness.js';

/** Laurel over real HTTP with the sandbox LMS and the workers (drained by hand), on a fresh schema. */
export interface CourseApp {
  db: TestSchema;
  url: string;
  ctx: AppContext;
  workers: Workers;
  close(): Promise<void>;
}

/** `host`: the name the app is reached by (browsers treat localhost as a secure context). */
export async function startCourseApp(
  host = '127.0.0.1',
  env: Record<string, string> = {},
): Promise<CourseApp> {
  const db = await createTestSchema({ max: 8 });
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  const ctx = await testContext(db, {
    config: testConfig({ PUBLIC_URL: url, SANDBOX: 'true', ...env }),
    clock: { now: () => new Date() },
  });
  server.on('request', createApp(ctx));
  const workers = startWorkers(ctx, { start: false });
  return {
    db,
    url,
    ctx,
    workers,
    async close() {
      await workers.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.drop();
    },
  };
}

/** Launches Laurel from the sandbox's demo course as a browser would; returns the landing page and its session. */
export async function launchAs(
  app: CourseApp,
  role: 'instructor' | 'learner',
): Promise<{ html: string; session: string }> {
  const browser = new Browser();
  const start = await browser.send(`${app.url}/sandbox/launch/${role}`, { accept: 'text/html' });
  const frame = await browser.send(start.headers.get('location')!, { accept: 'text/html' });
  const login = /<iframe name="tool" title="Laurel" src="([^"]*)"/
    .exec(frame.text)![1]!
    .replaceAll('&amp;', '&');
  const toAuth = await browser.send(login, { accept: 'text/html' });
  const auth = await browser.send(toAuth.headers.get('location')!, { accept: 'text/html' });
  const form = readForm(auth.text);
  const page = await browser.send(form.action, { form: form.fields, accept: 'text/html' });
  expect(page.status).toBe(200);
  return { html: page.text, session: readMeta(page.text, 'laurel-session')! };
}

export async function call(
  app: CourseApp,
  method: string,
  path: string,
  init: { session?: string; auth?: string; body?: unknown; raw?: Buffer | string; type?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.session) headers['x-laurel-session'] = init.session;
  if (init.auth) {
    headers.authorization = init.auth;
    headers['x-experience-api-version'] = '1.0.3';
  }
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.type) headers['content-type'] = init.type;
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.raw !== undefined ? { body: init.raw } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** An LRS key of the sandbox platform; returns the Basic auth header. */
export async function lrsAuth(app: CourseApp): Promise<string> {
  const { rows } = await app.db.pool.query<{ id: string }>('SELECT id FROM platforms');
  const key = generateCredentials();
  await insertLrsKey(app.db.pool, {
    key: key.key,
    platformId: rows[0]!.id,
    courseId: null,
    secretSha256: key.secretSha256,
    scopes: ['statements/write'],
  });
  return `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString('base64')}`;
}

export const lesson = 'https://moodle.example.edu/mod/page/view.php?id=7';

/** The sandbox learner (Alan Turing) completed `activity`. */
export function completed(activity: string) {
  return {
    actor: { objectType: 'Agent', name: 'Alan Turing', mbox: 'mailto:alan@sandbox.invalid' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: {
      objectType: 'Activity',
      id: activity,
      definition: { type: 'http://adlnet.gov/expapi/activities/lesson' },
    },
    result: { completion: true },
  };
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A `size` x `size` RGB PNG: a green disc on a pale ground, built here so the test owns its input. */
export function badgePng(size = 64): Buffer {
  const rows: Buffer[] = [];
  const r = size / 2 - 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const inside = (x - size / 2) ** 2 + (y - size / 2) ** 2 <= r * r;
      row.set(inside ? [31, 95, 63] : [238, 241, 237], 1 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const badgeSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#b45309"/><path d="M20 33l8 8 16-18" stroke="#fff" stroke-width="6" fill="none"/></svg>';
