import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { roleVocab } from '../../../src/lti/claims.js';
import type { PlatformEmulator, PreparedLaunch } from '../../../src/lti/emulator/index.js';
import { type LtiHarness, launchThrough, readMeta, startHarness } from './harness.js';

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

type Kind = 'instructor' | 'learner';
const title = (kind: Kind) => (kind === 'instructor' ? 'Instructor' : 'Learner');

// The 1EdTech tool certification's valid launches, each as Instructor and as Learner.
const cases: Record<string, (p: PlatformEmulator, kind: Kind) => PreparedLaunch> = {
  plain: (p, kind) => ({
    user: p.newUser({
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      email: 'ada@example.edu',
    }),
    roles: p.roles(kind),
    context: { id: 'course-1', title: 'Analytical Engines' },
  }),
  'multiple roles': (p, kind) => ({
    user: p.newUser({ name: 'Multi Role' }),
    roles:
      kind === 'instructor'
        ? [
            `${roleVocab.membership}Instructor`,
            `${roleVocab.membership}ContentDeveloper`,
            `${roleVocab.institution}Faculty`,
          ]
        : [`${roleVocab.membership}Learner`, `${roleVocab.institution}Student`, `${roleVocab.system}User`],
    context: { id: 'course-1' },
  }),
  'short role': (p, kind) => ({
    user: p.newUser({ name: 'Short' }),
    roles: [title(kind)],
    context: { id: 'course-1' },
  }),
  'unknown role': (p, kind) => ({
    user: p.newUser({ name: 'Unknown' }),
    roles: [...p.roles(kind), 'http://example.com/roles#Wizard', 'Wizard'],
    context: { id: 'course-1' },
  }),
  'empty role': (p, kind) => ({
    user: p.newUser({ name: 'Empty' }),
    roles: [...p.roles(kind), ''],
    context: { id: 'course-1' },
  }),
  'email only': (p, kind) => ({
    user: p.newUser({ email: 'only@example.edu' }),
    roles: p.roles(kind),
    context: { id: 'course-1' },
  }),
  'names only': (p, kind) => ({
    user: p.newUser({ given_name: 'Grace', family_name: 'Hopper', name: 'Grace Hopper' }),
    roles: p.roles(kind),
    context: { id: 'course-1' },
  }),
  'no PII': (p, kind) => ({ user: p.newUser(), roles: p.roles(kind), context: { id: 'course-1' } }),
  'email without context': (p, kind) => ({
    user: p.newUser({ email: 'nocontext@example.edu' }),
    roles: p.roles(kind),
    context: null,
  }),
};

describe.each(['moodle', 'canvas'] as const)('valid launches from a %s-like platform', (family) => {
  const platform = () => (family === 'moodle' ? moodle : canvas);

  describe.each(['instructor', 'learner'] as const)('as %s', (kind) => {
    it.each(Object.keys(cases))('%s', async (name) => {
      const prepared = cases[name]!(platform(), kind);
      const trace = await launchThrough(h, platform(), prepared);
      const launch = trace.launch!;
      if (family === 'canvas') {
        // Canvas offers postMessage storage: the cookie alone binds this browser, so the launch goes straight on.
        expect(trace.stored?.value).toBeTruthy();
      }
      expect(launch.status).toBe(200);
      expect(launch.text).toContain(`data-view="${kind}"`);
      expect(readMeta(launch.text, 'laurel-session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const { rows: users } = await h.db.pool.query('SELECT name, email FROM users WHERE sub = $1', [
        prepared.user.sub,
      ]);
      expect(users).toHaveLength(1);
      expect(users[0].email).toBe(prepared.user.email ?? null);
      const { rows: enrolled } = await h.db.pool.query(
        `SELECT e.roles FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.sub = $1`,
        [prepared.user.sub],
      );
      if (prepared.context === null) expect(enrolled).toHaveLength(0);
      else {
        expect(enrolled).toHaveLength(1);
        expect(enrolled[0].roles).toContain(`${roleVocab.membership}${title(kind)}`);
        expect(enrolled[0].roles).not.toContain('');
      }
    });
  });
});

describe('valid launches: what real platforms send', () => {
  it('a launch with no roles at all gets the learner view without a course role', async () => {
    const trace = await launchThrough(h, moodle, {
      user: moodle.newUser(),
      roles: [],
      context: { id: 'course-1' },
    });
    expect(trace.launch!.status).toBe(200);
    expect(trace.launch!.text).toContain('no course role');
  });

  it('several audiences with azp = our client_id are accepted', async () => {
    const trace = await launchThrough(h, moodle, {
      user: moodle.newUser(),
      roles: moodle.roles('learner'),
      overrides: { aud: [moodle.clientId, 'another-client'], azp: moodle.clientId },
    });
    expect(trace.launch!.status).toBe(200);
  });

  it('a later launch without PII keeps what an earlier launch said; roles follow the latest launch', async () => {
    const user = moodle.newUser({ name: 'Pat Private', email: 'pat@example.edu' });
    await launchThrough(h, moodle, { user, roles: moodle.roles('learner'), context: { id: 'pii' } });
    const again = await launchThrough(h, moodle, {
      user: { sub: user.sub },
      roles: moodle.roles('instructor'),
      context: { id: 'pii' },
    });
    expect(again.launch!.status).toBe(200);
    const { rows } = await h.db.pool.query(
      `SELECT u.name, u.email, e.roles FROM users u JOIN enrollments e ON e.user_id = u.id WHERE u.sub = $1`,
      [user.sub],
    );
    expect(rows).toEqual([
      { name: 'Pat Private', email: 'pat@example.edu', roles: moodle.roles('instructor') },
    ]);
  });

  it('login initiation by POST works like GET', async () => {
    const trace = await launchThrough(
      h,
      moodle,
      { user: moodle.newUser(), roles: moodle.roles('instructor') },
      { method: 'POST' },
    );
    expect(trace.login.status).toBe(302);
    expect(trace.launch!.status).toBe(200);
  });

  it('Moodle users get numeric subs and Canvas users opaque ones', () => {
    expect(moodle.newUser().sub).toMatch(/^\d+$/);
    expect(canvas.newUser().sub).toMatch(/^[0-9a-f-]{36}$/);
  });
});
