import { type Request, Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { findLrsKey, insertLrsKey, listLrsKeys, revokeLrsKey } from '../../store/lrs-keys.js';
import { generateCredentials, parseScopes } from '../../xapi/index.js';
import { methodNotAllowed, requireJson } from '../errors.js';
import { requireSession } from '../session.js';
import { requireAdminToken } from './lti-admin.js';

function invalid(path: string, message: string): AppError {
  return new AppError('ERR_XAPI_KEY_INVALID', `${path}: ${message}`, { details: { path } });
}

/** Reads `{ scopes?, label? }` (and, for admins, `platformId`, `courseId?`) from a JSON body. */
function readKeyRequest(body: unknown, admin: boolean) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('body', 'must be a JSON object');
  const input = body as Record<string, unknown>;
  const allowed = new Set(['scopes', 'label', ...(admin ? ['platformId', 'courseId'] : [])]);
  for (const name of Object.keys(input))
    if (!allowed.has(name)) throw invalid(name, 'is not a property of this request');
  const scopes = input.scopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))
    throw invalid('scopes', 'must be an array of scopes');
  if (input.label !== undefined && typeof input.label !== 'string')
    throw invalid('label', 'must be a string');
  for (const name of ['platformId', 'courseId'] as const) {
    if (input[name] !== undefined && typeof input[name] !== 'string') throw invalid(name, 'must be a UUID');
  }
  return {
    scopes: parseScopes(scopes as string[]),
    label: (input.label as string | undefined) ?? '',
    platformId: input.platformId as string | undefined,
    courseId: input.courseId as string | undefined,
  };
}

async function createKey(
  ctx: AppContext,
  platformId: string,
  courseId: string | null,
  scopes: string[],
  label: string,
) {
  const credentials = generateCredentials();
  await insertLrsKey(ctx.pool, {
    key: credentials.key,
    platformId,
    courseId,
    secretSha256: credentials.secretSha256,
    scopes,
    label,
  });
  return {
    key: credentials.key,
    // Shown once: only its SHA-256 is stored.
    secret: credentials.secret,
    endpoint: new URL('/xapi/', ctx.config.publicUrl).href,
    platformId,
    courseId,
    scopes,
    label,
  };
}

function keyParam(req: Request): string {
  const key = req.params.key;
  if (typeof key !== 'string' || !/^lrs_[A-Za-z0-9_-]{1,64}$/.test(key))
    throw invalid('key', 'is not an LRS key');
  return key;
}

/**
 * LRS keys over JSON: `/admin/api/lrs-keys` (ADMIN_TOKEN; any platform or course) and `/api/lrs-keys`
 * (a launch session with the Instructor or Administrator role; keys of the session's course).
 */
export function lrsKeyRoutes(ctx: AppContext): Router {
  const router = Router();
  const admin = requireAdminToken(ctx);
  const instructor = requireSession(ctx, { roles: ['instructor', 'admin'] });

  router
    .route('/admin/api/lrs-keys')
    .get(admin, async (req, res) => {
      const platformId = req.query.platformId;
      if (typeof platformId !== 'string' || !/^[0-9a-f-]{36}$/i.test(platformId)) {
        throw invalid('platformId', 'is required (a platform id)');
      }
      res.set('Cache-Control', 'no-store').json({ keys: await listLrsKeys(ctx.pool, platformId) });
    })
    .post(admin, requireJson, async (req, res) => {
      const input = readKeyRequest(req.body ?? {}, true);
      if (!input.platformId) throw invalid('platformId', 'is required');
      const created = await createKey(
        ctx,
        input.platformId,
        input.courseId ?? null,
        input.scopes,
        input.label,
      );
      req.log?.info({ key: created.key, platformId: created.platformId }, 'LRS key created by the admin API');
      res.status(201).set('Cache-Control', 'no-store').json(created);
    })
    .all(methodNotAllowed(['GET', 'POST']));
  router
    .route('/admin/api/lrs-keys/:key')
    .delete(admin, async (req, res) => {
      if (!(await revokeLrsKey(ctx.pool, keyParam(req), ctx.clock.now()))) {
        throw new AppError('ERR_NOT_FOUND', 'key: no such active LRS key');
      }
      res.status(204).end();
    })
    .all(methodNotAllowed(['DELETE']));

  router
    .route('/api/lrs-keys')
    .get(instructor, async (req, res) => {
      const session = req.ltiSession!;
      if (!session.courseId) throw invalid('course', 'the launch has no course');
      res
        .set('Cache-Control', 'no-store')
        .json({ keys: await listLrsKeys(ctx.pool, session.platformId, session.courseId) });
    })
    .post(requireJson, instructor, async (req, res) => {
      const session = req.ltiSession!;
      if (!session.courseId) throw invalid('course', 'the launch has no course');
      const input = readKeyRequest(req.body ?? {}, false);
      const created = await createKey(ctx, session.platformId, session.courseId, input.scopes, input.label);
      req.log?.info({ key: created.key, courseId: session.courseId }, 'LRS key created by an instructor');
      res.status(201).set('Cache-Control', 'no-store').json(created);
    })
    .all(methodNotAllowed(['GET', 'POST']));
  router
    .route('/api/lrs-keys/:key')
    .delete(instructor, async (req, res) => {
      const session = req.ltiSession!;
      const key = await findLrsKey(ctx.pool, keyParam(req));
      if (
        !key ||
        key.platformId !== session.platformId ||
        key.courseId !== session.courseId ||
        key.revokedAt
      ) {
        throw new AppError('ERR_NOT_FOUND', 'key: no such active LRS key in this course');
      }
      await revokeLrsKey(ctx.pool, key.key, ctx.clock.now());
      res.status(204).end();
    })
    .all(methodNotAllowed(['DELETE']));
  return router;
}
