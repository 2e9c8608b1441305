import { type Request, type Response, Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import {
  type DocumentKey,
  type DocumentKind,
  deleteDocuments,
  findDocument,
  listDocumentIds,
  recentActivityObjects,
  saveDocument,
} from '../../store/documents.js';
import { transaction } from '../../store/index.js';
import {
  type Activity,
  type Actor,
  checkPreconditions,
  documentEtag,
  ifiKey,
  isIri,
  isJsonType,
  isUuid,
  mergeActivityDefinitions,
  mergeJsonDocuments,
  parseTimestamp,
  readActor,
} from '../../xapi/index.js';
import { methodNotAllowed } from '../errors.js';
import { requireRead, requireWrite, xapiRequest } from './xapi.js';

interface DocumentResource {
  kind: DocumentKind;
  path: string;
  idParam: 'stateId' | 'profileId';
  activity: boolean;
  agent: boolean;
  registration: boolean;
}

const resources: DocumentResource[] = [
  {
    kind: 'state',
    path: '/activities/state',
    idParam: 'stateId',
    activity: true,
    agent: true,
    registration: true,
  },
  {
    kind: 'activity_profile',
    path: '/activities/profile',
    idParam: 'profileId',
    activity: true,
    agent: false,
    registration: false,
  },
  {
    kind: 'agent_profile',
    path: '/agents/profile',
    idParam: 'profileId',
    activity: false,
    agent: true,
    registration: false,
  },
];

function invalid(path: string, rule: string): AppError {
  return new AppError('ERR_XAPI_INVALID_REQUEST', `${path}: ${rule}`, { details: { path, rule } });
}

function readAgentParam(value: string | undefined, name: string): Actor {
  if (value === undefined) throw invalid(name, 'is required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid(name, 'must be a JSON Agent');
  }
  return readActor(parsed, name);
}

/** Reads and checks the parameters that locate documents (Communication 2.3, 2.6, 2.7). */
function readKey(
  resource: DocumentResource,
  params: Record<string, string>,
  platformId: string,
  options: { idRequired: boolean; since: boolean },
): Omit<DocumentKey, 'documentId'> & { documentId?: string; since?: Date } {
  const allowed = new Set([resource.idParam, ...(options.since ? ['since'] : [])]);
  if (resource.activity) allowed.add('activityId');
  if (resource.agent) allowed.add('agent');
  if (resource.registration) allowed.add('registration');
  for (const name of Object.keys(params)) {
    if (!allowed.has(name)) throw invalid(name, 'is not a parameter of this request');
  }
  const key: Omit<DocumentKey, 'documentId'> & { documentId?: string; since?: Date } = {
    platformId,
    kind: resource.kind,
    activityId: '',
    agent: '',
    registration: '',
  };
  if (resource.activity) {
    const activityId = params.activityId;
    if (activityId === undefined) throw invalid('activityId', 'is required');
    if (!isIri(activityId)) throw invalid('activityId', 'must be an IRI');
    key.activityId = activityId;
  }
  if (resource.agent) {
    const ifi = ifiKey(readAgentParam(params.agent, 'agent'));
    if (!ifi) throw invalid('agent', 'must be an Agent with an IFI');
    key.agent = ifi;
  }
  if (resource.registration && params.registration !== undefined) {
    if (!isUuid(params.registration)) throw invalid('registration', 'must be a UUID');
    key.registration = params.registration.toLowerCase();
  }
  const id = params[resource.idParam];
  if (id !== undefined) key.documentId = id;
  else if (options.idRequired) throw invalid(resource.idParam, 'is required');
  if (params.since !== undefined) {
    if (id !== undefined) throw invalid('since', `cannot be used with ${resource.idParam}`);
    const ms = parseTimestamp(params.since);
    if (ms === undefined) throw invalid('since', 'must be an ISO 8601 timestamp with a timezone');
    key.since = new Date(ms);
  }
  return key;
}

/** The request body as bytes and, for JSON, the parsed value. */
function readBody(req: Request, res: Response): { content: Buffer; contentType: string; json?: unknown } {
  const x = xapiRequest(res);
  const alternate = (req as Request & { xapiAlternate?: unknown }).xapiAlternate !== undefined;
  const body = alternate ? x.body : req.body;
  const contentType = req.get('Content-Type') ?? 'application/octet-stream';
  if (Buffer.isBuffer(body)) {
    if (!isJsonType(contentType)) return { content: body, contentType };
  }
  if (body === undefined) return { content: Buffer.alloc(0), contentType };
  if (!alternate && /x-www-form-urlencoded/i.test(contentType) && typeof body === 'object') {
    // The form parser ran first; a document sent as a form is kept as the form's bytes, not as JSON.
    return {
      content: Buffer.from(new URLSearchParams(body as Record<string, string>).toString()),
      contentType,
    };
  }
  if (typeof body === 'string') return { content: Buffer.from(body), contentType };
  if (isJsonType(contentType) || typeof body === 'object') {
    return { content: Buffer.from(JSON.stringify(body)), contentType: 'application/json', json: body };
  }
  return { content: Buffer.from(String(body)), contentType };
}

function preconditions(req: Request) {
  return {
    ...(req.get('If-Match') !== undefined ? { ifMatch: req.get('If-Match')! } : {}),
    ...(req.get('If-None-Match') !== undefined ? { ifNoneMatch: req.get('If-None-Match')! } : {}),
  };
}

function documentRoutes(ctx: AppContext, resource: DocumentResource): Router {
  const router = Router();
  const platformOf = (res: Response) => xapiRequest(res).key.platformId;

  router.get(resource.path, async (_req, res) => {
    requireRead(res);
    const key = readKey(resource, xapiRequest(res).params, platformOf(res), {
      idRequired: false,
      since: true,
    });
    if (key.documentId === undefined) {
      res.json(await listDocumentIds(ctx.pool, key, key.since));
      return;
    }
    const doc = await findDocument(ctx.pool, { ...key, documentId: key.documentId });
    if (!doc) throw new AppError('ERR_NOT_FOUND', `${resource.idParam}: no such document`);
    res.setHeader('ETag', doc.etag);
    res.setHeader('Last-Modified', doc.updated.toUTCString());
    res.type(doc.contentType).send(doc.content);
  });

  const write = (merge: boolean) => async (req: Request, res: Response) => {
    requireWrite(res);
    const x = xapiRequest(res);
    const key = readKey(resource, x.params, platformOf(res), { idRequired: true, since: false });
    const full: DocumentKey = { ...key, documentId: key.documentId! };
    const body = readBody(req, res);
    if (merge && body.json === undefined)
      throw invalid('body', 'POST merges JSON objects; send application/json');
    // 1.0.3 exempts State from the If-Match rule; 2.0 (§4.1.4) applies it to every document resource.
    const requireOne = !merge && (resource.kind !== 'state' || x.version === '2.0.0');
    await transaction(ctx.pool, async (client) => {
      const current = await findDocument(client, full, true);
      const conditions = preconditions(req);
      checkPreconditions(conditions, current?.etag, requireOne);
      // 1.0.3 Communication 3.1 (and its suite): a profile PUT sends If-Match or If-None-Match, new or not.
      const bare = conditions.ifMatch === undefined && conditions.ifNoneMatch === undefined;
      if (requireOne && bare && resource.kind !== 'state' && x.version === '1.0.3') {
        throw new AppError(
          'ERR_XAPI_PRECONDITION_REQUIRED',
          'If-Match: a PUT to a profile must send If-Match or If-None-Match (xAPI 1.0.3 Communication 3.1)',
          { status: 400, details: { path: 'If-Match' } },
        );
      }
      let content = body.content;
      let contentType = body.contentType;
      if (merge && current) {
        content = mergeJsonDocuments(current.content, current.contentType, body.json);
        contentType = 'application/json';
      } else if (merge && (typeof body.json !== 'object' || body.json === null || Array.isArray(body.json))) {
        throw invalid('body', 'POST merges JSON objects; send a JSON object');
      }
      await saveDocument(client, full, {
        content,
        contentType,
        etag: documentEtag(content),
        updated: ctx.clock.now(),
      });
    });
    res.status(204).end();
  };
  router.put(resource.path, write(false));
  router.post(resource.path, write(true));

  router.delete(resource.path, async (req, res) => {
    requireWrite(res);
    const key = readKey(resource, xapiRequest(res).params, platformOf(res), {
      idRequired: resource.kind !== 'state',
      since: false,
    });
    await transaction(ctx.pool, async (client) => {
      if (key.documentId !== undefined) {
        const current = await findDocument(client, { ...key, documentId: key.documentId }, true);
        checkPreconditions(preconditions(req), current?.etag, false);
      }
      await deleteDocuments(client, key);
    });
    res.status(204).end();
  });
  router.all(resource.path, methodNotAllowed(['GET', 'PUT', 'POST', 'DELETE']));
  return router;
}

/** State, Activity Profile and Agent Profile documents; /activities and /agents. */
export function documentResourceRoutes(ctx: AppContext): Router {
  const router = Router();
  for (const resource of resources) router.use(documentRoutes(ctx, resource));

  router.get('/activities', async (_req, res) => {
    requireRead(res);
    const params = xapiRequest(res).params;
    for (const name of Object.keys(params))
      if (name !== 'activityId') throw invalid(name, 'is not a parameter');
    const activityId = params.activityId;
    if (activityId === undefined) throw invalid('activityId', 'is required');
    if (!isIri(activityId)) throw invalid('activityId', 'must be an IRI');
    const objects = await recentActivityObjects(ctx.pool, xapiRequest(res).key.platformId, activityId);
    res.json(mergeActivityDefinitions(activityId, objects as Activity[]));
  });
  router.all('/activities', methodNotAllowed(['GET']));

  // The Person object of an Agent (Communication 2.4): Laurel knows the agent only as given.
  router.get('/agents', (_req, res) => {
    requireRead(res);
    const params = xapiRequest(res).params;
    for (const name of Object.keys(params)) if (name !== 'agent') throw invalid(name, 'is not a parameter');
    const agent = readAgentParam(params.agent, 'agent');
    if (agent.objectType === 'Group') throw invalid('agent', 'must be an Agent, not a Group');
    const person: Record<string, unknown[]> = {};
    if (agent.name !== undefined) person.name = [agent.name];
    for (const ifi of ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const) {
      if (agent[ifi] !== undefined) person[ifi] = [agent[ifi]];
    }
    res.json({ objectType: 'Person', ...person });
  });
  router.all('/agents', methodNotAllowed(['GET']));
  return router;
}
