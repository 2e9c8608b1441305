import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { registerWithPlatform } from '../../lti/dynamic-registration.js';
import { publicJwks } from '../../lti/keys.js';
import { defaultKeyPolicy } from '../../lti/keys-policy.js';
import { canvasConfiguration, loadManifest, type Manifest } from '../../lti/manifest.js';
import {
  registrationCloseScriptPath,
  registrationDonePage,
  registrationErrorPage,
} from '../../ui/install/pages.js';
import { laurelIconSvg, registrationCloseScript } from '../../ui/install/scripts.js';
import { methodNotAllowed, normalizeError, sendError } from '../errors.js';

/** Registrations one client address may start per minute: each makes two outbound requests. */
export const registrationsPerMinute = 10;

/** A fixed one-minute window per client address, on the injected clock. */
function registrationLimiter(ctx: AppContext): RequestHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    const now = ctx.clock.now().getTime();
    const key = req.ip ?? 'unknown';
    let window = windows.get(key);
    if (!window || now - window.start >= 60_000) {
      if (windows.size > 10_000) windows.clear();
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > registrationsPerMinute) {
      res.set('Retry-After', String(Math.ceil((window.start + 60_000 - now) / 1000)));
      sendRegistrationError(
        req,
        res,
        new AppError('ERR_RATE_LIMITED', 'Too many registrations from this address; try again in a minute'),
      );
      return;
    }
    next();
  };
}

/**
 * Installing Laurel in a platform: the tool JWKS, the Canvas JSON configuration, LTI Dynamic Registration,
 * and the files their pages load.
 */
export function ltiInstallRoutes(ctx: AppContext, options: { manifest?: Manifest } = {}): Router {
  const router = Router();
  const manifest = async () => options.manifest ?? (await loadManifest());

  router
    .route('/.well-known/jwks.json')
    .get(async (_req, res) => {
      const jwks = await publicJwks(ctx);
      res.set('Cache-Control', `public, max-age=${defaultKeyPolicy.jwksMaxAgeSeconds}`).json(jwks);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/lti/canvas.json')
    .get(async (_req, res) => {
      res.set('Cache-Control', 'no-cache').json(canvasConfiguration(await manifest(), ctx.config.publicUrl));
    })
    .all(methodNotAllowed(['GET']));

  const limit = registrationLimiter(ctx);
  router
    .route('/lti/register')
    .get(limit, async (req, res) => {
      res.set('Cache-Control', 'no-store');
      try {
        const result = await registerWithPlatform(
          ctx,
          await manifest(),
          req.query as Record<string, unknown>,
        );
        req.log?.info(
          { platformId: result.platform.id, issuer: result.platform.issuer, created: result.created },
          'platform registered by Dynamic Registration',
        );
        if (wantsJson(req)) {
          res.json({
            platformId: result.platform.id,
            issuer: result.platform.issuer,
            clientId: result.platform.clientId,
            deploymentId: result.deploymentId ?? null,
          });
          return;
        }
        res.type('html').send(
          registrationDonePage({
            platformName: result.platform.name,
            clientId: result.platform.clientId,
            ...(result.deploymentId ? { deploymentId: result.deploymentId } : {}),
          }),
        );
      } catch (error) {
        sendRegistrationError(req, res, error);
      }
    })
    .all(methodNotAllowed(['GET']));

  router.get(registrationCloseScriptPath, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(registrationCloseScript);
  });
  router.get('/assets/laurel-icon.svg', (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=86400').send(laurelIconSvg);
  });
  return router;
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

/** The administrator's browser gets a page it can read (and close); API clients the JSON error shape. */
function sendRegistrationError(req: Request, res: Response, error: unknown): void {
  const appError = normalizeError(error);
  if (appError.status >= 500) req.log?.error({ err: error, code: appError.code }, appError.message);
  else req.log?.info({ code: appError.code }, appError.message);
  if (wantsJson(req)) {
    sendError(req, res, appError);
    return;
  }
  res
    .status(appError.status)
    .type('html')
    .send(
      registrationErrorPage({
        code: appError.code,
        message: appError.expose ? appError.message : 'Internal server error',
        requestId: req.id,
      }),
    );
}
