import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { pendingMigrations } from '../../store/index.js';
import { methodNotAllowed } from '../errors.js';

/** `/healthz`: the process is alive. `/readyz`: the database answers and every migration is applied. */
export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed(['GET']));
  router
    .route('/readyz')
    .get(async (_req, res) => {
      let pending: string[];
      try {
        pending = await pendingMigrations(ctx.pool, [...ctx.migrations]);
      } catch (error) {
        throw new AppError('ERR_DB_UNAVAILABLE', 'The database is unavailable', { cause: error });
      }
      if (pending.length > 0) {
        throw new AppError('ERR_DB_UNAVAILABLE', `Migrations not applied: ${pending.join(', ')}`, {
          details: { pending },
        });
      }
      const { rows } = await ctx.pool.query<{ id: string }>('SELECT id FROM instance');
      res.json({ status: 'ready', instance: rows[0]?.id ?? null });
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
