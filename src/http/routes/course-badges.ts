import { type Request, type Response, Router } from 'express';
import type { AchievementBody } from '../../badges/achievement.js';
import type { AppContext } from '../../context.js';
import { AppError, isAppError } from '../../errors.js';
import { roleKinds } from '../../lti/roles.js';
import { loadSession, sessionField } from '../../lti/session.js';
import {
  type Achievement,
  findAchievementVersion,
  findActiveRule,
  listAchievements,
} from '../../store/achievements.js';
import { type Award, listAwards } from '../../store/awards.js';
import {
  type AwardCredential,
  courseMembers,
  credentialsOfAwards,
  userNames,
} from '../../store/course-badges.js';
import { findCourse, findUser } from '../../store/people.js';
import { findPlatformById } from '../../store/platforms.js';
import {
  type CourseAchievement,
  type CourseHeader,
  type CredentialLinks,
  courseBadgesPath,
  type EarnedBadge,
  instructorBadgesPage,
  learnerBadgesPage,
  type ManagedAchievement,
} from '../../ui/course/page.js';
import { courseScript, courseScriptPath } from '../../ui/course/scripts.js';
import { errorPage, landingPage } from '../../ui/lti/pages.js';
import { methodNotAllowed } from '../errors.js';

/** Which view a launch's roles get: instructors and administrators manage, everyone else is a learner. */
export function roleLabel(roles: readonly string[]): { view: 'instructor' | 'learner'; label: string } {
  const kinds = roleKinds(roles);
  if (kinds.has('instructor')) return { view: 'instructor', label: 'Instructor' };
  if (kinds.has('admin')) return { view: 'instructor', label: 'Administrator' };
  if (kinds.has('learner')) return { view: 'learner', label: 'Learner' };
  return { view: 'learner', label: 'no course role' };
}

/** The launched user and course a page is rendered for (from the launch, or from the stored session). */
export interface CoursePageInput {
  platformId: string;
  courseId: string;
  userId: string;
  roles: readonly string[];
  header: Omit<CourseHeader, 'roleLabel'>;
}

// A page shows at most this many awards; the JSON API pages through more.
const awardLimit = 1000;

const baseUrl = (ctx: Pick<AppContext, 'config'>) => ctx.config.publicUrl.replace(/\/+$/, '');

function absolute(ctx: Pick<AppContext, 'config'>, id: string | undefined): string | undefined {
  return id === undefined ? undefined : id.startsWith('/') ? `${baseUrl(ctx)}${id}` : id;
}

function criteriaOf(body: AchievementBody): string {
  return body.criteria.narrative ?? body.criteria.id ?? '';
}

function courseAchievement(ctx: Pick<AppContext, 'config'>, a: Achievement): CourseAchievement {
  const imageUrl = absolute(ctx, a.body.image?.id);
  return {
    id: a.id,
    name: a.body.name,
    description: a.body.description,
    criteria: criteriaOf(a.body),
    library: a.courseId === null,
    ...(imageUrl ? { imageUrl } : {}),
  };
}

/**
 * LinkedIn's "Add to profile" link for a certification (startTask=CERTIFICATION_NAME): the badge name, the issuer,
 * the issue month, and the credential's URL and id.
 */
export function linkedInAddUrl(input: {
  name: string;
  organizationName: string;
  issuedAt: Date;
  certUrl: string;
  certId: string;
}): string {
  const params = new URLSearchParams({
    startTask: 'CERTIFICATION_NAME',
    name: input.name,
    organizationName: input.organizationName,
    issueYear: String(input.issuedAt.getUTCFullYear()),
    issueMonth: String(input.issuedAt.getUTCMonth() + 1),
    certUrl: input.certUrl,
    certId: input.certId,
  });
  return `https://www.linkedin.com/profile/add?${params.toString()}`;
}

function credentialLinks(
  ctx: Pick<AppContext, 'config'>,
  name: string,
  award: Award,
  credential: AwardCredential,
): CredentialLinks {
  const path = `/credentials/${credential.credentialId}`;
  const url = `${baseUrl(ctx)}${path}`;
  const image = credential.imageUrl ?? '';
  return {
    url,
    downloadUrl: `${path}/credential.json`,
    ...(image.endsWith('.png') ? { pngUrl: `${path}/baked.png` } : {}),
    ...(image.endsWith('.svg') ? { svgUrl: `${path}/baked.svg` } : {}),
    verifyUrl: `/verify?url=${encodeURIComponent(url)}`,
    linkedInUrl: linkedInAddUrl({
      name,
      organizationName: credential.issuerName,
      issuedAt: award.awardedAt,
      certUrl: url,
      certId: credential.credentialId,
    }),
  };
}

