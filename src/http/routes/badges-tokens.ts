import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import {
  type ApiToken,
  findApiToken,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
} from '../../store/api-tokens.js';
import { requireJson } from '../errors.js';
import {
  hashApiToken,
  requireCaller,
  requireManager,
  uuidParam,
  type Viewer,
  viewerOf,
} from './badges-access.js';

function tokenJson(token: ApiToken) {
  return {
    id: token.id,
    scope: token.courseId === null ? 'platform' : 'course',
    courseId: token.courseId,
    label: token.label,
    createdBy: token.createdBy,
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/** Tokens are minted by people in a launch session, never by another token. */
function requirePerson(viewer: Viewer): string {
  if (viewer.userId === null) {
    throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', 'API tokens are managed from a launch session');
  }
  requireManager(viewer);
  return viewer.userId;
}

function parseTokenRequest(body: unknown): { label: string; scope: 'course' | 'platform' } {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const unknown = Object.keys(input).find((k) => k !== 'label' && k !== 'scope');
  if (unknown)
    throw new AppError('ERR_VALIDATION', `unknown field ${unknown}`, { details: { path: `/${unknown}` } });
  const label = input.label ?? '';
  if (typeof label !== 'string' || label.length > 200) {
    throw new AppError('ERR_VALIDATION', 'label must be a string of at most 200 characters', {
      details: { path: '/label' },
    });
  }
  const scope = input.scope ?? 'course';
  if (scope !== 'course' && scope !== 'platform') {
    throw new AppError('ERR_VALIDATION', 'scope must be "course" or "platform"', {
      details: { path: '/scope' },
    });
  }
  return { label, scope };
}

/** Bearer tokens for automation: create (shown once), list, revoke. */
export function badgeTokenRoutes(ctx: AppContext): Router {
  const router = Router();
  const caller = requireCaller(ctx);

  router.post('/api/tokens', requireJson, caller, async (req, res) => {
    const viewer = viewerOf(req);
    const userId = requirePerson(viewer);
    const { label, scope } = parseTokenRequest(req.body);
    if (scope === 'platform' && !viewer.kinds.has('admin')) {
      throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', 'Platform tokens are created by platform admins');
    }
    if (scope === 'course' && viewer.courseId === null) {
      throw new AppError('ERR_VALIDATION', 'This launch has no course: ask for a platform token', {
        details: { path: '/scope' },
      });
    }
    const secret = `lt_${randomBytes(32).toString('base64url')}`;
    const token = await insertApiToken(
      ctx.pool,
      {
        id: ctx.newId(),
        tokenSha256: hashApiToken(secret),
        platformId: viewer.platformId,
        courseId: scope === 'course' ? viewer.courseId : null,
        label,
        createdBy: userId,
      },
      ctx.clock.now(),
    );
    res.status(201).json({ ...tokenJson(token), token: secret });
  });

  router.get('/api/tokens', caller, async (req, res) => {
    const viewer = viewerOf(req);
    requirePerson(viewer);
    const courseId = viewer.kinds.has('admin') ? null : viewer.courseId;
    if (courseId === null && !viewer.kinds.has('admin')) {
      throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', 'This launch has no course');
    }
    res.json({ tokens: (await listApiTokens(ctx.pool, viewer.platformId, courseId)).map(tokenJson) });
  });

  router.delete('/api/tokens/:id', caller, async (req, res) => {
    const viewer = viewerOf(req);
    requirePerson(viewer);
    const id = uuidParam(req.params.id, 'ERR_NOT_FOUND');
    const token = await findApiToken(ctx.pool, id);
    const mine =
      token !== undefined &&
      token.platformId === viewer.platformId &&
      (viewer.kinds.has('admin') || (token.courseId !== null && token.courseId === viewer.courseId));
    if (!mine) throw new AppError('ERR_NOT_FOUND', `No token ${id}`);
    await revokeApiToken(ctx.pool, id, ctx.clock.now());
    res.status(204).end();
  });

  return router;
}
