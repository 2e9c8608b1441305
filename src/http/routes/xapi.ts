import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { findLrsKey, type LrsKey } from '../../store/lrs-keys.js';
import type { ReadScope } from '../../store/statements.js';
import { parseBasicAuth, parseVersion, secretMatches, type XapiVersion } from '../../xapi/index.js';
import { methodNotAllowed } from '../errors.js';
import { documentResourceRoutes } from './xapi-documents.js';
import { lrsKeyRoutes } from './xapi-keys.js';
import { statementRoutes } from './xapi-statements.js';

/** What the xAPI middlewares work out for a request; handlers read it with `xapiRequest(res)`. */
export interface XapiRequest {
  version: XapiVersion;
  /** Query parameters, or the form fields of an alternate-syntax request. */
  params: Record<string, string>;
  /** The body: parsed JSON, or the `content` form field of an alternate-syntax request. */
  body: unknown;
  key: LrsKey;
}

export function xapiRequest(res: Response): XapiRequest {
  return res.locals.xapi as XapiRequest;
}

const exposedHeaders =
  'ETag, Last-Modified, Content-Type, X-Experience-API-Version, X-Experience-API-Consistent-Through';
const allowedHeaders =
  'Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, Accept-Language, X-Requested-With';

/** CORS for content hosted on other origins (cmi5 and SCORM packages call the LRS from the browser). */
const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', exposedHeaders);
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, PUT, POST, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', allowedHeaders);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
};

/** Communication 3.3: every response carries X-Experience-API-Version; requests must send a supported one. */
function version(defaultVersion: XapiVersion): RequestHandler {
  return (req, res, next) => {
    res.setHeader('X-Experience-API-Version', defaultVersion);
    const header = req.get('X-Experience-API-Version');
    const parsed = header === undefined ? undefined : parseVersion(header.trim());
    if (parsed) res.setHeader('X-Experience-API-Version', parsed);
    if (req.path === '/about') {
      next();
      return;
    }
    if (!parsed) {
      throw new AppError(
        'ERR_XAPI_VERSION',
        header === undefined
          ? 'X-Experience-API-Version: the header is required'
          : `X-Experience-API-Version: "${header}" is not supported (1.0.x, 2.0.x)`,
        { details: { path: 'X-Experience-API-Version' } },
      );
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
      if (typeof value !== 'string') {
        throw new AppError('ERR_XAPI_INVALID_REQUEST', `${name}: the parameter is given more than once`, {
          details: { path: name },
        });
      }
      params[name] = value;
    }
    res.locals.xapi = { version: parsed, params, body: req.body };
    next();
  };
}

const formHeaders = [
  'authorization',
  'x-experience-api-version',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
];
const alternateMethods = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);

/**
 * The alternate request syntax (1.0.3 Communication 1.3): POST ?method=PUT with a form body carrying the
 * headers, the parameters and `content`. Turns it back into the request it stands for, before auth.
 */
const alternateSyntax: RequestHandler = (req, _res, next) => {
  const query = req.query as Record<string, unknown>;
  if (req.method !== 'POST' || query.method === undefined) {
    next();
    return;
  }
  const method = String(query.method).toUpperCase();
  const fail = (message: string, path: string) =>
    new AppError('ERR_XAPI_INVALID_REQUEST', message, { details: { path } });
  if (!alternateMethods.has(method)) throw fail(`method: "${query.method}" is not an xAPI method`, 'method');
  if (Object.keys(query).length > 1) throw fail('alternate syntax: parameters go in the form body', 'method');
  if (!req.is('application/x-www-form-urlencoded')) {
    throw fail('alternate syntax: the body must be application/x-www-form-urlencoded', 'Content-Type');
  }
  const form = { ...((req.body ?? {}) as Record<string, string>) };
  const params: Record<string, string> = {};
  let content: string | undefined;
  for (const [name, value] of Object.entries(form)) {
    if (typeof value !== 'string') throw fail(`${name}: the form field is given more than once`, name);
    const lower = name.toLowerCase();
    if (formHeaders.includes(lower)) req.headers[lower] = value;
    else if (name === 'content') content = value;
    else params[name] = value;
  }
  // xAPI 2.0 drops the alternate request syntax (§4.1.1): a 2.0 client must send real requests.
  if (parseVersion(String(req.headers['x-experience-api-version'] ?? '').trim()) === '2.0.0') {
    throw fail('method: the alternate request syntax is not part of xAPI 2.0', 'method');
  }
  req.method = method;
  // The form's Content-Type is the content's; without one, the content is JSON (Communication 1.3).
  if (!Object.keys(form).some((name) => name.toLowerCase() === 'content-type')) {
    req.headers['content-type'] = 'application/json';
  }
  let body: unknown = content;
  if (content !== undefined && /json/i.test(req.headers['content-type'] ?? '')) {
    try {
      body = JSON.parse(content);
    } catch (error) {
      throw new AppError('ERR_BAD_JSON', 'content: not valid JSON', {
        cause: error,
        details: { path: 'content' },
      });
    }
  }
  req.headers['x-laurel-alternate'] = '1';
  (req as Request & { xapiAlternate?: { params: Record<string, string>; body: unknown } }).xapiAlternate = {
    params,
    body,
  };
  next();
};

