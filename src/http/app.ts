import express, { type Express } from 'express';
import type { AppContext } from '../context.js';
import { errorHandler, notFound } from './errors.js';
import { requestContext } from './request-id.js';
import { badgeRoutes } from './routes/badges.js';
import { courseBadgeRoutes } from './routes/course-badges.js';
import { credentialRoutes } from './routes/credentials.js';
import { credentialDownloadRoutes } from './routes/credentials-downloads.js';
import { healthRoutes } from './routes/health.js';
import { ltiRoutes } from './routes/lti.js';
import { ltiAdminRoutes } from './routes/lti-admin.js';
import { ltiInstallRoutes } from './routes/lti-install.js';
import { ltiServicesRoutes } from './routes/lti-services.js';
import { sandboxHandle, sandboxJwksCache, sandboxRoutes } from './routes/sandbox.js';
import { uiRoutes } from './routes/ui.js';
import { xapiEdgeHeaders, xapiRoutes } from './routes/xapi.js';
import { securityHeaders } from './security.js';

/** Builds the express app: request context, security headers, JSON bodies, each domain's routes, errors. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.set('query parser', 'simple');
  app.use(requestContext(ctx.logger, ctx.newId));
  app.use(securityHeaders(ctx.config));
  app.use('/xapi', xapiEdgeHeaders(ctx));
  app.use(
    express.json({ limit: ctx.config.bodyLimitBytes, type: ['application/json', 'application/*+json'] }),
  );
  app.use(express.urlencoded({ extended: false, limit: ctx.config.bodyLimitBytes }));

  const sandbox = sandboxHandle(ctx);
  app.use(healthRoutes(ctx));
  app.use(uiRoutes());
  app.use(ltiInstallRoutes(ctx));
  app.use(ltiAdminRoutes(ctx));
  app.use(ltiRoutes(ctx, sandbox ? { jwks: sandboxJwksCache(ctx, sandbox) } : {}));
  app.use(ltiServicesRoutes(ctx));
  app.use(xapiRoutes(ctx));
  app.use(credentialRoutes(ctx));
  app.use(badgeRoutes(ctx));
  app.use(credentialDownloadRoutes(ctx));
  app.use(courseBadgeRoutes(ctx));
  app.use(sandboxRoutes(ctx, sandbox));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
