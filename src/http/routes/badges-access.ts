import type { Request } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { RoleKind } from '../../lti/roles.js';
import { type Achievement, findAchievement } from '../../store/achievements.js';

/** Who is asking, from the launch session (requireSession). */
export interface Viewer {
  platformId: string;
  courseId: string | null;
  userId: string;
  kinds: Set<RoleKind>;
}

export function viewerOf(req: Request): Viewer {
  const session = req.ltiSession;
  if (!session) throw new AppError('ERR_UNAUTHENTICATED', 'This API needs a launch session');
  return {
    platformId: session.platformId,
    courseId: session.courseId,
    userId: session.userId,
    kinds: session.kinds,
  };
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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is a UUID (lower-cased), else 404 with `code`. */
export function uuidParam(
  value: unknown,
  code: 'ERR_BADGE_ACHIEVEMENT_NOT_FOUND' | 'ERR_BADGE_AWARD_NOT_FOUND',
): string {
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
  if (achievement.courseId !== null && achievement.courseId !== viewer.courseId) {
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
