import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { agsScope, mediaType, nrpsScope } from '../services/scopes.js';
import { type PlatformServices, ServiceError } from './services.js';

type Handler = (req: Request, res: Response) => void | Promise<void>;

function sendServiceError(res: Response, error: unknown): void {
  if (!(error instanceof ServiceError)) throw error;
  if (error.status === 401) res.set('WWW-Authenticate', `Bearer error="${error.error}"`);
  if (error.status === 403) res.set('WWW-Authenticate', `Bearer error="${error.error}"`);
  res.status(error.status).json({ error: error.error, error_description: error.description });
}

function requireType(req: Request, type: string): void {
  if (!req.is(type)) throw new ServiceError(415, 'invalid_request', `Content-Type must be ${type}`);
}

function body(req: Request): Record<string, unknown> {
  const value: unknown = req.body;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ServiceError(400, 'invalid_request', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * One page of `items` for the request, with the `Link` header a platform sends (AGS 2.0 §3.2.4, NRPS 2.0
 * §3.6.3): Moodle-like platforms send only `next`; Canvas-like ones `current`, `next`, `first` and `last`.
 */
function pageOf<T>(services: PlatformServices, req: Request, res: Response, items: readonly T[]): T[] {
  const limit = Math.min(Number.parseInt(text(req.query.limit) ?? '', 10) || services.pageSize, 100);
  const page = Math.max(Number.parseInt(text(req.query.page) ?? '', 10) || 1, 1);
  const url = new URL(req.originalUrl, services.platform.baseUrl);
  const linkTo = (n: number) => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    target.searchParams.set('limit', String(limit));
    return target.href;
  };
  const last = Math.max(Math.ceil(items.length / limit), 1);
  const links: string[] = [];
  if (services.platform.family === 'canvas') links.push(`<${linkTo(page)}>; rel="current"`);
  if (page < last) links.push(`<${linkTo(page + 1)}>; rel="next"`);
  if (services.platform.family === 'canvas') {
    links.push(`<${linkTo(1)}>; rel="first"`, `<${linkTo(last)}>; rel="last"`);
  }
  if (links.length > 0) res.set('Link', links.join(', '));
  return items.slice((page - 1) * limit, page * limit);
}

/**
 * The HTTP face of an emulated platform's services, mounted at the path of `platform.baseUrl` beside
 * `platformRouter`: token endpoint, AGS line items / scores / results, NRPS memberships, in the family's URL shape.
 */
export function servicesRouter(services: PlatformServices): Router {
  const router = Router();
  const { platform } = services;
  const json = express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] });
  const recorded = (handler: Handler) => async (req: Request, res: Response, _next: NextFunction) => {
    services.requests.push({ method: req.method, path: req.path, userAgent: req.headers['user-agent'] });
    // The sandbox runs for days: keep the latest calls only.
    if (services.requests.length > 1000) services.requests.splice(0, services.requests.length - 1000);
    try {
      await handler(req, res);
    } catch (error) {
      sendServiceError(res, error);
    }
  };
  const authorized = (anyOf: readonly string[], handler: Handler) =>
    recorded((req, res) => {
      services.authorize(req.headers.authorization, anyOf);
      if (platform.family === 'moodle' && req.query.type_id !== '1') {
        throw new ServiceError(400, 'invalid_request', 'type_id is required');
      }
      return handler(req, res);
    });

  router.post(
    platform.profile.paths.token,
    express.urlencoded({ extended: false, limit: '64kb' }),
    recorded(async (req, res) => {
      requireType(req, 'application/x-www-form-urlencoded');
      const form = Object.fromEntries(
        Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, text(v)]),
      );
      res.set('Cache-Control', 'no-store').json(await services.issueToken(form));
    }),
  );

  const read = [agsScope.lineItem, agsScope.lineItemReadonly];
  const ctxId = (req: Request) => String(req.params.contextId);
  const itemId = (req: Request) => String(req.params.itemId);
  const listLineItems: Handler = (req, res) => {
    const course = services.course(ctxId(req));
    const items = course.lineItems.filter(
      (item) =>
        (req.query.resource_link_id === undefined || item.resourceLinkId === req.query.resource_link_id) &&
        (req.query.resource_id === undefined || item.resourceId === req.query.resource_id) &&
        (req.query.tag === undefined || item.tag === req.query.tag),
    );
    const page = pageOf(services, req, res, items);
    res.type(mediaType.lineItemContainer).send(page.map((item) => services.lineItemJson(ctxId(req), item)));
  };
  const createLineItem: Handler = (req, res) => {
    requireType(req, mediaType.lineItem);
    const item = services.createLineItem(ctxId(req), body(req));
    res
      .status(platform.family === 'moodle' ? 201 : 200)
      .type(mediaType.lineItem)
      .send(services.lineItemJson(ctxId(req), item));
  };
  const getLineItem: Handler = (req, res) => {
    const item = services.lineItem(ctxId(req), itemId(req));
    res.type(mediaType.lineItem).send(services.lineItemJson(ctxId(req), item));
  };
  const postScore: Handler = (req, res) => {
    requireType(req, mediaType.score);
    const score = services.postScore(ctxId(req), itemId(req), body(req));
    if (platform.family === 'moodle') {
      res.status(200).end();
      return;
    }
    const result = new URL(services.lineItemSubUrl(ctxId(req), Number(itemId(req)), 'results'));
    result.pathname += `/${encodeURIComponent(score.userId)}`;
    res.json({ resultUrl: result.href });
  };
  const listResults: Handler = (req, res) => {
    const item = services.lineItem(ctxId(req), itemId(req));
    const all = services
      .results(ctxId(req), item)
      .filter((result) => req.query.user_id === undefined || result.userId === req.query.user_id);
    res.type(mediaType.resultContainer).send(pageOf(services, req, res, all));
  };
  const memberships: Handler = (req, res) => {
    const course = services.course(ctxId(req));
    const role = text(req.query.role);
    const members = course.members.filter(
      (member) => role === undefined || member.roles.some((r) => r === role || r.endsWith(`#${role}`)),
    );
    const page = pageOf(services, req, res, members);
    if (platform.family === 'canvas') {
      // NRPS 2.0 §3.6.4: where to ask for the changes since this read.
      const since = new URL(services.membershipsUrl(ctxId(req)));
      since.searchParams.set('since', platform.clock.now().toISOString());
      res.append('Link', `<${since.href}>; rel="differences"`);
    }
    res.type(mediaType.membershipContainer).send({
      ...services.membershipContext(ctxId(req)),
      members: page.map((member) => services.memberJson(member)),
    });
  };

  const item =
    platform.family === 'moodle'
      ? '/mod/lti/services.php/:contextId/lineitems/:itemId/lineitem'
      : '/api/lti/courses/:contextId/line_items/:itemId';
  const items =
    platform.family === 'moodle'
      ? '/mod/lti/services.php/:contextId/lineitems'
      : '/api/lti/courses/:contextId/line_items';
  const membershipsPath =
    platform.family === 'moodle'
      ? '/mod/lti/services.php/CourseSection/:contextId/bindings/:typeId/memberships'
      : '/api/lti/courses/:contextId/names_and_roles';

  router.get(items, authorized(read, listLineItems));
  router.post(items, json, authorized([agsScope.lineItem], createLineItem));
  router.get(item, authorized(read, getLineItem));
  router.post(`${item}/scores`, json, authorized([agsScope.score], postScore));
  router.get(`${item}/results`, authorized([agsScope.resultReadonly], listResults));
  router.get(
    membershipsPath,
    recorded((req, res) => {
      services.authorize(req.headers.authorization, [nrpsScope.contextMembershipReadonly]);
      return memberships(req, res);
    }),
  );
  return router;
}
