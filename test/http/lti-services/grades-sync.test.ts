import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { learnerQueue } from '../../../src/awards/index.js';
import { ISSUE_CREDENTIAL_QUEUE } from '../../../src/issuing/index.js';
import { createWorker, type Worker } from '../../../src/jobs/index.js';
import type { PlatformEmulator } from '../../../src/lti/emulator/index.js';
import {
  type EmulatedMember,
  type PlatformServices,
  ServiceError,
} from '../../../src/lti/emulator/services.js';
import { gradesSyncIntervalMs, gradesSyncQueue, rosterSyncQueue } from '../../../src/lti/services/index.js';
import { jobHandlers } from '../../../src/workers.js';
import { launchThrough, readMeta } from '../lti/harness.js';
import { type ServicesHarness, seedMembers, startServicesHarness } from './harness.js';

// Issue 5, "On LMS grades": a lineItem rule met through AGS results read by the 'lti.grades-sync' job, over real
// HTTP (Laurel and an emulated Moodle on loopback ports) and real PostgreSQL.
let h: ServicesHarness;
let platform: PlatformEmulator;
let services: PlatformServices;
let members: EmulatedMember[];
let workers: Worker[];
let session: string;
let courseId: string;
const contextId = 'grades-101';
const [instructor, a, b, c] = [0, 1, 2, 3];

beforeAll(async () => {
  h = await startServicesHarness();
  ({ platform, services } = await h.addPlatform('grades', 'moodle'));
  members = seedMembers(platform, 4);
  services.addCourse({ id: contextId, title: 'Grades 101' }, members);
  services.createLineItem(contextId, { label: 'Final project', scoreMaximum: 100 });
  services.createLineItem(contextId, { label: 'Quiz 2', scoreMaximum: 10, resourceId: 'quiz-2' });
  // Only the queues of this flow: credential issuance is another domain's (its job is checked, not run).
  const handlers = jobHandlers(h.ctx);
  workers = [rosterSyncQueue, gradesSyncQueue, learnerQueue].map((queue) =>
    createWorker({ pool: h.db.pool, queue, handler: handlers[queue]!, clock: h.clock }),
  );
});

afterAll(async () => {
  await h?.close();
});

async function drain(): Promise<number> {
  let total = 0;
  for (let round = -1; round !== 0; ) {
    round = 0;
    for (const worker of workers) round += await worker.drain();
    total += round;
  }
  return total;
}

