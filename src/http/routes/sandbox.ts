import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { families } from '../../lti/emulator/index.js';
import { createSandbox, type Sandbox } from '../../lti/emulator/sandbox.js';
import { sandboxPlatformPath } from '../../lti/emulator/sandbox-path.js';
import { PlatformJwksCache } from '../../lti/platform-jwks.js';
import { sandboxPage } from '../../ui/sandbox/page.js';
import { methodNotAllowed } from '../errors.js';
import { platformJwksCache } from './lti.js';

/** The sandbox of one app, created at its first use (its platform key takes a moment to generate). */
export interface SandboxHandle {
  get(): Promise<Sandbox>;
  /** The sandbox platform's JWKS URL, as registered in Laurel. */
  jwksUrl: string;
}

/** The app's sandbox when the SANDBOX setting turns it on. */
export function sandboxHandle(ctx: AppContext): SandboxHandle | undefined {
  if (!ctx.config.sandbox) return undefined;
  let created: Promise<Sandbox> | undefined;
  return {
    jwksUrl: `${ctx.config.publicUrl}${sandboxPlatformPath}${families.moodle.paths.jwks}`,
    get() {
      created ??= createSandbox(ctx).catch((error: unknown) => {
        created = undefined;
        throw error;
      });
      return created;
    },
  };
}

/**
 * The platforms' JWKS cache, answering the sandbox platform's JWKS in-process: fetching it would mean Laurel
 * calling its own loopback address, which the SSRF guard refuses unless OUTBOUND_ALLOW_PRIVATE. Every other
 * platform's JWKS goes through the guarded cache as usual.
 */
export function sandboxJwksCache(ctx: AppContext, sandbox: SandboxHandle): PlatformJwksCache {
  const others = platformJwksCache(ctx);
  class SandboxAwareJwksCache extends PlatformJwksCache {
    override key(jwksUrl: string, kid: string) {
      return jwksUrl === sandbox.jwksUrl ? super.key(jwksUrl, kid) : others.key(jwksUrl, kid);
    }
    override forget(jwksUrl: string): void {
      super.forget(jwksUrl);
      others.forget(jwksUrl);
    }
  }
  return new SandboxAwareJwksCache({
    clock: ctx.clock,
    fetchJwks: async () => (await sandbox.get()).platform.jwks(),
  });
}

/**
 * `/sandbox` (SANDBOX setting): an emulated Moodle inside Laurel, registered as a platform, whose demo course
 * launches Laurel as instructor or learner; the platform itself is served under `/sandbox/platform`.
 * Off: no route at all (404).
 */
export function sandboxRoutes(ctx: AppContext, sandbox = sandboxHandle(ctx)): Router {
  const router = Router();
  if (!sandbox) return router;
  router
    .route('/sandbox')
    .get(async (_req, res) => {
      const { registration } = await sandbox.get();
      res.type('html').send(sandboxPage({ platformName: registration.name }));
    })
    .all(methodNotAllowed(['GET']));
  router
    .route('/sandbox/launch/:role')
    .get(async (req, res) => {
      const role = String(req.params.role);
      if (role !== 'instructor' && role !== 'learner') {
        throw new AppError('ERR_NOT_FOUND', 'Launch as instructor or learner');
      }
      res.set('Cache-Control', 'no-store').redirect(303, (await sandbox.get()).launchUrl(role));
    })
    .all(methodNotAllowed(['GET']));
  router.use(sandboxPlatformPath, async (req, res, next) => {
    (await sandbox.get()).router(req, res, next);
  });
  return router;
}
