import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { unbakePng, unbakeSvg } from '../../../src/credentials/index.js';
import { readMeta } from '../lti/harness.js';
import {
  badgePng,
  badgeSvg,
  type CourseApp,
  call,
  completed,
  launchAs,
  lesson,
  lrsAuth,
  startCourseApp,
} from './setup.js';

// The course badges page a launch lands on, over the real app, queues and credentials: the sandbox course's
// instructor designs two badges (PNG and SVG images), a statement earns both, the learner's page links to each
// credential (JSON, baked image, verify, LinkedIn), the instructor revokes one through the page's API calls.

let app: CourseApp;
let instructor: string;
let learner: string;
const ids: { png?: string; svg?: string } = {};

beforeAll(async () => {
  app = await startCourseApp();
  instructor = (await launchAs(app, 'instructor')).session;
  learner = (await launchAs(app, 'learner')).session;
});

afterAll(async () => {
  await app?.close();
});

/** The page again for a session, as its refresh form posts it. */
async function pageFor(session: string): Promise<string> {
  const res = await fetch(`${app.url}/lti/course/badges`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ laurel_session: session }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

const decodeHtml = (s: string) => s.replaceAll('&amp;', '&').replaceAll('&quot;', '"');

/** The card of the learner's earned badge named `name`. */
function earnedCard(html: string, name: string): string {
  const cards = html.split('<li class="badge-card" data-state=').slice(1);
  const card = cards.find((c) => c.includes(`<h3>${name}</h3>`));
  expect(card).toBeDefined();
  return card!.split('</li></ul>')[0]!;
}

function link(card: string, action: string): string {
  const match = new RegExp(`<a href="([^"]+)"[^>]*data-action="${action}"`).exec(card);
  return match ? decodeHtml(match[1]!) : '';
}

async function fetchBinary(path: string) {
  const res = await fetch(new URL(path, app.url));
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('course badges page', () => {
  it('a launch lands on the page: instructor view for the instructor, learner view for the learner', async () => {
    const asInstructor = await launchAs(app, 'instructor');
    expect(asInstructor.html).toContain('data-view="instructor"');
    expect(asInstructor.html).toContain('Signed in as');
    expect(asInstructor.html).toContain('data-new-badge');
    expect(readMeta(asInstructor.html, 'laurel-session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asInstructor.html).toMatch(
      /<script src="\/lti\/assets\/session.js" defer><\/script><script src="\/assets\/course\/badges.js" defer>/,
    );
    const asLearner = await launchAs(app, 'learner');
    expect(asLearner.html).toContain('data-view="learner"');
    expect(asLearner.html).toContain('My badges in ');
    expect(asLearner.html).not.toContain('data-new-badge');
    for (const html of [asInstructor.html, asLearner.html]) {
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style/);
    }
    const script = await fetch(`${app.url}/assets/course/badges.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });

  it('without a session the page is refused, as HTML', async () => {
    const get = await fetch(`${app.url}/lti/course/badges`, { headers: { accept: 'text/html' } });
    expect(get.status).toBe(401);
    expect(await get.text()).toContain('ERR_LTI_SESSION_INVALID');
    const post = await fetch(`${app.url}/lti/course/badges`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'laurel_session=forged',
    });
    expect(post.status).toBe(401);
  });

  it('the instructor creates two badges with images and rules; a statement earns both', async () => {
    for (const [kind, image, type] of [
      ['png', badgePng(), 'image/png'],
      ['svg', badgeSvg, 'image/svg+xml'],
    ] as const) {
      const created = await call(app, 'POST', '/api/achievements', {
        session: instructor,
        body: {
          name: `Lesson finished ${kind.toUpperCase()}`,
          description: `Finished the first lesson (${kind})`,
          criteria: { narrative: 'Complete lesson 1' },
        },
      });
      expect(created.status).toBe(201);
      ids[kind] = created.body.id;
      const put = await call(app, 'PUT', `/api/achievements/${created.body.id}/image`, {
        session: instructor,
        raw: image,
        type,
      });
      expect(put.status).toBe(200);
      const rule = await call(app, 'PUT', `/api/achievements/${created.body.id}/rule`, {
        session: instructor,
        body: { rule: { statement: { verb: 'completed', objectId: lesson } } },
      });
      expect(rule.status).toBe(201);
    }
    const before = await pageFor(learner);
    expect(before).toContain('You have not earned a badge in this course yet.');
    expect(before).toContain('Badges you can earn');
    expect(before).toContain('<strong>How to earn it:</strong> Complete lesson 1');

    const posted = await call(app, 'POST', '/xapi/statements', {
      auth: await lrsAuth(app),
      body: completed(lesson),
    });
    expect(posted.status).toBe(200);
    await app.workers.drain();
    await app.workers.drain();

    const awards = await call(app, 'GET', '/api/awards', { session: learner });
    expect(awards.status).toBe(200);
    expect(awards.body.awards).toHaveLength(2);
    for (const award of awards.body.awards) expect(award.credentialId).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  it('the learner sees each earned badge with working links to claim it', async () => {
    const html = await pageFor(learner);
    expect(html).toContain('data-view="learner"');
    const { body: awards } = await call(app, 'GET', '/api/awards', { session: learner });
    for (const kind of ['png', 'svg'] as const) {
      const card = earnedCard(html, `Lesson finished ${kind.toUpperCase()}`);
      expect(card).toContain('"active"');
      expect(card).toMatch(/Awarded <time datetime="[^"]+">/);
      expect(card).toMatch(
        new RegExp(`<img class="badge-image" src="${app.url}/badges/images/[0-9a-f]{64}\\.${kind}"`),
      );
      const credentialId = awards.awards.find((a: { achievementId: string }) => a.achievementId === ids[kind])
        .credentialId as string;
      const credentialUrl = `${app.url}/credentials/${credentialId}`;

      expect(link(card, 'view')).toBe(credentialUrl);
      const view = await call(app, 'GET', new URL(credentialUrl).pathname);
      expect(view.status).toBe(200);
      expect(view.body.type).toContain('OpenBadgeCredential');

      const download = await fetchBinary(link(card, 'download'));
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toBe(
        `attachment; filename="lesson-finished-${kind}.json"`,
      );
      expect(JSON.parse(download.body.toString('utf8'))).toEqual(view.body);

      // The baked image carries the very credential served at its URL; the other type is 404.
      const other = kind === 'png' ? 'svg' : 'png';
      expect(link(card, other)).toBe('');
      expect((await fetchBinary(`/credentials/${credentialId}/baked.${other}`)).status).toBe(404);
      const baked = await fetchBinary(link(card, kind));
      expect(baked.status).toBe(200);
      expect(baked.headers.get('content-type')).toMatch(kind === 'png' ? /^image\/png/ : /^image\/svg\+xml/);
      expect(baked.headers.get('content-disposition')).toContain('attachment');
      const unbaked = kind === 'png' ? unbakePng(baked.body) : unbakeSvg(baked.body.toString('utf8'));
      expect(JSON.parse(unbaked)).toEqual(view.body);

      expect(link(card, 'verify')).toBe(`/verify?url=${encodeURIComponent(credentialUrl)}`);
      const verified = await call(app, 'POST', '/verify', { body: view.body });
      expect(verified.body.verified).toBe(true);

      const linkedIn = new URL(link(card, 'linkedin'));
      expect(linkedIn.origin + linkedIn.pathname).toBe('https://www.linkedin.com/profile/add');
      const issued = new Date(view.body.validFrom as string);
      expect(Object.fromEntries(linkedIn.searchParams)).toEqual({
        startTask: 'CERTIFICATION_NAME',
        name: `Lesson finished ${kind.toUpperCase()}`,
        organizationName: view.body.issuer.name,
        issueYear: String(issued.getUTCFullYear()),
        issueMonth: String(issued.getUTCMonth() + 1),
        certUrl: credentialUrl,
        certId: credentialId,
      });
    }
    expect((await fetchBinary('/credentials/not-a-uuid/baked.png')).status).toBe(404);
  });

  it('the instructor sees who earned what and revokes through the API the page calls', async () => {
    const html = await pageFor(instructor);
    expect(html).toContain('data-view="instructor"');
    const section = html.split(`data-achievement-id="${ids.svg}"`)[1]!.split('</section>')[0]!;
    expect(section).toContain('1 earned');
    expect(section).toContain('Alan Turing');
    expect(section).toContain('&quot;statement&quot;');
    expect(section).toContain(`data-dry-run="${ids.svg}"`);
    const awardId = /<form data-revoke="([0-9a-f-]{36})">/.exec(section)![1]!;

    // A learner cannot revoke, nor see the instructor view.
    const refused = await call(app, 'POST', `/api/awards/${awardId}/revoke`, {
      session: learner,
      body: { reason: 'no' },
    });
    expect(refused.status).toBe(403);
    const learnerPage = await pageFor(learner);
    expect(learnerPage).not.toContain('data-revoke');
    expect(learnerPage).not.toContain('data-view="instructor"');

    const dry = await call(app, 'POST', `/api/achievements/${ids.svg}/dry-run`, { session: instructor });
    expect(dry.status).toBe(200);
    expect(dry.body.alreadyAwarded).toBe(1);

    const noReason = await call(app, 'POST', `/api/awards/${awardId}/revoke`, {
      session: instructor,
      body: { reason: '' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.path).toBe('/reason');
    const revoked = await call(app, 'POST', `/api/awards/${awardId}/revoke`, {
      session: instructor,
      body: { reason: 'Submitted someone else’s work' },
    });
    expect(revoked.status).toBe(200);
    await app.workers.drain();

    const after = await pageFor(instructor);
    const revokedSection = after.split(`data-achievement-id="${ids.svg}"`)[1]!.split('</section>')[0]!;
    expect(revokedSection).toContain('0 earned, 1 revoked');
    expect(revokedSection).toContain('status-fail">Revoked');
    expect(revokedSection).not.toContain('data-revoke=');

    const mine = await pageFor(learner);
    const card = earnedCard(mine, 'Lesson finished SVG');
    expect(card).toContain('"revoked"');
    expect(card).toContain('Revoked</span>');
    expect(card).toContain('Submitted someone else’s work');
    expect(card).not.toContain('data-action=');
    expect(earnedCard(mine, 'Lesson finished PNG')).toContain('data-action="linkedin"');
  }, 30_000);

  it('a rule the API refuses names the path inside the rule', async () => {
    const res = await call(app, 'PUT', `/api/achievements/${ids.png}/rule`, {
      session: instructor,
      body: { rule: { statement: { verb: 'completed', score: { minScaled: 2 } } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_RULE_INVALID');
    expect(res.body.error.path).toMatch(/^\/statement\/score/);
  });
});
