import { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { signDeepLinkingResponse } from '../../lti/deep-linking.js';
import { launch, loginCookieName, parseLaunchForm, storageKey } from '../../lti/launch.js';
import { launchPath, loginStateTtlMs, parseLoginParams, startLogin } from '../../lti/login.js';
import type { LaunchMessage } from '../../lti/message.js';
import { PlatformJwksCache } from '../../lti/platform-jwks.js';
import { guardedFetch, outboundPolicy, parseJsonObject } from '../../net/guarded-fetch.js';
import type { Platform } from '../../store/platforms.js';
import {
  autoPostPage,
  errorPage,
  landingPage,
  loginStoragePage,
  storageCheckPage,
} from '../../ui/lti/pages.js';
import { ltiAssetsPath, ltiScripts } from '../../ui/lti/scripts.js';
import { methodNotAllowed, normalizeError } from '../errors.js';
import { courseBadgesHtml, roleLabel } from './course-badges.js';

export interface LtiRoutesOptions {
  /** The platforms' JWKS cache; one per app by default (fetched through the SSRF guard). */
  jwks?: PlatformJwksCache;
}

/** The platforms' JWKS cache over the guarded outbound fetch. */
export function platformJwksCache(ctx: Pick<AppContext, 'clock' | 'config'>): PlatformJwksCache {
  const policy = outboundPolicy(ctx.config, { maxBytes: 256 * 1024, timeoutMs: 5000 });
  return new PlatformJwksCache({
    clock: ctx.clock,
    fetchJwks: async (url) => {
      const res = await guardedFetch(url, { headers: { accept: 'application/json' } }, policy);
      const body = res.status === 200 ? parseJsonObject(res.body) : undefined;
      if (!body)
        throw new AppError(
          'ERR_LTI_JWKS_UNAVAILABLE',
          `The platform's JWKS answered ${res.status}, not a JWK Set`,
        );
      return body;
    },
  });
}

function cookies(req: Request): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) jar.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return jar;
}

// Sent from inside the LMS's iframe: SameSite=None and Secure to travel cross-site, Partitioned (CHIPS) so browsers
// blocking third-party cookies still keep it for this LMS.
function loginCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=${launchPath}; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=None; Partitioned`;
}

function stringParams(source: unknown): Record<string, unknown> {
  return source !== null && typeof source === 'object' ? (source as Record<string, unknown>) : {};
}

/**
 * After a resource link launch: the course badges page for the session's course (instructor or learner view), or,
 * for a launch without a course, who and where.
 */
async function renderLanding(
  ctx: AppContext,
  res: Response,
  platform: Platform,
  message: LaunchMessage,
  session: { token: string; userId: string; courseId: string | null },
): Promise<void> {
  const { view, label } = roleLabel(message.roles);
  const name =
    message.name ?? ([message.givenName, message.familyName].filter(Boolean).join(' ') || message.email);
  const header = {
    sessionToken: session.token,
    userName: name || undefined,
    platformName: platform.name || new URL(platform.issuer).host,
  };
  if (message.context && session.courseId) {
    const courseTitle = message.context.title ?? message.context.label ?? message.context.id;
    res.type('html').send(
      await courseBadgesHtml(ctx, {
        platformId: platform.id,
        courseId: session.courseId,
        userId: session.userId,
        roles: message.roles,
        header: { ...header, courseTitle },
      }),
    );
    return;
  }
  res.type('html').send(landingPage({ ...header, view, roleLabel: label, courseTitle: undefined }));
}

const pagePaths = new Set(['/lti/login', launchPath]);

/**
 * Browsers get an HTML page, API clients (Accept: JSON) the JSON error shape from the app's handler. Only for the
 * login and launch pages: errors of other routes pass through this router untouched.
 */
const ltiErrorPage: ErrorRequestHandler = (error, req, res, next) => {
  if (!pagePaths.has(req.path) || res.headersSent || req.accepts(['json', 'html']) !== 'html') {
    return next(error);
  }
  const appError = normalizeError(error);
  if (appError.status >= 500) req.log?.error({ err: error, code: appError.code }, appError.message);
  else req.log?.info({ code: appError.code }, appError.message);
  res
    .status(appError.status)
    .type('html')
    .send(
      errorPage({
        status: appError.status,
        code: appError.code,
        message: appError.expose ? appError.message : 'Internal server error',
        requestId: req.id,
      }),
    );
};

/**
 * LTI 1.3 login and launch: `GET|POST /lti/login` (OIDC third-party initiated login), `POST /lti/launch`
 * (id_token form_post; resource link landing or Deep Linking response), and the pages' scripts.
 */
export function ltiRoutes(ctx: AppContext, options: LtiRoutesOptions = {}): Router {
  const router = Router();
  const jwks = options.jwks ?? platformJwksCache(ctx);

  const login = async (req: Request, res: Response) => {
    const params = parseLoginParams(stringParams(req.method === 'POST' ? req.body : req.query));
    const started = await startLogin(ctx, params);
    res.set('Cache-Control', 'no-store');
    res.append(
      'Set-Cookie',
      loginCookie(loginCookieName(started.state), started.browserBinding, loginStateTtlMs / 1000),
    );
    if (!started.storageTarget) return res.redirect(302, started.redirectUrl);
    res.type('html').send(
      loginStoragePage({
        next: started.redirectUrl,
        storageTarget: started.storageTarget,
        platformOrigin: started.platformOrigin,
        storageKey: storageKey(started.state),
        storageValue: started.browserBinding,
      }),
    );
  };
  router
    .route('/lti/login')
    .get(login)
    .post(login)
    .all(methodNotAllowed(['GET', 'POST']));

  router
    .route(launchPath)
    .post(async (req, res) => {
      const form = parseLaunchForm(stringParams(req.body));
      const cookieName = loginCookieName(form.state);
      const outcome = await launch(ctx, { jwks }, form, cookies(req).get(cookieName));
      res.set('Cache-Control', 'no-store');
      if (outcome.kind === 'check-storage') {
        res.type('html').send(
          storageCheckPage({
            action: ctx.config.publicUrl + launchPath,
            idToken: form.id_token,
            state: form.state,
            storageTarget: outcome.storageTarget,
            platformOrigin: outcome.platformOrigin,
            storageKey: outcome.storageKey,
          }),
        );
        return;
      }
      res.append('Set-Cookie', loginCookie(cookieName, '', 0));
      const { platform, message, session } = outcome;
      if (message.messageType === 'LtiDeepLinkingRequest') {
        const jwt = await signDeepLinkingResponse(ctx, {
          platform,
          message,
          publicUrl: ctx.config.publicUrl,
        });
        res.type('html').send(autoPostPage('Adding Laurel…', message.deepLinking!.returnUrl, { JWT: jwt }));
        return;
      }
      await renderLanding(ctx, res, platform, message, session);
    })
    .all(methodNotAllowed(['POST']));

  router.get(`${ltiAssetsPath}/:name`, (req, res, next) => {
    const source = ltiScripts[req.params.name];
    if (source === undefined) return next();
    res.set('Cache-Control', 'public, max-age=3600').type('text/javascript').send(source);
  });

  router.use(ltiErrorPage);
  return router;
}
