import { type Request, Router } from 'express';
import { dryRun, explainLearner, handOffAward, handOffRevocation } from '../../awards/index.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { changeCredentialStatus, credentialState } from '../../issuing/index.js';
import { findActiveRule } from '../../store/achievements.js';
import {
  type Award,
  findAward,
  findAwardFor,
  insertAward,
  listAwards,
  revokeAward,
} from '../../store/awards.js';
import { type AwardCredential, credentialsOfAwards } from '../../store/course-badges.js';
import { transaction } from '../../store/index.js';
import { findUser } from '../../store/people.js';
import { requireJson } from '../errors.js';
import {
  actorOf,
  canManage,
  requireCaller,
  requireManager,
  uuidParam,
  uuidPattern,
  type Viewer,
  viewerOf,
  visibleAchievement,
} from './badges-access.js';

export function awardJson(award: Award) {
  return {
    id: award.id,
    userId: award.userId,
    achievementId: award.achievementId,
    achievementVersion: award.achievementVersion,
    ruleId: award.ruleId,
    kind: award.kind,
    awardedBy: award.awardedBy,
    awardedAt: award.awardedAt.toISOString(),
    revokedAt: award.revokedAt?.toISOString() ?? null,
    revocationReason: award.revocationReason,
    evidence: award.evidence,
  };
}

/** The credential's side of an award: its id (null until issued), status and whether it can be suspended. */
function credentialJson(credential: AwardCredential | undefined) {
  if (!credential) return { credentialId: null, credentialStatus: null, suspendable: false };
  return {
    credentialId: credential.credentialId,
    credentialStatus: credentialState(credential),
    suspendedAt: credential.suspendedAt?.toISOString() ?? null,
    suspensionReason: credential.suspensionReason,
    suspendable: credential.suspendable && !credential.revokedAt,
  };
}

/** Award lists carry the credential issued for the award's version (`credentialId` null until issued). */
async function awardListJson(ctx: Pick<AppContext, 'pool'>, awards: Award[]) {
  const credentials = await credentialsOfAwards(ctx.pool, awards);
  return awards.map((award) => ({ ...awardJson(award), ...credentialJson(credentials.get(award.id)) }));
}

function reasonOf(req: Request): string {
  const reason = (req.body as { reason?: unknown } | undefined)?.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
    throw new AppError('ERR_VALIDATION', 'reason must be a non-empty string of at most 500 characters', {
      details: { path: '/reason' },
    });
  }
  return reason.trim();
}

/** The award a manager acts on: 404 when it is not on the caller's platform, 403 when its course is not theirs. */
async function managedAward(ctx: AppContext, req: Request): Promise<Award> {
  const viewer = viewerOf(req);
  requireManager(viewer);
  const id = uuidParam(req.params.id, 'ERR_BADGE_AWARD_NOT_FOUND');
  const award = await findAward(ctx.pool, id);
  if (!award || award.platformId !== viewer.platformId) {
    throw new AppError('ERR_BADGE_AWARD_NOT_FOUND', `No award ${id}`);
  }
  await visibleAchievement(ctx, viewer, award.achievementId);
  return award;
}

/** Learners see their own data only: asking for another learner's is 403. */
function learnerFilter(viewer: Viewer, requested: unknown): string | undefined {
  const userId = typeof requested === 'string' && requested !== '' ? requested.toLowerCase() : undefined;
  if (userId !== undefined && !uuidPattern.test(userId)) {
    throw new AppError('ERR_VALIDATION', 'userId must be a user id (UUID)', { details: { path: 'userId' } });
  }
  if (canManage(viewer)) return userId;
  if (userId !== undefined && userId !== viewer.userId) {
    throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', 'Learners may only read their own awards');
  }
  return viewer.userId ?? undefined;
}

async function platformUser(ctx: Pick<AppContext, 'pool'>, viewer: Viewer, value: unknown): Promise<string> {
  const id = typeof value === 'string' && uuidPattern.test(value) ? value.toLowerCase() : undefined;
  const user = id ? await findUser(ctx.pool, id) : undefined;
  if (!user || user.platformId !== viewer.platformId) {
    throw new AppError('ERR_BADGE_LEARNER_NOT_FOUND', `No learner ${String(value)} on this platform`, {
      details: { path: '/userId' },
    });
  }
  return user.id;
}

async function activeRule(ctx: Pick<AppContext, 'pool'>, achievementId: string) {
  const rule = await findActiveRule(ctx.pool, achievementId);
  if (!rule) throw new AppError('ERR_NOT_FOUND', `Achievement ${achievementId} has no rule`);
  return rule;
}

function limitOf(req: Request): number {
  const limit = Number(req.query.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new AppError('ERR_VALIDATION', 'limit must be an integer 1..1000', { details: { path: 'limit' } });
  }
  return limit;
}

