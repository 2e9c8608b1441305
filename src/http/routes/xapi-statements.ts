import { randomUUID } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import {
  findAttachments,
  findStatement,
  queryStatements,
  type ReadScope,
  type StatementFilter,
} from '../../store/statements.js';
import {
  type AttachmentContent,
  acceptedLanguages,
  buildMultipart,
  consistencyMarginMs,
  formatStatement,
  ifiKey,
  isIri,
  isUuid,
  matchAttachments,
  parseTimestamp,
  readActor,
  readMore,
  readStatementMultipart,
  type Statement,
  type StatementFormat,
  type StoredStatement,
  signMore,
  storeStatements,
  validateStatement,
  validateStatements,
} from '../../xapi/index.js';
import { methodNotAllowed } from '../errors.js';
import { requireRead, requireWrite, xapiRequest } from './xapi.js';

const maxLimit = 500;
const noParams: ReadonlySet<string> = new Set();
const getParams = new Set([
  'statementId',
  'voidedStatementId',
  'agent',
  'verb',
  'activity',
  'registration',
  'related_activities',
  'related_agents',
  'since',
  'until',
  'limit',
  'format',
  'attachments',
  'ascending',
  'more',
]);

function invalid(path: string, rule: string): AppError {
  return new AppError('ERR_XAPI_INVALID_REQUEST', `${path}: ${rule}`, { details: { path, rule } });
}

function onlyParams(params: Record<string, string>, allowed: ReadonlySet<string>): void {
  for (const name of Object.keys(params)) {
    if (!allowed.has(name)) throw invalid(name, 'is not a parameter of this request');
  }
}

/**
 * The statements of a PUT/POST body with their attachment contents: JSON, or multipart/mixed with the
 * statements first and one part per attachment (Communication 1.5.2).
 */
async function readStatementsBody(
  req: Request,
  res: Response,
  single: boolean,
): Promise<{ statements: Statement[]; attachments: AttachmentContent[] }> {
  const x = xapiRequest(res);
  let body = x.body;
  let parts: Parameters<typeof matchAttachments>[1] = [];
  if (Buffer.isBuffer(body) && /^multipart\/mixed/i.test(req.get('Content-Type') ?? '')) {
    ({ json: body, parts } = readStatementMultipart(body, req.get('Content-Type')!));
  }
  requireBody(body);
  if (single && Array.isArray(body)) throw invalid('body', 'PUT takes one statement, not an array');
  const statements = single
    ? [validateStatement(body, { version: x.version })]
    : validateStatements(body, { version: x.version });
  const attachments = await matchAttachments(statements, parts);
  return { statements, attachments };
}

/** Who writes, from the key; `homePage` is the LRS's own (PUBLIC_URL/xapi/), worked out once per router. */
function writer(res: Response, homePage: string) {
  const key = requireWrite(res);
  return {
    platformId: key.platformId,
    courseId: key.courseId,
    lrsKey: key.key,
    // Communication 4.1: the LRS records who vouched for the statement; here, the key.
    authority: {
      objectType: 'Agent' as const,
      name: key.label || key.key,
      account: { homePage, name: key.key },
    },
  };
}

function requireBody(body: unknown): unknown {
  if (body === undefined || body === null || typeof body !== 'object' || Buffer.isBuffer(body)) {
    throw invalid('body', 'must be a JSON statement (Content-Type: application/json)');
  }
  return body;
}

/** PUT /xapi/statements?statementId=: stores one statement under that id; 204. */
function putStatement(ctx: AppContext) {
  const homePage = new URL('/xapi/', ctx.config.publicUrl).href;
  return async (req: Request, res: Response) => {
    const x = xapiRequest(res);
    const who = writer(res, homePage);
    onlyParams(x.params, new Set(['statementId']));
    const id = x.params.statementId;
    if (id === undefined) throw invalid('statementId', 'is required with PUT');
    if (!isUuid(id)) throw invalid('statementId', 'must be a UUID');
    const { statements, attachments } = await readStatementsBody(req, res, true);
    const statement = statements[0]!;
    if (statement.id !== undefined && statement.id.toLowerCase() !== id.toLowerCase()) {
      throw new AppError('ERR_XAPI_DUPLICATE_ID', 'id: differs from the statementId parameter', {
        details: { path: 'id' },
      });
    }
    statement.id = id;
    await storeStatements(ctx, who, [statement], x.version, attachments);
    res.status(204).end();
  };
}

