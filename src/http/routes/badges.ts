import { createHash } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { enqueueBackfill } from '../../awards/index.js';
import { applyAchievementUpdate, parseNewAchievement } from '../../badges/achievement.js';
import { checkAchievementImage, imageLimits } from '../../badges/image.js';
import { parseRule, relevance } from '../../badges/index.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { enqueueGradesSyncForRule } from '../../lti/services/index.js';
import {
  type Achievement,
  type AwardRule,
  addAchievementVersion,
  archiveAchievement,
  findAchievement,
  findAchievementImage,
  findActiveRule,
  insertAchievement,
  insertAchievementImage,
  listAchievements,
  replaceRule,
} from '../../store/achievements.js';
import { transaction } from '../../store/index.js';
import { requireJson } from '../errors.js';
import {
  requireCaller,
  requireEditor,
  requireManager,
  viewerOf,
  visibleAchievement,
} from './badges-access.js';
import { badgeAwardRoutes } from './badges-awards.js';
import { badgeIdentityRoutes } from './badges-identity.js';
import { openApiDocument } from './badges-openapi.js';
import { badgeTokenRoutes } from './badges-tokens.js';

/** The API form of an achievement (OB 3.0 Achievement fields, the owner and the version). */
export function achievementJson(ctx: Pick<AppContext, 'config'>, a: Achievement) {
  const { image, ...body } = a.body;
  return {
    id: a.id,
    courseId: a.courseId,
    library: a.courseId === null,
    version: a.version,
    ...body,
    ...(image
      ? { image: { id: `${ctx.config.publicUrl.replace(/\/+$/, '')}${image.id}`, type: image.type } }
      : {}),
    createdAt: a.createdAt.toISOString(),
    archivedAt: a.archivedAt?.toISOString() ?? null,
  };
}

function ruleJson(rule: AwardRule) {
  return {
    id: rule.id,
    achievementId: rule.achievementId,
    revision: rule.revision,
    rule: rule.rule,
    onVoid: rule.onVoid,
    relevance: rule.relevance,
    createdAt: rule.createdAt.toISOString(),
  };
}

function body(req: Request): Record<string, unknown> {
  const value = req.body as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('ERR_VALIDATION', 'Request body must be a JSON object', { details: { path: '/' } });
  }
  return value as Record<string, unknown>;
}

function parseRuleRequest(input: Record<string, unknown>) {
  const unknown = Object.keys(input).filter((k) => !['rule', 'onVoid', 'backfill'].includes(k));
  if (unknown.length > 0) {
    throw new AppError('ERR_VALIDATION', `unknown field ${unknown[0]}: expected rule, onVoid, backfill`, {
      details: { path: `/${unknown[0]}` },
    });
  }
  const onVoid = input.onVoid ?? 'revoke';
  if (onVoid !== 'revoke' && onVoid !== 'keep') {
    throw new AppError('ERR_VALIDATION', 'onVoid must be "revoke" or "keep"', {
      details: { path: '/onVoid' },
    });
  }
  if (input.backfill !== undefined && typeof input.backfill !== 'boolean') {
    throw new AppError('ERR_VALIDATION', 'backfill must be a boolean', { details: { path: '/backfill' } });
  }
  if (input.rule === undefined) {
    throw new AppError('ERR_RULE_INVALID', 'rule /: a rule is required', {
      details: { path: '/', issues: [{ path: '/', message: 'a rule is required' }] },
    });
  }
  return {
    rule: parseRule(input.rule),
    onVoid: onVoid as 'revoke' | 'keep',
    backfill: input.backfill !== false,
  };
}