async function learnerPage(ctx: AppContext, input: CoursePageInput, label: string): Promise<string> {
  const achievements = await listAchievements(ctx.pool, input.platformId, input.courseId);
  const awards = await listAwards(ctx.pool, {
    platformId: input.platformId,
    userId: input.userId,
    courseId: input.courseId,
    limit: awardLimit,
  });
  const credentials = await credentialsOfAwards(ctx.pool, awards);
  const earned: EarnedBadge[] = [];
  for (const award of awards) {
    // What was awarded: the achievement as it was at the award's version.
    const body = await findAchievementVersion(ctx.pool, award.achievementId, award.achievementVersion);
    if (!body) continue;
    const credential = credentials.get(award.id);
    const imageUrl = credential?.imageUrl ?? absolute(ctx, body.image?.id);
    earned.push({
      name: body.name,
      description: body.description,
      awardedAt: award.awardedAt,
      revokedAt: award.revokedAt,
      revocationReason: award.revocationReason,
      suspendedAt: credential?.suspendedAt ?? null,
      suspensionReason: credential?.suspensionReason ?? null,
      ...(imageUrl ? { imageUrl } : {}),
      ...(credential ? { credential: credentialLinks(ctx, body.name, award, credential) } : {}),
    });
  }
  const held = new Set(awards.filter((a) => !a.revokedAt).map((a) => a.achievementId));
  return learnerBadgesPage({
    header: { ...input.header, roleLabel: label },
    earned,
    achievements: achievements.map((a) => ({ ...courseAchievement(ctx, a), earned: held.has(a.id) })),
  });
}

async function instructorPage(ctx: AppContext, input: CoursePageInput, label: string): Promise<string> {
  const achievements = await listAchievements(ctx.pool, input.platformId, input.courseId);
  const awards = await listAwards(ctx.pool, {
    platformId: input.platformId,
    courseId: input.courseId,
    limit: awardLimit,
  });
  const names = await userNames(
    ctx.pool,
    awards.map((a) => a.userId),
  );
  const credentials = await credentialsOfAwards(ctx.pool, awards);
  const managed: ManagedAchievement[] = [];
  for (const a of achievements) {
    const rule = await findActiveRule(ctx.pool, a.id);
    managed.push({
      ...courseAchievement(ctx, a),
      ruleJson: rule ? JSON.stringify(rule.rule, null, 2) : null,
      awards: awards
        .filter((w) => w.achievementId === a.id)
        .map((w) => {
          const credential = credentials.get(w.id);
          return {
            id: w.id,
            userId: w.userId,
            learnerName: names.get(w.userId) ?? null,
            awardedAt: w.awardedAt,
            revokedAt: w.revokedAt,
            revocationReason: w.revocationReason,
            suspendedAt: credential?.suspendedAt ?? null,
            suspensionReason: credential?.suspensionReason ?? null,
            suspendable: credential?.suspendable ?? false,
          };
        }),
    });
  }
  return instructorBadgesPage({
    header: { ...input.header, roleLabel: label },
    achievements: managed,
    members: await courseMembers(ctx.pool, input.courseId),
  });
}

/** The course badges page for a launched user: the instructor view for instructors and administrators. */
export async function courseBadgesHtml(ctx: AppContext, input: CoursePageInput): Promise<string> {
  const { view, label } = roleLabel(input.roles);
  return view === 'instructor' ? instructorPage(ctx, input, label) : learnerPage(ctx, input, label);
}

function sendPageError(req: Request, res: Response, error: AppError): void {
  res
    .status(error.status)
    .type('html')
    .send(
      errorPage({
        status: error.status,
        code: error.code,
        message: error.expose ? error.message : 'Internal server error',
        requestId: req.id,
      }),
    );
}

/**
 * `POST /lti/course/badges` renders the course badges page again for the session in the `laurel_session` form
 * field (the page's refresh after a change; the session is never in a URL or cookie); `GET` explains how to open
 * it. Also serves the page's script.
 */
export function courseBadgeRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get(courseScriptPath, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(courseScript);
  });
  router
    .route(courseBadgesPath)
    .post(async (req, res) => {
      res.set('Cache-Control', 'no-store');
      const token = (req.body as Record<string, unknown> | undefined)?.[sessionField];
      try {
        const session = await loadSession(ctx, typeof token === 'string' ? token : undefined);
        const [user, course, platform] = await Promise.all([
          findUser(ctx.pool, session.userId),
          session.courseId ? findCourse(ctx.pool, session.courseId) : undefined,
          findPlatformById(ctx.pool, session.platformId),
        ]);
        const header = {
          sessionToken: token as string,
          userName: user?.name ?? user?.email ?? undefined,
          courseTitle: course?.title ?? course?.label ?? course?.contextId ?? '',
          platformName: platform?.name || (platform ? new URL(platform.issuer).host : ''),
        };
        if (!session.courseId) {
          const { view, label } = roleLabel(session.roles);
          res.type('html').send(landingPage({ ...header, view, roleLabel: label, courseTitle: undefined }));
          return;
        }
        res.type('html').send(
          await courseBadgesHtml(ctx, {
            platformId: session.platformId,
            courseId: session.courseId,
            userId: session.userId,
            roles: session.roles,
            header,
          }),
        );
      } catch (error) {
        if (!isAppError(error, 'ERR_LTI_SESSION_INVALID')) throw error;
        sendPageError(req, res, error);
      }
    })
    .get((req, res) => {
      sendPageError(
        req,
        res,
        new AppError('ERR_LTI_SESSION_INVALID', 'Open Laurel from your course to see its badges'),
      );
    })
    .all(methodNotAllowed(['GET', 'POST']));
  return router;
}
