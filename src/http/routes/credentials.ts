import express, { type Request, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { STATUS_MESSAGES, unbakePng, unbakeSvg } from '../../credentials/index.js';
import { AppError, isAppError } from '../../errors.js';
import {
  changeCredentialStatus,
  createIssuer,
  createVerifier,
  credentialState,
  issueCredential,
  issuerDidDocument,
  rotateIssuerKey,
  type StatusAction,
} from '../../issuing/index.js';
import { guardedFetch, outboundPolicy } from '../../net/guarded-fetch.js';
import {
  type CredentialRow,
  findAchievement,
  findCredential,
  findStatusList,
  listStatusEvents,
} from '../../store/credentials.js';
import { verifyPage, verifyScript, verifyScriptPath } from '../../ui/verify/page.js';
import { methodNotAllowed, requireJson } from '../errors.js';
import { requireAdminToken } from './lti-admin.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
// Status lists change on revocation and suspension; verifiers may cache them for five minutes.
const STATUS_CACHE = 'public, max-age=300';

const newIssuerSchema = z.strictObject({
  name: z.string().min(1).max(200),
  url: z.url().optional(),
  email: z.email().optional(),
  image: z.url().optional(),
  description: z.string().max(2000).optional(),
  platformId: z.uuid().optional(),
});

const issueSchema = z.strictObject({
  issuerId: z.uuid(),
  awardKey: z.string().min(1).max(300),
  name: z.string().min(1).max(300),
  achievement: z.strictObject({
    id: z.string().min(1).max(200),
    name: z.string().min(1).max(300),
    description: z.string().min(1).max(5000),
    criteriaNarrative: z.string().min(1).max(5000),
    image: z.url().optional(),
    imageCaption: z.string().max(300).optional(),
    achievementType: z.string().max(100).optional(),
  }),
  recipient: z.union([
    z.strictObject({ did: z.string().regex(/^did:[a-z0-9]+:\S+$/) }),
    z.strictObject({ email: z.email(), salt: z.string().min(8).max(100) }),
  ]),
  awardedDate: z.iso.datetime().optional(),
  validUntil: z.iso.datetime().optional(),
  evidence: z
    .array(
      z.strictObject({
        id: z.url().optional(),
        name: z.string().max(300).optional(),
        narrative: z.string().max(5000).optional(),
        description: z.string().max(5000).optional(),
      }),
    )
    .max(20)
    .optional(),
});

const statusChangeSchema = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

// What the `message` entries' values mean (their statusReference): served at /status/messages.
const STATUS_DESCRIPTIONS: Record<string, string> = {
  valid: 'Neither revoked nor suspended.',
  revoked: 'Revoked by the issuer, for good: the credential is no longer valid.',
  suspended: 'Suspended by the issuer: not valid until it is unsuspended.',
  undefined: 'Not used.',
};

/** The admin view of a credential's status: its state, its current reasons and every change. */
function statusView(credential: CredentialRow) {
  return {
    id: credential.id,
    status: credentialState(credential),
    revokedAt: credential.revokedAt,
    revocationReason: credential.revocationReason,
    suspendedAt: credential.suspendedAt,
    suspensionReason: credential.suspensionReason,
  };
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.join('.') || '(body)';
  throw new AppError('ERR_VALIDATION', `${path}: ${issue.message}`, { details: { path } });
}

function param(req: Request, name: string): string {
  const value = String(req.params[name] ?? '');
  if (!UUID.test(value)) throw new AppError('ERR_NOT_FOUND', 'No such resource');
  return value;
}

/** Fetches a credential (JSON or baked SVG) from `url` through the SSRF guard. */
async function fetchCredential(ctx: AppContext, url: string): Promise<unknown> {
  const response = await guardedFetch(
    url,
    { headers: { accept: 'application/json, image/svg+xml' } },
    {
      ...outboundPolicy(ctx.config),
      maxBytes: MAX_IMAGE_BYTES,
    },
  );
  if (response.status !== 200) throw new AppError('ERR_VALIDATION', `${url} answered ${response.status}`);
  const type = String(response.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim();
  return type === 'image/svg+xml' ? unbakeSvg(response.body) : response.body;
}

/** Reads what POST /verify was sent: a credential as JSON (or text), or a baked PNG / SVG. */
function verifyInput(req: Request): unknown {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'image/png') return unbakePng(req.body as Buffer);
  if (type === 'image/svg+xml') return unbakeSvg((req.body as Buffer).toString('utf8'));
  if (type === 'application/json' || type === 'application/ld+json' || type === 'application/vc+ld+json')
    return req.body;
  if (type === 'text/plain') return (req.body as Buffer).toString('utf8');
  throw new AppError(
    'ERR_UNSUPPORTED_MEDIA_TYPE',
    'POST /verify takes application/json, text/plain, image/png or image/svg+xml',
  );
}

/**
 * Open Badges 3.0 resources: DID documents, credentials, achievements, status lists, `POST /verify`, and the
 * admin API to create issuers, issue, revoke, suspend and unsuspend.
 */
export function credentialRoutes(ctx: AppContext): Router {
  const router = Router();
  const admin = requireAdminToken(ctx);
  const verify = createVerifier(ctx);
  const raw = express.raw({ type: ['image/png', 'image/svg+xml', 'text/plain'], limit: MAX_IMAGE_BYTES });

  router
    .route('/issuers/:id/did.json')
    .get(async (req, res) => {
      const document = await issuerDidDocument(ctx, ctx.pool, param(req, 'id'));
      if (!document) throw new AppError('ERR_NOT_FOUND', 'No such issuer');
      // Short: a rotated key must reach verifiers soon.
      res.type('application/json').set('Cache-Control', 'public, max-age=60').send(JSON.stringify(document));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/credentials/:id')
    .get(async (req, res) => {
      const credential = await findCredential(ctx.pool, param(req, 'id'));
      if (!credential) throw new AppError('ERR_NOT_FOUND', 'No such credential');
      res.type('application/json').send(JSON.stringify(credential.document));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/achievements/:key')
    .get(async (req, res) => {
      const achievement = await findAchievement(ctx.pool, String(req.params.key));
      if (!achievement) throw new AppError('ERR_NOT_FOUND', 'No such achievement');
      res.type('application/json').send(JSON.stringify(achievement));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/status/messages')
    .get((_req, res) => {
      res
        .type('application/json')
        .set('Cache-Control', 'public, max-age=86400')
        .send(
          JSON.stringify({
            statusSize: 2,
            statusMessage: STATUS_MESSAGES.map((m) => ({
              ...m,
              description: STATUS_DESCRIPTIONS[m.message],
            })),
          }),
        );
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/status/:id')
    .get(async (req, res) => {
      const list = await findStatusList(ctx.pool, param(req, 'id'));
      if (!list) throw new AppError('ERR_NOT_FOUND', 'No such status list');
      res
        .type('application/json')
        .set('Cache-Control', STATUS_CACHE)
        .set('Last-Modified', list.updatedAt.toUTCString())
        .send(JSON.stringify(list.document));
    })
    .all(methodNotAllowed(['GET']));

  router.get(verifyScriptPath, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(verifyScript);
  });

  router
    .route('/verify')
    .get((_req, res) => {
      res.type('html').send(verifyPage());
    })
    .post(raw, async (req, res) => {
      let input: unknown;
      try {
        const url = typeof req.query.url === 'string' ? req.query.url : undefined;
        input = url ? await fetchCredential(ctx, url) : verifyInput(req);
      } catch (error) {
        if (
          !isAppError(
            error,
            'ERR_CREDENTIAL_BAKE_INVALID_IMAGE',
            'ERR_CREDENTIAL_NOT_BAKED',
            'ERR_OUTBOUND_REFUSED',
            'ERR_OUTBOUND_FAILED',
            'ERR_VALIDATION',
          )
        )
          throw error;
        res.json({ verified: false, checks: [{ check: 'format', valid: false, message: error.message }] });
        return;
      }
      res.json(await verify(input));
    })
    .all(methodNotAllowed(['GET', 'POST']));

  router
    .route('/admin/api/issuers')
    .post(admin, requireJson, async (req, res) => {
      const issuer = await createIssuer(ctx, parse(newIssuerSchema, req.body));
      res.status(201).location(`/issuers/${issuer.id}/did.json`).json({ issuer });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/admin/api/issuers/:id/rotate-key')
    .post(admin, async (req, res) => {
      await rotateIssuerKey(ctx, param(req, 'id'));
      res.status(204).end();
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/admin/api/credentials')
    .post(admin, requireJson, async (req, res) => {
      const body = parse(issueSchema, req.body);
      const { awardedDate, validUntil, ...rest } = body;
      const credential = await issueCredential(ctx, {
        ...rest,
        ...(awardedDate ? { awardedDate: new Date(awardedDate) } : {}),
        ...(validUntil ? { validUntil: new Date(validUntil) } : {}),
      });
      res
        .status(201)
        .location(`/credentials/${credential.id}`)
        .json({ id: credential.id, credential: credential.document });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/admin/api/credentials/:id')
    .get(admin, async (req, res) => {
      const credential = await findCredential(ctx.pool, param(req, 'id'));
      if (!credential) throw new AppError('ERR_NOT_FOUND', 'No such credential');
      res.json({ ...statusView(credential), events: await listStatusEvents(ctx.pool, credential.id) });
    })
    .all(methodNotAllowed(['GET']));

  for (const action of ['revoke', 'suspend', 'unsuspend'] satisfies StatusAction[])
    router
      .route(`/admin/api/credentials/:id/${action}`)
      .post(admin, requireJson, async (req, res) => {
        const { reason } = parse(statusChangeSchema, req.body);
        const credential = await changeCredentialStatus(ctx, param(req, 'id'), action, reason);
        res.json({ ...statusView(credential), reason });
      })
      .all(methodNotAllowed(['POST']));

  return router;
}
