import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';

/**
 * Security headers. Laurel is framed by LMSs, so `frame-ancestors` lists them (FRAME_ANCESTORS) and
 * X-Frame-Options is off (it cannot express a list); everything else is helmet's strict default.
 */
export function securityHeaders(config: Pick<Config, 'frameAncestors' | 'publicUrl'>): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'form-action': ["'self'", 'https:', 'http:'],
        'frame-ancestors': [...config.frameAncestors],
        'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    frameguard: false,
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.publicUrl.startsWith('https:'),
  });
}