let scoreTime = 0;
function grade(item: number, member: number, scoreGiven: number, scoreMaximum: number): void {
  scoreTime += 1000;
  services.postScore(contextId, String(item), {
    userId: members[member]!.user.sub,
    scoreGiven,
    scoreMaximum,
    activityProgress: 'Completed',
    gradingProgress: 'FullyGraded',
    timestamp: new Date(h.clock.now().getTime() + scoreTime).toISOString(),
  });
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.toolUrl}${path}`, {
    method,
    headers: {
      'x-laurel-session': session,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function userId(member: number): Promise<string> {
  const { rows } = await h.db.pool.query<{ id: string }>('SELECT id FROM users WHERE sub = $1', [
    members[member]!.user.sub,
  ]);
  return rows[0]!.id;
}

async function awardedSubs(achievementId: string): Promise<string[]> {
  const { rows } = await h.db.pool.query<{ sub: string }>(
    `SELECT u.sub FROM awards w JOIN users u ON u.id = w.user_id WHERE w.achievement_id = $1 ORDER BY u.sub`,
    [achievementId],
  );
  return rows.map((row) => row.sub);
}

async function createAchievement(name: string, rule: unknown): Promise<string> {
  const created = await call('POST', '/api/achievements', {
    name,
    description: `${name} in the LMS gradebook`,
    criteria: { narrative: 'Graded in the LMS' },
  });
  expect(created.status).toBe(201);
  const put = await call('PUT', `/api/achievements/${created.body.id}/rule`, { rule });
  expect(put.status).toBe(201);
  expect(put.body.relevance.lineItemIds).toHaveLength(1);
  return created.body.id as string;
}

const lineItem1 = () => services.lineItemUrl(contextId, 1);
let final: string;

describe('lineItem rules met through AGS results', () => {
  it('awards exactly the learner at or above the threshold, and hands the award to issuance', async () => {
    grade(1, a, 90, 100);
    grade(1, b, 50, 100);
    const trace = await launchThrough(h, platform, {
      user: members[instructor]!.user,
      roles: members[instructor]!.roles,
      context: { id: contextId, title: 'Grades 101' },
      resourceLink: { id: 'rl-1' },
      overrides: services.launchClaims(contextId),
    });
    expect(trace.launch?.status).toBe(200);
    session = readMeta(trace.launch!.text, 'laurel-session')!;
    courseId = (await h.db.pool.query<{ id: string }>('SELECT id FROM courses')).rows[0]!.id;
    // The launch knows no lineItem rule yet: no grades sync, only the roster (NRPS) sync.
    const queued = await h.db.pool.query('SELECT queue FROM jobs WHERE queue = $1', [gradesSyncQueue]);
    expect(queued.rowCount).toBe(0);

    final = await createAchievement('Final project', { lineItem: { id: lineItem1(), minScaled: 0.8 } });
    await drain();
    expect(await awardedSubs(final)).toEqual([members[a]!.user.sub]);
    const award = await h.db.pool.query<{ id: string }>('SELECT id FROM awards WHERE achievement_id = $1', [
      final,
    ]);
    const evidence = await h.db.pool.query('SELECT kind, ref FROM award_evidence WHERE award_id = $1', [
      award.rows[0]!.id,
    ]);
    expect(evidence.rows).toEqual([{ kind: 'grade', ref: expect.stringContaining('/results') }]);
    const issue = await h.db.pool.query("SELECT 1 FROM jobs WHERE queue = $1 AND payload->>'awardId' = $2", [
      ISSUE_CREDENTIAL_QUEUE,
      award.rows[0]!.id,
    ]);
    expect(issue.rowCount).toBe(1);
    // Read through AGS: the stored grades and the next sync, one interval later.
    const stored = await h.db.pool.query(
      'SELECT user_sub, score_given, score_maximum FROM badge_grades ORDER BY user_sub',
    );
    expect(stored.rows).toEqual([
      { user_sub: members[a]!.user.sub, score_given: 90, score_maximum: 100 },
      { user_sub: members[b]!.user.sub, score_given: 50, score_maximum: 100 },
    ]);
    const next = await h.db.pool.query<{ run_at: Date }>(
      'SELECT run_at FROM jobs WHERE queue = $1 AND done_at IS NULL',
      [gradesSyncQueue],
    );
    expect(next.rows.map((row) => row.run_at.getTime())).toEqual([
      h.clock.now().getTime() + gradesSyncIntervalMs,
    ]);
  });

  it('explains a learner below the threshold: the line item and the gap; the dry run agrees', async () => {
    const bId = await userId(b);
    const explain = await call('GET', `/api/achievements/${final}/explain?userId=${bId}`);
    expect(explain.status).toBe(200);
    expect(explain.body.met).toBe(false);
    expect(explain.body.grades).toBe(1);
    expect(explain.body.explain.reason).toBe(`line item ${lineItem1()}: best grade 0.5 < 0.8 (0.3 short)`);
    const dry = await call('POST', `/api/achievements/${final}/dry-run`);
    expect(dry.status).toBe(200);
    const row = dry.body.learners.find((l: { userId: string }) => l.userId === bId);
    expect(row).toMatchObject({ met: false, awarded: false, have: 0, need: 1 });
    expect(dry.body.alreadyAwarded).toBe(1);
  });

  it('awards a learner whose grade rises on the next scheduled sync, once', async () => {
    grade(1, b, 85, 100);
    await drain();
    expect(await awardedSubs(final)).toEqual([members[a]!.user.sub]);
    h.clock.advance(gradesSyncIntervalMs);
    await drain();
    expect(await awardedSubs(final)).toEqual([members[a]!.user.sub, members[b]!.user.sub].sort());
    // Unchanged grades on later syncs evaluate nobody again.
    h.clock.advance(gradesSyncIntervalMs);
    const before = await h.db.pool.query('SELECT 1 FROM jobs WHERE queue = $1', [learnerQueue]);
    await drain();
    const after = await h.db.pool.query('SELECT 1 FROM jobs WHERE queue = $1', [learnerQueue]);
    expect(after.rowCount).toBe(before.rowCount);
    expect(await awardedSubs(final)).toHaveLength(2);
  });

  it('AGS unavailable: the sync is retried and nothing is half-written', async () => {
    grade(1, c, 95, 100);
    grade(2, a, 9, 10);
    const results = services.results.bind(services);
    services.results = (ctx, item) => {
      if (item.id === 2) throw new ServiceError(503, 'temporarily_unavailable', 'gradebook is being rebuilt');
      return results(ctx, item);
    };
    // A rule naming the second line item by its resourceId: a sync now reads both line items' results.
    const quiz = await createAchievement('Quiz 2', { lineItem: { id: 'quiz-2', minScore: 8 } });
    const gradesBefore = await h.db.pool.query('SELECT * FROM badge_grades ORDER BY user_sub, line_item_url');
    await drain();
    const failed = await h.db.pool.query<{ attempts: number; last_error: string }>(
      `SELECT attempts, last_error FROM jobs WHERE queue = $1 AND done_at IS NULL AND attempts > 0`,
      [gradesSyncQueue],
    );
    expect(failed.rows).toHaveLength(1);
    expect(failed.rows[0]!.last_error).toMatch(/503|results/i);
    // Item 1's results were read (C at 95 %) but nothing of them was written: no grade, no evaluation, no award.
    expect(
      await h.db.pool.query('SELECT * FROM badge_grades ORDER BY user_sub, line_item_url'),
    ).toMatchObject({
      rows: gradesBefore.rows,
    });
    expect(await awardedSubs(final)).not.toContain(members[c]!.user.sub);
    expect(await awardedSubs(quiz)).toEqual([]);

    services.results = results;
    h.clock.advance(60_000);
    await drain();
    expect(await awardedSubs(final)).toContain(members[c]!.user.sub);
    expect(await awardedSubs(quiz)).toEqual([members[a]!.user.sub]);
    const refs = await h.db.pool.query('SELECT ref, line_item_url FROM badge_line_items ORDER BY ref', []);
    expect(refs.rows).toEqual([
      { ref: lineItem1(), line_item_url: lineItem1() },
      { ref: 'quiz-2', line_item_url: services.lineItemUrl(contextId, 2) },
    ]);
  });

  it('a launch from a course whose rules name line items enqueues this interval`s sync, once', async () => {
    h.clock.advance(2 * gradesSyncIntervalMs);
    const slot = Math.floor(h.clock.now().getTime() / gradesSyncIntervalMs) * gradesSyncIntervalMs;
    const key = `${courseId}@${new Date(slot).toISOString()}`;
    const due = () =>
      h.db.pool.query('SELECT 1 FROM jobs WHERE queue = $1 AND done_at IS NULL AND dedupe_key = $2', [
        gradesSyncQueue,
        key,
      ]);
    expect((await due()).rowCount).toBe(0);
    for (let i = 0; i < 2; i++) {
      const trace = await launchThrough(h, platform, {
        user: members[b]!.user,
        roles: members[b]!.roles,
        context: { id: contextId, title: 'Grades 101' },
        resourceLink: { id: 'rl-1' },
        overrides: services.launchClaims(contextId),
      });
      expect(trace.launch?.status).toBe(200);
    }
    expect((await due()).rowCount).toBe(1);
    await drain();
    expect((await due()).rowCount).toBe(0);
  });

  it('keeps the grade of a learner not known yet and awards them at their first launch', async () => {
    const late: EmulatedMember = {
      user: platform.newUser({ name: 'Late Learner', email: 'late@example.edu' }),
      roles: platform.roles('learner'),
    };
    members.push(late);
    services.course(contextId).members.push(late);
    grade(1, members.length - 1, 99, 100);
    h.clock.advance(gradesSyncIntervalMs);
    await drain();
    const kept = await h.db.pool.query('SELECT score_given FROM badge_grades WHERE user_sub = $1', [
      late.user.sub,
    ]);
    expect(kept.rows).toEqual([{ score_given: 99 }]);
    expect(await awardedSubs(final)).not.toContain(late.user.sub);
    const trace = await launchThrough(h, platform, {
      user: late.user,
      roles: late.roles,
      context: { id: contextId, title: 'Grades 101' },
      resourceLink: { id: 'rl-1' },
      overrides: services.launchClaims(contextId),
    });
    expect(trace.launch?.status).toBe(200);
    await drain();
    expect(await awardedSubs(final)).toContain(late.user.sub);
  });
});