/** Awards, manual award, revoke, dry run and explain. */
export function badgeAwardRoutes(ctx: AppContext): Router {
  const router = Router();
  const session = requireCaller(ctx);

  router.get('/api/awards', session, async (req, res) => {
    const viewer = viewerOf(req);
    const userId = learnerFilter(viewer, req.query.userId);
    const awards = await listAwards(ctx.pool, {
      platformId: viewer.platformId,
      ...(userId ? { userId } : {}),
      courseId: viewer.courseId,
      limit: limitOf(req),
    });
    res.json({ awards: await awardListJson(ctx, awards) });
  });

  router.get('/api/awards/:id', session, async (req, res) => {
    const viewer = viewerOf(req);
    const id = uuidParam(req.params.id, 'ERR_BADGE_AWARD_NOT_FOUND');
    const award = await findAward(ctx.pool, id);
    if (!award || award.platformId !== viewer.platformId) {
      throw new AppError('ERR_BADGE_AWARD_NOT_FOUND', `No award ${id}`);
    }
    learnerFilter(viewer, award.userId);
    await visibleAchievement(ctx, viewer, award.achievementId);
    res.json(awardJson(award));
  });

  router.post('/api/awards/:id/revoke', requireJson, session, async (req, res) => {
    const { id } = await managedAward(ctx, req);
    const reason = reasonOf(req);
    await transaction(ctx.pool, async (db) => {
      if (await revokeAward(db, id, reason, ctx.clock.now())) {
        await handOffRevocation(db, id, ctx.clock.now());
      }
    });
    res.json(awardJson((await findAward(ctx.pool, id))!));
  });

  // Suspension is the credential's (CREDENTIAL_SUSPENSION): the award stays; its credential stops verifying
  // until unsuspended.
  for (const action of ['suspend', 'unsuspend'] as const)
    router.post(`/api/awards/:id/${action}`, requireJson, session, async (req, res) => {
      const award = await managedAward(ctx, req);
      const { id } = award;
      const reason = reasonOf(req);
      if (award.revokedAt) throw new AppError('ERR_CONFLICT', `Award ${id} is revoked`);
      const credential = (await credentialsOfAwards(ctx.pool, [award])).get(id);
      if (!credential)
        throw new AppError(
          'ERR_CONFLICT',
          `The credential of award ${id} is not issued yet: try again shortly`,
        );
      await changeCredentialStatus(ctx, credential.credentialId, action, reason);
      const [json] = await awardListJson(ctx, [award]);
      res.json(json);
    });

  router.get('/api/achievements/:id/awards', session, async (req, res) => {
    const viewer = viewerOf(req);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    const userId = learnerFilter(viewer, req.query.userId);
    const awards = await listAwards(ctx.pool, {
      platformId: viewer.platformId,
      achievementId: achievement.id,
      ...(userId ? { userId } : {}),
      limit: limitOf(req),
    });
    res.json({ awards: await awardListJson(ctx, awards) });
  });

  router.post('/api/achievements/:id/awards', requireJson, session, async (req, res) => {
    const viewer = viewerOf(req);
    requireManager(viewer);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    const userId = await platformUser(ctx, viewer, (req.body as { userId?: unknown } | undefined)?.userId);
    const awardId = ctx.newId();
    const won = await transaction(ctx.pool, async (db) => {
      const inserted = await insertAward(
        db,
        {
          id: awardId,
          platformId: viewer.platformId,
          userId,
          achievementId: achievement.id,
          achievementVersion: achievement.version,
          ruleId: null,
          kind: 'manual',
          awardedBy: viewer.userId,
          explain: null,
          evidence: [{ type: 'manual', ref: `awarded-by:${actorOf(viewer)}` }],
        },
        ctx.clock.now(),
      );
      if (inserted) await handOffAward(db, { id: awardId, achievementVersion: achievement.version });
      return inserted;
    });
    // Idempotent: a learner who already holds it keeps the one award (200 with it).
    const award = won
      ? await findAward(ctx.pool, awardId)
      : await findAwardFor(ctx.pool, userId, achievement.id);
    res.status(won ? 201 : 200).json(awardJson(award!));
  });

  router.post('/api/achievements/:id/dry-run', session, async (req, res) => {
    const viewer = viewerOf(req);
    requireManager(viewer);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    res.json(await dryRun(ctx.pool, achievement, await activeRule(ctx, achievement.id)));
  });

  router.get('/api/achievements/:id/explain', session, async (req, res) => {
    const viewer = viewerOf(req);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    const userId = learnerFilter(viewer, req.query.userId) ?? viewer.userId;
    const learner = await platformUser(ctx, viewer, userId);
    const rule = await activeRule(ctx, achievement.id);
    const result = await explainLearner(ctx.pool, achievement, rule, learner);
    const award = await findAwardFor(ctx.pool, learner, achievement.id);
    res.json({ userId: learner, ruleId: rule.id, ...result, award: award ? awardJson(award) : null });
  });

  return router;
}
