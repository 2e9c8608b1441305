import { actorKey, userKeys, type XapiActor } from '../badges/index.js';
import type { Clock, NewId } from '../clock.js';
import { enqueue, enqueueMany } from '../jobs/index.js';
import {
  addIdentityKeys,
  addIdentityKeysBulk,
  courseUsers,
  findIdentitySettings,
  linkAllUnmatched,
  linkUnmatchedStatements,
  lockKey,
  lockKeyShared,
  platformUsers,
  usersForKey,
} from '../store/badge-evidence.js';
import { findUser } from '../store/people.js';
import { findPlatformById } from '../store/platforms.js';
import type { Queryable } from '../store/pool.js';

/** The queue of per-learner evaluations (after linking, backfill, a rule change). */
export const learnerQueue = 'badges.learner';

export interface LearnerJob {
  platformId: string;
  userId: string;
  /** Only this achievement's rule; all the learner may earn when absent. */
  achievementId?: string;
}

const identityLock = (platformId: string, key: string) => `badges:identity:${platformId}:${key}`;
/** Statement jobs hold it shared; a bulk roster link holds it exclusive (one lock instead of one per key). */
const platformLinkLock = (platformId: string) => `badges:link:${platformId}`;

/**
 * The learner an actor names on a platform, under the actor key's lock (so a launch linking the same key waits
 * for this transaction, and this one sees the launch's keys once committed). Ambiguous keys link nobody.
 */
export async function linkActorToLearner(
  db: Queryable,
  platformId: string,
  actor: unknown,
): Promise<{ key: string | null; userId: string | null }> {
  const found = typeof actor === 'object' && actor !== null ? actorKey(actor as XapiActor) : undefined;
  if (!found) return { key: null, userId: null };
  await lockKeyShared(db, platformLinkLock(platformId), false);
  await lockKey(db, identityLock(platformId, found.key));
  const users = await usersForKey(db, platformId, found.key);
  return { key: found.key, userId: users.length === 1 ? users[0]! : null };
}

/**
 * Call when a learner appears or changes (the LTI launch, an NRPS roster sync), inside that transaction: records
 * the keys under which statements may name them (Moodle account = LTI sub, email as mbox/sha1, mapping rules),
 * links the statements kept for those keys, and enqueues an evaluation of the learner's rules. Returns how many
 * kept statements it linked.
 */
export async function onLearnerLinked(
  db: Queryable,
  deps: { newId: NewId; clock: Clock },
  userId: string,
  courseId: string | null = null,
): Promise<number> {
  const user = await findUser(db, userId);
  if (!user) return 0;
  const platform = await findPlatformById(db, user.platformId);
  if (!platform) return 0;
  const settings = await findIdentitySettings(db, user.platformId);
  const keys = userKeys(
    { userId, sub: user.sub, email: user.email },
    { issuer: platform.issuer, accountHomePages: settings.accountHomePages, mappings: settings.mappings },
  ).sort();
  for (const key of keys) await lockKey(db, identityLock(user.platformId, key));
  await addIdentityKeys(db, user.platformId, userId, keys);
  const linked = await linkUnmatchedStatements(db, user.platformId, userId, keys);
  const payload: LearnerJob = { platformId: user.platformId, userId };
  // Once per learner and course (first launch there) and again whenever kept statements were linked.
  await enqueue(db, {
    queue: learnerQueue,
    payload,
    runAt: deps.clock.now(),
    dedupeKey: linked > 0 ? `linked:${userId}:${deps.newId()}` : `launch:${userId}:${courseId ?? '-'}`,
  });
  return linked;
}

/**
 * The bulk form of onLearnerLinked for a roster (NRPS) sync, inside its transaction after the users and enrolments
 * are written: records every enrolled user's identity keys, links the kept statements those keys now name, and
 * enqueues an evaluation for each learner linked (and once per learner and course). Returns the users linked.
 */
export function onRosterLinked(
  db: Queryable,
  deps: { newId: NewId; clock: Clock },
  platformId: string,
  courseId: string,
): Promise<string[]> {
  return relink(db, deps, platformId, courseId);
}

/**
 * After the platform's identity settings change (extra account homePages, mapping rules): recomputes every user's
 * identity keys, links the kept statements they now name and enqueues those learners' evaluation.
 */
export function onIdentitySettingsChanged(
  db: Queryable,
  deps: { newId: NewId; clock: Clock },
  platformId: string,
): Promise<string[]> {
  return relink(db, deps, platformId, null);
}

async function relink(
  db: Queryable,
  deps: { newId: NewId; clock: Clock },
  platformId: string,
  courseId: string | null,
): Promise<string[]> {
  const platform = await findPlatformById(db, platformId);
  if (!platform) return [];
  await lockKeyShared(db, platformLinkLock(platformId), true);
  const settings = await findIdentitySettings(db, platformId);
  const identity = { issuer: platform.issuer, ...settings };
  const users = courseId ? await courseUsers(db, courseId) : await platformUsers(db, platformId);
  const rows = users.flatMap((u) =>
    userKeys({ userId: u.id, sub: u.sub, email: u.email }, identity).map((key) => ({ userId: u.id, key })),
  );
  await addIdentityKeysBulk(db, platformId, rows);
  const linked = await linkAllUnmatched(db, platformId);
  const now = deps.clock.now();
  const linkedSet = new Set(linked);
  const targets = courseId ? [...new Set([...users.map((u) => u.id), ...linked])] : linked;
  await enqueueMany(
    db,
    targets.map((userId) => {
      const payload: LearnerJob = { platformId, userId };
      const dedupeKey = linkedSet.has(userId)
        ? `linked:${userId}:${deps.newId()}`
        : `launch:${userId}:${courseId}`;
      return { queue: learnerQueue, payload, runAt: now, dedupeKey };
    }),
  );
  return linked;
}

/**
 * Call when a grades sync (AGS results) changed these learners' grades, inside its transaction: enqueues an
 * evaluation of each learner's rules, one per learner and change (the sync job's id names the change).
 */
export async function onGradesChanged(
  db: Queryable,
  deps: { clock: Clock },
  platformId: string,
  userIds: readonly string[],
  change: string,
): Promise<number> {
  const now = deps.clock.now();
  return enqueueMany(
    db,
    userIds.map((userId) => {
      const payload: LearnerJob = { platformId, userId };
      return { queue: learnerQueue, payload, runAt: now, dedupeKey: `grades:${change}:${userId}` };
    }),
  );
}