/** POST /xapi/statements: one statement or an array; answers the ids in order. */
function postStatements(ctx: AppContext) {
  const homePage = new URL('/xapi/', ctx.config.publicUrl).href;
  return async (req: Request, res: Response) => {
    const x = xapiRequest(res);
    const who = writer(res, homePage);
    onlyParams(x.params, noParams);
    const { statements, attachments } = await readStatementsBody(req, res, false);
    const ids = await storeStatements(ctx, who, statements, x.version, attachments);
    res.status(200).json(ids);
  };
}

interface MoreState {
  k: string;
  q: Record<string, string>;
  a: { stored: string; seq: number };
}

function booleanParam(params: Record<string, string>, name: string): boolean {
  const value = params[name];
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw invalid(name, 'must be true or false');
  return value === 'true';
}

function timestampParam(params: Record<string, string>, name: string): Date | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const ms = parseTimestamp(value);
  if (ms === undefined) throw invalid(name, 'must be an ISO 8601 timestamp with a timezone');
  return new Date(ms);
}

/** Reads the query parameters of GET statements into a store filter (Communication 2.1.3). */
function readFilter(params: Record<string, string>): StatementFilter {
  const filter: StatementFilter = { limit: maxLimit };
  if (params.agent !== undefined) {
    let agent: unknown;
    try {
      agent = JSON.parse(params.agent);
    } catch {
      throw invalid('agent', 'must be a JSON Agent or identified Group');
    }
    const key = ifiKey(readActor(agent, 'agent'));
    if (!key) throw invalid('agent', 'an anonymous Group cannot be used as a filter');
    filter.agent = key;
  }
  if (params.verb !== undefined) {
    if (!isIri(params.verb)) throw invalid('verb', 'must be an IRI');
    filter.verb = params.verb;
  }
  if (params.activity !== undefined) {
    if (!isIri(params.activity)) throw invalid('activity', 'must be an IRI');
    filter.activity = params.activity;
  }
  if (params.registration !== undefined) {
    if (!isUuid(params.registration)) throw invalid('registration', 'must be a UUID');
    filter.registration = params.registration;
  }
  filter.relatedActivities = booleanParam(params, 'related_activities');
  filter.relatedAgents = booleanParam(params, 'related_agents');
  filter.ascending = booleanParam(params, 'ascending');
  const since = timestampParam(params, 'since');
  const until = timestampParam(params, 'until');
  if (since) filter.since = since;
  if (until) filter.until = until;
  if (params.limit !== undefined) {
    if (!/^\d{1,9}$/.test(params.limit)) throw invalid('limit', 'must be a non-negative integer');
    const limit = Number(params.limit);
    filter.limit = limit === 0 ? maxLimit : Math.min(limit, maxLimit);
  }
  return filter;
}

function readFormat(params: Record<string, string>): StatementFormat {
  const format = params.format ?? 'exact';
  if (format !== 'exact' && format !== 'ids' && format !== 'canonical') {
    throw invalid('format', 'must be ids, exact or canonical');
  }
  return format;
}

