import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import type { RoleKind } from '../lti/roles.js';
import { type ActiveSession, loadSession, sessionField, sessionHeader } from '../lti/session.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by requireSession: the launch session of this request. */
      ltiSession?: ActiveSession;
    }
  }
}

export interface RequireSessionOptions {
  /** The session must have one of these kinds (instructor, learner, admin); any launch when absent. */
  roles?: readonly RoleKind[];
}

/**
 * Middleware for pages and APIs used after a launch: reads the session token from the X-Laurel-Session header
 * (scripts) or the `laurel_session` form field (forms), never from the URL or a cookie, and sets `req.ltiSession`.
 * @throws AppError ERR_LTI_SESSION_INVALID (401), ERR_LTI_ROLE_FORBIDDEN (403) through next().
 */
export function requireSession(
  ctx: Pick<AppContext, 'pool' | 'clock'>,
  options: RequireSessionOptions = {},
): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers[sessionHeader];
    const field = (req.body as Record<string, unknown> | undefined)?.[sessionField];
    const token = typeof header === 'string' ? header : typeof field === 'string' ? field : undefined;
    try {
      req.ltiSession = await loadSession(ctx, token, options.roles);
      next();
    } catch (error) {
      next(error);
    }
  };
}
