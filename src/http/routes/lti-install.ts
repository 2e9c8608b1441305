import { type Request, type Response, Router } from 'express';
import type { AppContext } from '../../context.js';
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

  router
    .route('/lti/register')
    .get(async (req, res) => {
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