function achievementRoutes(ctx: AppContext): Router {
  const router = Router();
  const session = requireCaller(ctx);

  router.get('/api/achievements', session, async (req, res) => {
    const viewer = viewerOf(req);
    const list = await listAchievements(ctx.pool, viewer.platformId, viewer.courseId);
    res.json({ achievements: list.map((a) => achievementJson(ctx, a)) });
  });

  router.post('/api/achievements', requireJson, session, async (req, res) => {
    const viewer = viewerOf(req);
    requireManager(viewer);
    const { body: parsed, library } = parseNewAchievement(body(req));
    const courseId = library ? null : viewer.courseId;
    if (!library && courseId === null) {
      throw new AppError(
        'ERR_VALIDATION',
        'This launch has no course: create a library achievement instead',
        {
          details: { path: '/library' },
        },
      );
    }
    requireEditor(viewer, { courseId });
    const created = await transaction(ctx.pool, (db) =>
      insertAchievement(
        db,
        { id: ctx.newId(), platformId: viewer.platformId, courseId, body: parsed, createdBy: viewer.userId },
        ctx.clock.now(),
      ),
    );
    res.status(201).location(`/api/achievements/${created.id}`).json(achievementJson(ctx, created));
  });

  router.get('/api/achievements/:id', session, async (req, res) => {
    const achievement = await visibleAchievement(ctx, viewerOf(req), req.params.id);
    res.json(achievementJson(ctx, achievement));
  });

  router.patch('/api/achievements/:id', requireJson, session, async (req, res) => {
    const viewer = viewerOf(req);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    requireEditor(viewer, achievement);
    const next = applyAchievementUpdate(achievement.body, body(req));
    await transaction(ctx.pool, (db) => addAchievementVersion(db, achievement.id, next, ctx.clock.now()));
    res.json(achievementJson(ctx, (await findAchievement(ctx.pool, achievement.id))!));
  });

  router.delete('/api/achievements/:id', session, async (req, res) => {
    const viewer = viewerOf(req);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    requireEditor(viewer, achievement);
    await transaction(ctx.pool, (db) => archiveAchievement(db, achievement.id, ctx.clock.now()));
    res.status(204).end();
  });

  const rawImage = express.raw({ type: ['image/png', 'image/svg+xml'], limit: imageLimits.maxBytes });
  router.put('/api/achievements/:id/image', session, rawImage, async (req, res) => {
    const viewer = viewerOf(req);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    requireEditor(viewer, achievement);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new AppError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the image as image/png or image/svg+xml');
    }
    const content = req.body;
    const type = checkAchievementImage(content, req.headers['content-type'] ?? '');
    const sha256 = createHash('sha256').update(content).digest('hex');
    const image = { id: `/badges/images/${sha256}.${type === 'image/png' ? 'png' : 'svg'}`, type, sha256 };
    await transaction(ctx.pool, async (db) => {
      await insertAchievementImage(db, { platformId: viewer.platformId, sha256, type, content });
      await addAchievementVersion(db, achievement.id, { ...achievement.body, image }, ctx.clock.now());
    });
    res.json(achievementJson(ctx, (await findAchievement(ctx.pool, achievement.id))!));
  });

  router.get('/api/achievements/:id/rule', session, async (req, res) => {
    const achievement = await visibleAchievement(ctx, viewerOf(req), req.params.id);
    const rule = await findActiveRule(ctx.pool, achievement.id);
    if (!rule) throw new AppError('ERR_NOT_FOUND', `Achievement ${achievement.id} has no rule`);
    res.json(ruleJson(rule));
  });

  router.put('/api/achievements/:id/rule', requireJson, session, async (req, res) => {
    const viewer = viewerOf(req);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    requireEditor(viewer, achievement);
    const parsed = parseRuleRequest(body(req));
    const result = await transaction(ctx.pool, async (db) => {
      const rule = await replaceRule(
        db,
        {
          id: ctx.newId(),
          achievementId: achievement.id,
          rule: parsed.rule,
          relevance: relevance(parsed.rule),
          onVoid: parsed.onVoid,
          createdBy: viewer.userId,
        },
        ctx.clock.now(),
      );
      const jobs = parsed.backfill ? await enqueueBackfill(db, achievement, rule, ctx.clock.now()) : 0;
      // A rule naming LMS line items needs their grades (AGS): synced now, learners evaluated as they change.
      await enqueueGradesSyncForRule(
        db,
        achievement,
        { id: rule.id, lineItemIds: rule.relevance.lineItemIds },
        ctx.clock.now(),
      );
      return { rule, jobs };
    });
    res
      .status(result.rule.revision === 1 ? 201 : 200)
      .json({ ...ruleJson(result.rule), backfill: { jobs: result.jobs } });
  });

  router.post('/api/achievements/:id/backfill', session, async (req: Request, res: Response) => {
    const viewer = viewerOf(req);
    const achievement = await visibleAchievement(ctx, viewer, req.params.id);
    requireManager(viewer);
    const jobs = await transaction(ctx.pool, async (db) => {
      const rule = await findActiveRule(db, achievement.id);
      if (!rule) throw new AppError('ERR_NOT_FOUND', `Achievement ${achievement.id} has no rule`);
      // A manual trigger runs again even for learners already backfilled under this revision.
      return enqueueBackfill(db, achievement, { ...rule, id: `${rule.id}:${ctx.newId()}` }, ctx.clock.now());
    });
    res.status(202).json({ jobs });
  });

  return router;
}

/** The badges JSON API (/api/...): achievements, images, rules, awards, dry run, explain, backfill, OpenAPI. */
export function badgeRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument(ctx.config.publicUrl));
  });
  // Public: credentials name these images. An SVG opened directly must not run anything, even if a check missed it.
  router.get('/badges/images/:file', async (req, res) => {
    const match = /^([0-9a-f]{64})\.(png|svg)$/.exec(req.params.file);
    const image = match ? await findAchievementImage(ctx.pool, match[1]!) : undefined;
    if (!image) throw new AppError('ERR_NOT_FOUND', `No image ${req.params.file}`);
    res
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .set('X-Content-Type-Options', 'nosniff')
      .set('Cache-Control', 'public, max-age=31536000, immutable')
      .type(image.type)
      .send(image.content);
  });
  router.use(achievementRoutes(ctx));
  router.use(badgeAwardRoutes(ctx));
  router.use(badgeIdentityRoutes(ctx));
  router.use(badgeTokenRoutes(ctx));
  return router;
}
