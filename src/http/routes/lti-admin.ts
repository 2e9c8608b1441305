import { createHash, timingSafeEqual } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { loadManifest, type Manifest, toolUrls } from '../../lti/manifest.js';
import {
  addPlatform,
  getPlatformWithDeployments,
  listPlatformsWithDeployments,
  setPlatformStrict,
} from '../../lti/platforms.js';
import { installCopyScriptPath, installPage } from '../../ui/install/pages.js';
import { installCopyScript } from '../../ui/install/scripts.js';
import { methodNotAllowed, requireJson } from '../errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The admin API's guard: `Authorization: Bearer <ADMIN_TOKEN>`. Without ADMIN_TOKEN the admin API is off (403);
 * a missing or wrong token is 401.
 */
export function requireAdminToken(ctx: AppContext): RequestHandler {
  const expected = ctx.config.adminToken ? digest(ctx.config.adminToken) : undefined;
  return (req, res, next) => {
    if (!expected) {
      next(new AppError('ERR_FORBIDDEN', 'The admin API is disabled: set ADMIN_TOKEN to enable it'));
      return;
    }
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!token || !timingSafeEqual(digest(token), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="laurel-admin"');
      next(new AppError('ERR_UNAUTHENTICATED', 'The admin API needs Authorization: Bearer <ADMIN_TOKEN>'));
      return;
    }
    next();
  };
}

/** `/admin/api/platforms` (manual installation) and the `/admin/install` page. */
export function ltiAdminRoutes(ctx: AppContext, options: { manifest?: Manifest } = {}): Router {
  const router = Router();
  const admin = requireAdminToken(ctx);

  router
    .route('/admin/api/platforms')
    .get(admin, async (_req, res) => {
      res.set('Cache-Control', 'no-store').json({ platforms: await listPlatformsWithDeployments(ctx) });
    })
    .post(admin, requireJson, async (req, res) => {
      const platform = await addPlatform(ctx, req.body ?? {});
      req.log?.info({ platformId: platform.id, issuer: platform.issuer }, 'platform added by the admin API');
      res.status(201).location(`/admin/api/platforms/${platform.id}`).json({ platform });
    })
    .all(methodNotAllowed(['GET', 'POST']));
  router
    .route('/admin/api/platforms/:id')
    .get(admin, async (req, res) => {
      const platform = await getPlatformWithDeployments(ctx, String(req.params.id));
      res.set('Cache-Control', 'no-store').json({ platform });
    })
    .patch(admin, requireJson, async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const keys = Object.keys(body);
      if (keys.length !== 1 || typeof body.strictDeployments !== 'boolean') {
        throw new AppError('ERR_VALIDATION', 'The body must be {"strictDeployments": true|false}', {
          details: { path: keys.find((key) => key !== 'strictDeployments') ?? 'strictDeployments' },
        });
      }
      const platform = await setPlatformStrict(ctx, String(req.params.id), body.strictDeployments);
      req.log?.info(
        { platformId: platform.id, strict: platform.strictDeployments },
        'platform strict mode set',
      );
      res.json({ platform });
    })
    .all(methodNotAllowed(['GET', 'PATCH']));

  // Public: it shows only URLs every platform is told anyway.
  router
    .route('/admin/install')
    .get(async (_req, res) => {
      const manifest = options.manifest ?? (await loadManifest());
      res.type('html').send(installPage(toolUrls(manifest, ctx.config.publicUrl)));
    })
    .all(methodNotAllowed(['GET']));
  router.get(installCopyScriptPath, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(installCopyScript);
  });
  return router;
}
