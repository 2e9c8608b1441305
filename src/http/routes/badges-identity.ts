import { Router } from 'express';
import { onIdentitySettingsChanged } from '../../awards/index.js';
import { parseIdentitySettings } from '../../badges/identity-settings.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { findIdentitySettings, saveIdentitySettings } from '../../store/badge-evidence.js';
import { transaction } from '../../store/index.js';
import { requireJson } from '../errors.js';
import { requireCaller, type Viewer, viewerOf } from './badges-access.js';

function requireAdmin(viewer: Viewer): void {
  if (!viewer.kinds.has('admin')) {
    throw new AppError('ERR_BADGE_COURSE_FORBIDDEN', 'Identity settings are changed by platform admins');
  }
}

/** How xAPI actors link to this platform's users: GET and PUT (platform admins; PUT relinks kept statements). */
export function badgeIdentityRoutes(ctx: AppContext): Router {
  const router = Router();
  const session = requireCaller(ctx);

  router.get('/api/identity-settings', session, async (req, res) => {
    const viewer = viewerOf(req);
    requireAdmin(viewer);
    res.json(await findIdentitySettings(ctx.pool, viewer.platformId));
  });

  router.put('/api/identity-settings', requireJson, session, async (req, res) => {
    const viewer = viewerOf(req);
    requireAdmin(viewer);
    const settings = parseIdentitySettings(req.body);
    const linked = await transaction(ctx.pool, async (db) => {
      await saveIdentitySettings(db, viewer.platformId, settings);
      return onIdentitySettingsChanged(db, ctx, viewer.platformId);
    });
    res.json({ ...settings, learnersLinked: linked.length });
  });

  return router;
}
