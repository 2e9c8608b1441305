import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  agsScope,
  createLineItem,
  getLineItem,
  listLineItems,
  listResults,
  nrpsScope,
  postScore,
  readMemberships,
  type ServiceTarget,
  serviceScopes,
  serviceUserAgent,
} from '../../../src/lti/services/index.js';
import { type ServicesHarness, seedMembers, startServicesHarness } from './harness.js';

let h: ServicesHarness;

beforeAll(async () => {
  h = await startServicesHarness();
});

afterAll(async () => {
  await h?.close();
});

const allScopes = [...serviceScopes];

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.each(['moodle', 'canvas'] as const)('AGS and NRPS against a %s-like platform', (family) => {
  it('creates a line item, posts scores and reads the results back, with one token for every call', async () => {
    const { platform, services, registration } = await h.addPlatform(`${family}-flow`, family);
    const members = seedMembers(platform, 4);
    services.addCourse({ id: 'course-1', title: 'Biology' }, members);
    const target: ServiceTarget = { platform: registration, scopes: allScopes };
    const lineItemsUrl = services.lineItemsUrl('course-1');

    const item = await createLineItem(h.client, target, lineItemsUrl, {
      label: 'Badge: Cell biology',
      scoreMaximum: 1,
      resourceId: 'achievement-1',
      tag: 'laurel',
    });
    expect(item).toEqual({
      id: services.lineItemUrl('course-1', 1),
      label: 'Badge: Cell biology',
      scoreMaximum: 1,
      resourceId: 'achievement-1',
      tag: 'laurel',
    });
    expect(await getLineItem(h.client, target, item.id)).toEqual(item);

    for (const member of members.slice(1)) {
      await postScore(
        h.client,
        target,
        item.id,
        {
          userId: member.user.sub,
          scoreGiven: 1,
          scoreMaximum: 1,
          comment: 'Badge earned',
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
        },
        h.clock,
      );
    }
    const stored = services.course('course-1').lineItems[0]!.scores.get(members[1]!.user.sub)!;
    // AGS 2.0 §3.4.7: timestamps carry sub-second precision.
    expect(stored.timestamp).toBe(h.clock.now().toISOString());
    expect(stored.timestamp).toMatch(/\.\d{3}Z$/);

    // Three results, two per page: the client follows Link rel="next".
    const results = await listResults(h.client, target, item.id);
    expect(results.map((result) => result.userId)).toEqual(members.slice(1).map((m) => m.user.sub));
    expect(results[0]).toMatchObject({ resultScore: 1, resultMaximum: 1, comment: 'Badge earned' });
    const mine = await listResults(h.client, target, item.id, { userId: members[2]!.user.sub });
    expect(mine).toHaveLength(1);

    expect(services.tokenRequests).toBe(1);
    expect(services.requests.length).toBeGreaterThanOrEqual(8);
    for (const request of services.requests) expect(request.userAgent).toBe(serviceUserAgent);
    expect(serviceUserAgent).toMatch(/^Laurel\/\d+\.\d+\.\d+/);
  });

  it('lists line items across pages, with filters', async () => {
    const { services, registration } = await h.addPlatform(`${family}-items`, family);
    services.addCourse({ id: 'c' });
    const target: ServiceTarget = { platform: registration, scopes: allScopes };
    const url = services.lineItemsUrl('c');
    for (let n = 1; n <= 5; n++) {
      await createLineItem(h.client, target, url, {
        label: `Item ${n}`,
        scoreMaximum: n,
        tag: n % 2 ? 'odd' : 'even',
      });
    }
    const before = services.requests.length;
    const items = await listLineItems(h.client, target, url);
    expect(items.map((item) => item.label)).toEqual(['Item 1', 'Item 2', 'Item 3', 'Item 4', 'Item 5']);
    expect(services.requests.length - before).toBe(3);
    const odd = await listLineItems(h.client, target, url, { tag: 'odd' });
    expect(odd.map((item) => item.scoreMaximum)).toEqual([1, 3, 5]);
    const big = await listLineItems(h.client, target, url, { limit: 10 });
    expect(big).toHaveLength(5);
  });

  it('reads NRPS memberships across several pages, roles as full URIs', async () => {
    const { platform, services, registration } = await h.addPlatform(`${family}-nrps`, family);
    const members = seedMembers(platform, 7);
    members.push({ user: platform.newUser(), roles: ['Learner'], status: 'Inactive' });
    services.addCourse({ id: 'ctx-9', label: 'BIO', title: 'Biology' }, members);
    const before = services.requests.length;
    const read = await readMemberships(
      h.client,
      { platform: registration, scopes: allScopes },
      services.membershipsUrl('ctx-9'),
    );
    expect(read.pageCount).toBe(4);
    const calls = services.requests.slice(before).filter((r) => !r.path.includes('token'));
    expect(calls).toHaveLength(4);
    expect(read.context).toEqual({ id: 'ctx-9', label: 'BIO', title: 'Biology' });
    expect(read.members.map((member) => member.userId)).toEqual(members.map((m) => m.user.sub));
    expect(read.members[0]).toMatchObject({
      status: 'Active',
      email: 'person0@example.edu',
      givenName: 'Person',
      familyName: '0',
      roles: expect.arrayContaining(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']),
    });
    expect(read.members[7]).toMatchObject({
      status: 'Inactive',
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    });
    if (family === 'moodle') expect(read.members[0]!.userId).toBe('1');
    if (family === 'canvas') expect(read.differencesUrl).toContain('since=');
    else expect(read.differencesUrl).toBeUndefined();

    const learners = await readMemberships(
      h.client,
      { platform: registration, scopes: allScopes },
      services.membershipsUrl('ctx-9'),
      { role: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor', limit: 50 },
    );
    expect(learners.members).toHaveLength(1);
    expect(learners.pageCount).toBe(1);
  });
});

describe('access tokens', () => {
  it('caches a token per platform and scope set until shortly before it expires', async () => {
    const { services, registration } = await h.addPlatform('cache', 'moodle', {
      services: { tokenLifetimeSeconds: 600 },
    });
    services.addCourse({ id: 'c' });
    const url = services.lineItemsUrl('c');
    const target = { platform: registration, scopes: allScopes };
    await listLineItems(h.client, target, url);
    await listLineItems(h.client, target, url);
    await Promise.all([listLineItems(h.client, target, url), listLineItems(h.client, target, url)]);
    expect(services.tokenRequests).toBe(1);

    // Another scope set is another token.
    await listLineItems(h.client, { platform: registration }, url);
    expect(services.tokenRequests).toBe(2);

    // 600 s tokens are renewed 60 s before they expire.
    h.clock.advance(539_000);
    await listLineItems(h.client, target, url);
    expect(services.tokenRequests).toBe(2);
    h.clock.advance(2_000);
    await listLineItems(h.client, target, url);
    expect(services.tokenRequests).toBe(3);
  });

  it('gets a fresh token and retries once when the platform stops accepting the cached one', async () => {
    const { services, registration } = await h.addPlatform('revoked', 'canvas');
    services.addCourse({ id: 'c' });
    const target = { platform: registration, scopes: allScopes };
    await listLineItems(h.client, target, services.lineItemsUrl('c'));
    services.revokeTokens();
    await listLineItems(h.client, target, services.lineItemsUrl('c'));
    expect(services.tokenRequests).toBe(2);
  });

  it('sends the configured token audience (Brightspace names its own)', async () => {
    const audience = 'https://api.brightspace.com/auth/token';
    const { services, registration } = await h.addPlatform('audience', 'moodle', {
      services: { tokenAudience: audience },
      authTokenAudience: audience,
    });
    services.addCourse({ id: 'c' });
    await listLineItems(h.client, { platform: registration }, services.lineItemsUrl('c'));
    expect(services.tokenRefusals).toEqual([]);

    const { services: strict, registration: wrong } = await h.addPlatform('audience-wrong', 'moodle', {
      services: { tokenAudience: audience },
    });
    strict.addCourse({ id: 'c' });
    const error = await rejection(listLineItems(h.client, { platform: wrong }, strict.lineItemsUrl('c')));
    expect(error.code).toBe('ERR_LTI_TOKEN_REFUSED');
    expect(strict.tokenRefusals[0]!.description).toMatch(/aud/);
  });

  it('is refused when the assertion names another client', async () => {
    const { services, registration } = await h.addPlatform('wrong-client', 'canvas', {
      registeredClientId: 'someone-else',
    });
    services.addCourse({ id: 'c' });
    const error = await rejection(
      listLineItems(h.client, { platform: registration }, services.lineItemsUrl('c')),
    );
    expect(error.code).toBe('ERR_LTI_TOKEN_REFUSED');
    expect(error.status).toBe(502);
    expect(error.details).toEqual({ platformStatus: 401, platformError: 'invalid_client' });
    expect(services.tokenRefusals[0]!.description).toMatch(/iss|sub/);
  });

  it('maps a scope the platform does not grant to ERR_LTI_TOKEN_SCOPE_DENIED', async () => {
    const { platform, services, registration } = await h.addPlatform('no-score', 'moodle', {
      services: { grantableScopes: [agsScope.lineItem, nrpsScope.contextMembershipReadonly] },
    });
    const members = seedMembers(platform, 2);
    services.addCourse({ id: 'c' }, members);
    const target = { platform: registration, scopes: allScopes };
    const item = await createLineItem(h.client, target, services.lineItemsUrl('c'), {
      label: 'x',
      scoreMaximum: 1,
    });
    const error = await rejection(
      postScore(
        h.client,
        target,
        item.id,
        { userId: members[1]!.user.sub, activityProgress: 'Completed', gradingProgress: 'FullyGraded' },
        h.clock,
      ),
    );
    expect(error.code).toBe('ERR_LTI_TOKEN_SCOPE_DENIED');
    expect(error.details).toEqual({ scope: agsScope.score });
    expect(services.tokenRequests).toBe(1);
  });
});

describe('read-only line items', () => {
  it('reads with the lineitem.readonly scope and cannot create', async () => {
    const { services, registration } = await h.addPlatform('readonly', 'canvas', {
      services: { grantableScopes: [agsScope.lineItemReadonly] },
    });
    services.addCourse({ id: 'c' });
    const target = { platform: registration, scopes: [agsScope.lineItemReadonly] };
    expect(await listLineItems(h.client, target, services.lineItemsUrl('c'))).toEqual([]);
    const error = await rejection(
      createLineItem(h.client, target, services.lineItemsUrl('c'), { label: 'x', scoreMaximum: 1 }),
    );
    expect(error.code).toBe('ERR_LTI_TOKEN_SCOPE_DENIED');
    expect(services.tokenRequests).toBe(2);
  });
});

describe('AGS errors', () => {
  it('maps the platform’s answers and refuses bad input before sending', async () => {
    const { platform, services, registration } = await h.addPlatform('errors', 'canvas');
    const members = seedMembers(platform, 2);
    services.addCourse({ id: 'c' }, members);
    const target = { platform: registration, scopes: allScopes };
    const item = await createLineItem(h.client, target, services.lineItemsUrl('c'), {
      label: 'x',
      scoreMaximum: 10,
    });
    const score = {
      userId: members[1]!.user.sub,
      scoreGiven: 7,
      scoreMaximum: 10,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
    } as const;
    await postScore(h.client, target, item.id, score, h.clock);
    // The same timestamp again: Canvas refuses a score not newer than the last.
    const stale = await rejection(postScore(h.client, target, item.id, score, h.clock));
    expect(stale.code).toBe('ERR_LTI_AGS_REQUEST_REFUSED');
    expect(stale.details).toEqual({ platformStatus: 400 });

    const missing = await rejection(getLineItem(h.client, target, services.lineItemUrl('c', 99)));
    expect(missing.code).toBe('ERR_LTI_AGS_NOT_FOUND');
    const missingScore = await rejection(
      postScore(h.client, target, services.lineItemUrl('c', 99), score, h.clock),
    );
    expect(missingScore.code).toBe('ERR_LTI_AGS_NOT_FOUND');

    const sent = services.requests.length;
    const noMax = await rejection(
      postScore(h.client, target, item.id, { ...score, scoreMaximum: undefined }, h.clock),
    );
    expect(noMax.code).toBe('ERR_LTI_AGS_SCORE_INVALID');
    const badProgress = await rejection(
      postScore(h.client, target, item.id, { ...score, activityProgress: 'Done' as any }, h.clock),
    );
    expect(badProgress.code).toBe('ERR_LTI_AGS_SCORE_INVALID');
    const badItem = await rejection(
      createLineItem(h.client, target, services.lineItemsUrl('c'), { label: '', scoreMaximum: 1 }),
    );
    expect(badItem.code).toBe('ERR_LTI_AGS_LINE_ITEM_INVALID');
    const zeroMax = await rejection(
      createLineItem(h.client, target, services.lineItemsUrl('c'), { label: 'y', scoreMaximum: 0 }),
    );
    expect(zeroMax.code).toBe('ERR_LTI_AGS_LINE_ITEM_INVALID');
    expect(services.requests.length).toBe(sent);
  });

  it('refuses paging that leaves the service origin, loops, or answers something else', async () => {
    const { services, registration } = await h.addPlatform('hostile', 'moodle');
    let next = '';
    let body: unknown = [];
    const hostile = await h.serve(
      (await import('express')).default().get('/items', (_req, res) => {
        if (next) res.set('Link', `<${next}>; rel="next"`);
        res.type('application/vnd.ims.lis.v2.lineitemcontainer+json').send(JSON.stringify(body));
      }),
    );
    const target = { platform: registration, scopes: allScopes };
    next = `${h.platformHostUrl}/elsewhere`;
    const leaves = await rejection(listLineItems(h.client, target, `${hostile}/items`));
    expect(leaves.code).toBe('ERR_LTI_AGS_RESPONSE_INVALID');
    expect(leaves.message).toMatch(/leaves/);

    next = `${hostile}/items`;
    const loops = await rejection(listLineItems(h.client, target, `${hostile}/items`));
    expect(loops.code).toBe('ERR_LTI_AGS_RESPONSE_INVALID');
    expect(loops.message).toMatch(/loops/);

    next = '';
    body = { not: 'a container' };
    const shape = await rejection(listLineItems(h.client, target, `${hostile}/items`));
    expect(shape.code).toBe('ERR_LTI_AGS_RESPONSE_INVALID');
    body = [{ id: 'not a url', label: 'x', scoreMaximum: 1 }];
    const badId = await rejection(listLineItems(h.client, target, `${hostile}/items`));
    expect(badId.code).toBe('ERR_LTI_AGS_RESPONSE_INVALID');
    expect(services.tokenRequests).toBe(1);

    const nrps = await rejection(readMemberships(h.client, target, `${hostile}/items`));
    expect(nrps.code).toBe('ERR_LTI_NRPS_RESPONSE_INVALID');
    const refused = await rejection(readMemberships(h.client, target, `${hostile}/nothing`));
    expect(refused.code).toBe('ERR_LTI_NRPS_REQUEST_REFUSED');
    expect(refused.details).toEqual({ platformStatus: 404 });
  });
});