/** GET (and HEAD) /xapi/statements: one by statementId / voidedStatementId, or a filtered page with `more`. */
function getStatements(ctx: AppContext) {
  return async (req: { headers: Record<string, string | string[] | undefined> }, res: Response) => {
    const x = xapiRequest(res);
    const scope = requireRead(res);
    const now = ctx.clock.now();
    const through = new Date(now.getTime() - consistencyMarginMs);
    res.setHeader('X-Experience-API-Consistent-Through', through.toISOString());
    let params = x.params;
    onlyParams(params, getParams);
    let after: MoreState['a'] | undefined;
    if (params.more !== undefined) {
      const state = readMore<MoreState>(ctx.secret, params.more, now);
      if (state.k !== x.key.key) throw invalid('more', 'belongs to another LRS key');
      params = state.q;
      after = state.a;
    }
    const format = readFormat(params);
    const attachments = booleanParam(params, 'attachments');
    const languages = acceptedLanguages(req.headers['accept-language'] as string | undefined);
    const singleId = params.statementId ?? params.voidedStatementId;
    if (singleId !== undefined) {
      await getOne(ctx, res, scope, params, singleId, format, languages, attachments);
      return;
    }
    const filter = readFilter(params);
    if (after) filter.after = after;
    const page = await queryStatements(ctx.pool, scope, filter);
    const statements = page.statements.map((row) =>
      formatStatement(row.statement as StoredStatement, format, languages),
    );
    const more = page.next
      ? `/xapi/statements?more=${signMore(ctx.secret, { k: x.key.key, q: params, a: page.next } satisfies MoreState, now)}`
      : '';
    const newest = Math.max(0, ...page.statements.map((row) => row.stored.getTime()));
    res.setHeader('Last-Modified', new Date(newest || now.getTime()).toUTCString());
    await send(ctx, res, { statements, more }, attachments);
  };
}

async function getOne(
  ctx: AppContext,
  res: Response,
  scope: ReadScope,
  params: Record<string, string>,
  id: string,
  format: StatementFormat,
  languages: string[],
  attachments: boolean,
): Promise<void> {
  const name = params.statementId !== undefined ? 'statementId' : 'voidedStatementId';
  if (params.statementId !== undefined && params.voidedStatementId !== undefined) {
    throw invalid('statementId', 'cannot be used with voidedStatementId');
  }
  for (const other of Object.keys(params)) {
    if (other !== name && other !== 'format' && other !== 'attachments') {
      throw invalid(other, `cannot be used with ${name}`);
    }
  }
  if (!isUuid(id)) throw invalid(name, 'must be a UUID');
  const found = await findStatement(ctx.pool, scope, id, name === 'voidedStatementId');
  if (!found) throw new AppError('ERR_NOT_FOUND', `${name}: no such statement`, { details: { path: name } });
  res.setHeader('Last-Modified', found.stored.toUTCString());
  await send(ctx, res, formatStatement(found.statement as StoredStatement, format, languages), attachments);
}

/** attachments=true answers multipart/mixed: the JSON first, then the content of each attachment. */
async function send(ctx: AppContext, res: Response, body: unknown, attachments: boolean): Promise<void> {
  if (!attachments) {
    res.json(body);
    return;
  }
  const statements = (body as { statements?: Statement[] }).statements ?? [body as Statement];
  const hashes = new Set<string>();
  for (const statement of statements) {
    for (const attachment of statement.attachments ?? []) hashes.add(attachment.sha2.toLowerCase());
    if (statement.object.objectType === 'SubStatement') {
      for (const attachment of statement.object.attachments ?? []) hashes.add(attachment.sha2.toLowerCase());
    }
  }
  const contents = await findAttachments(ctx.pool, xapiRequest(res).key.platformId, [...hashes]);
  const boundary = `laurel-${randomUUID()}`;
  res.setHeader('Content-Type', `multipart/mixed; boundary=${boundary}`);
  res.send(buildMultipart(boundary, body, contents));
}

/** /xapi/statements: PUT, POST, GET, HEAD. */
export function statementRoutes(ctx: AppContext): Router {
  const router = Router();
  router.put('/statements', putStatement(ctx));
  router.post('/statements', postStatements(ctx));
  router.get('/statements', getStatements(ctx));
  router.all('/statements', methodNotAllowed(['GET', 'PUT', 'POST']));
  return router;
}
