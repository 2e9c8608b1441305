import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { createServiceClient, type ServiceClient, syncRoster } from '../../lti/services/index.js';
import { methodNotAllowed } from '../errors.js';
import { requireAdminToken } from './lti-admin.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `POST /admin/api/courses/:id/roster-sync`: reads a course's roster through NRPS now and answers the counts. */
export function ltiServicesRoutes(ctx: AppContext, options: { client?: ServiceClient } = {}): Router {
  const router = Router();
  const client = options.client ?? createServiceClient(ctx);
  router
    .route('/admin/api/courses/:id/roster-sync')
    .post(requireAdminToken(ctx), async (req, res) => {
      const id = String(req.params.id);
      if (!uuid.test(id)) throw new AppError('ERR_NOT_FOUND', `No course ${id}`);
      const roster = await syncRoster(ctx, client, id);
      req.log?.info({ courseId: id, ...roster }, 'roster synced through NRPS');
      res.set('Cache-Control', 'no-store').json({ roster });
    })
    .all(methodNotAllowed(['POST']));
  return router;
}