/** After `version`: swaps in the alternate-syntax parameters and body. */
const alternateParams: RequestHandler = (req, res, next) => {
  const alternate = (req as Request & { xapiAlternate?: { params: Record<string, string>; body: unknown } })
    .xapiAlternate;
  if (alternate && res.locals.xapi) {
    res.locals.xapi.params = alternate.params;
    res.locals.xapi.body = alternate.body;
  }
  next();
};

function unauthenticated(res: Response, message: string): AppError {
  res.setHeader('WWW-Authenticate', 'Basic realm="Laurel LRS", charset="UTF-8"');
  return new AppError('ERR_UNAUTHENTICATED', message);
}

// Keys are looked up at most once per this many ms per process: a revoked key stops working within it.
const keyCacheMs = 5000;
const keyCacheSize = 1000;

/** Looks keys up with a short cache, so a busy content package does not cost a query per request. */
function keyLookup(ctx: AppContext): (key: string) => Promise<LrsKey | undefined> {
  const cache = new Map<string, { key: LrsKey | undefined; until: number }>();
  return async (name) => {
    const now = performance.now();
    const hit = cache.get(name);
    if (hit && hit.until > now) return hit.key;
    const key = await findLrsKey(ctx.pool, name);
    if (cache.size >= keyCacheSize) cache.clear();
    cache.set(name, { key, until: now + keyCacheMs });
    return key;
  };
}

/** HTTP Basic with an LRS key (Communication 4.1): 401 with WWW-Authenticate when missing or wrong. */
function authenticate(ctx: AppContext): RequestHandler {
  const lookup = keyLookup(ctx);
  return async (req, res, next) => {
    if (req.path === '/about') {
      next();
      return;
    }
    const credentials = parseBasicAuth(req.headers.authorization);
    if (!credentials)
      throw unauthenticated(res, 'Authorization: HTTP Basic credentials (an LRS key) are required');
    const key = await lookup(credentials.key);
    if (!key || key.revokedAt || !secretMatches(credentials.secret, key.secretSha256)) {
      throw unauthenticated(res, 'Authorization: unknown key, wrong secret or revoked key');
    }
    xapiRequest(res).key = key;
    next();
  };
}

/** 403 unless the key may write statements and documents. */
export function requireWrite(res: Response): LrsKey {
  const { key } = xapiRequest(res);
  if (!key.scopes.includes('statements/write')) {
    throw new AppError('ERR_FORBIDDEN', 'This LRS key may not write (scope statements/write)');
  }
  return key;
}

/** What the key may read: all of its platform (or course) with all/read, its own with statements/read/mine. */
export function requireRead(res: Response): ReadScope {
  const { key } = xapiRequest(res);
  if (key.scopes.includes('all/read'))
    return { platformId: key.platformId, courseId: key.courseId, onlyKey: null };
  if (key.scopes.includes('statements/read/mine')) {
    return { platformId: key.platformId, courseId: key.courseId, onlyKey: key.key };
  }
  throw new AppError('ERR_FORBIDDEN', 'This LRS key may not read (scope all/read or statements/read/mine)');
}

/** The LRS at /xapi (statements, documents, activities, agents, about) and the LRS key API. */
/**
 * Mounted before the body parsers: a body they refuse (413, bad JSON) is still an xAPI answer, with CORS and
 * the version header, so browser-hosted content can read the error.
 */
export function xapiEdgeHeaders(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    res.setHeader('X-Experience-API-Version', ctx.config.xapiDefaultVersion);
    cors(req, res, next);
  };
}

export function xapiRoutes(ctx: AppContext): Router {
  const api = Router();
  // Documents may be any media type: keep bodies the JSON and form parsers left alone as bytes.
  const raw = express.raw({
    limit: ctx.config.bodyLimitBytes,
    type: (req) => !(req.headers['content-type'] ?? '').match(/json|x-www-form-urlencoded/i),
  });
  api.use(
    cors,
    raw,
    alternateSyntax,
    version(ctx.config.xapiDefaultVersion),
    alternateParams,
    authenticate(ctx),
  );
  api.get('/about', (_req, res) => {
    res.json({ version: ['1.0.3', '2.0.0'], extensions: {} });
  });
  api.all('/about', methodNotAllowed(['GET']));
  api.use(statementRoutes(ctx));
  api.use(documentResourceRoutes(ctx));
  const router = Router();
  router.use('/xapi', api);
  router.use(lrsKeyRoutes(ctx));
  return router;
}
