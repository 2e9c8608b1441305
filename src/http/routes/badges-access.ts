import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../../context.js';
import { AppError, type ErrorCode } from '../../errors.js';
import type { RoleKind } from '../../lti/roles.js';
import { type Achievement, findAchievement } from '../../store/achievements.js';
import { findApiTokenByHash } from '../../store/api-tokens.js';
import { requireSession } from '../session.js';

/** Who is asking: from the launch session (requireSession), or from an API token (automation). */
export interface Viewer {
  platformId: string;
  courseId: string | null;
  /** The launched user; null for an API token. */
  userId: string | null;
  kinds: Set<RoleKind>;
  /** A platform token: every course of the platform. */
  allCourses: boolean;
  tokenId?: string;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by requireCaller for a request carrying a badges API token. */
      badgeToken?: Viewer;
    }
  }
}

export const hashApiToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The badges API's authentication: `Authorization: Bearer <API token>` (a course token acts as an instructor of
 * its course, a platform token as a platform admin), else the launch session (X-Laurel-Session).
 * @throws ERR_UNAUTHENTICATED (unknown or revoked token), and requireSession's errors.
 */
export function requireCaller(ctx: Pick<AppContext, 'pool' | 'clock'>): RequestHandler {
  const session = requireSession(ctx);
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) {
      session(req, res, next);
      return;
    }
    try {
      const token = await findApiTokenByHash(ctx.pool, hashApiToken(header.slice(7).trim()));
      if (!token) throw new AppError('ERR_UNAUTHENTICATED', 'The API token is unknown or revoked');
      req.badgeToken = {
        platformId: token.platformId,
        courseId: token.courseId,
        userId: null,
        kinds: new Set<RoleKind>(token.courseId === null ? ['admin'] : ['instructor']),
        allCourses: token.courseId === null,
        tokenId: token.id,
      };
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function viewerOf(req: Request): Viewer {
  if (req.badgeToken) return req.badgeToken;
  const session = req.ltiSession;
  if (!session) throw new AppError('ERR_UNAUTHENTICATED', 'This API needs a launch session or an API token');
  return {
    platformId: session.platformId,
    courseId: session.courseId,
    userId: session.userId,
    kinds: session.kinds,
    allCourses: false,
  };
}

/** Who an award or a change is recorded as made by: the user, or the token. */
export function actorOf(viewer: Viewer): string {
  return viewer.userId ?? `api-token:${viewer.tokenId}`;
}

/** Instructors (and course Administrators) of the session's course, or platform admins. */
export function canManage(viewer: Viewer): boolean {
  return viewer.kinds.has('instructor') || viewer.kinds.has('admin');
}

export function requireManager(viewer: Viewer): void {
  if (!canManage(viewer)) {
    throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', 'This needs the Instructor or Administrator role', {
      details: { required: ['instructor', 'admin'] },
    });
  }
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is a UUID (lower-cased), else 404 with `code`. */
export function uuidParam(value: unknown, code: ErrorCode): string {
  if (typeof value !== 'string' || !uuidPattern.test(value)) {
    throw new AppError(code, `${String(value)} is not a known id`);
  }
  return value.toLowerCase();
}

/**
 * The achievement the viewer may see: on their platform (else 404), in their course or the platform library
 * (another course's: 403).
 * @throws ERR_BADGE_ACHIEVEMENT_NOT_FOUND (404), ERR_BADGE_COURSE_FORBIDDEN (403).
 */
export async function visibleAchievement(
  ctx: Pick<AppContext, 'pool'>,
  viewer: Viewer,
  rawId: unknown,
): Promise<Achievement> {
  const id = uuidParam(rawId, 'ERR_BADGE_ACHIEVEMENT_NOT_FOUND');
  const achievement = await findAchievement(ctx.pool, id);
  if (!achievement || achievement.platformId !== viewer.platformId) {
    throw new AppError('ERR_BADGE_ACHIEVEMENT_NOT_FOUND', `No achievement ${id}`);
  }
  if (achievement.courseId !== null && achievement.courseId !== viewer.courseId && !viewer.allCourses) {
    throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', `Achievement ${id} belongs to another course`);
  }
  return achievement;
}

/** Changing an achievement: managers of its course; library achievements need a platform admin. */
export function requireEditor(viewer: Viewer, achievement: Pick<Achievement, 'courseId'>): void {
  requireManager(viewer);
  if (achievement.courseId === null && !viewer.kinds.has('admin')) {
    throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', 'Library achievements are changed by platform admins');
  }
}
