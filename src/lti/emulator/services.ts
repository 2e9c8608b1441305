import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { claim } from '../claims.js';
import { agsScope, jwtBearerAssertionType, serviceScopes } from '../services/scopes.js';
import type { EmulatedContext, EmulatedUser } from './families.js';
import type { PlatformEmulator } from './platform.js';

/**
 * The LTI Advantage services of an emulated platform: an OAuth 2 token endpoint that checks JWT client assertions
 * (LTI Security Framework §4.1, RFC 7523), Assignment and Grade Services 2.0 (line items, scores, results) and
 * Names and Role Provisioning Services 2.0 (memberships), with small pages so tools must follow `Link: rel="next"`.
 * URL shapes follow the family: Moodle's `mod/lti/services.php/...?type_id=` and Canvas's `/api/lti/courses/...`.
 */
export interface PlatformServicesOptions {
  /** Page size of every container (default 2, so paging is exercised). */
  pageSize?: number;
  /** Lifetime of access tokens (Moodle and Canvas: 3600 s). */
  tokenLifetimeSeconds?: number;
  /** The `aud` client assertions must name; default the token endpoint URL. */
  tokenAudience?: string;
  /** Scopes the token endpoint grants at most (default all AGS and NRPS scopes). */
  grantableScopes?: readonly string[];
}

export interface EmulatedMember {
  user: EmulatedUser;
  roles: string[];
  status?: 'Active' | 'Inactive' | 'Deleted';
}

export interface StoredScore {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  activityProgress: string;
  gradingProgress: string;
  timestamp: string;
}

export interface StoredLineItem {
  id: number;
  scoreMaximum: number;
  label: string;
  resourceId?: string;
  resourceLinkId?: string;
  tag?: string;
  startDateTime?: string;
  endDateTime?: string;
  scores: Map<string, StoredScore>;
}

export interface EmulatedCourse {
  context: EmulatedContext;
  members: EmulatedMember[];
  lineItems: StoredLineItem[];
  nextLineItemId: number;
}

/** An OAuth 2 error answer (RFC 6749 §5.2) or a service error. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/** One call a tool made to a service endpoint, as the platform saw it. */
export interface ServiceRequestLog {
  method: string;
  path: string;
  userAgent: string | undefined;
}

const knownScopes = new Set(serviceScopes);
// Moodle's tool type id, part of its service URLs.
const moodleTypeId = '1';

export class PlatformServices {
  readonly pageSize: number;
  readonly tokenLifetimeSeconds: number;
  readonly tokenAudience: string;
  readonly grantableScopes: ReadonlySet<string>;
  readonly courses = new Map<string, EmulatedCourse>();
  /** Calls to the token endpoint, granted or not. */
  tokenRequests = 0;
  readonly tokenRefusals: ServiceError[] = [];
  readonly requests: ServiceRequestLog[] = [];
  private readonly tokens = new Map<string, { scopes: Set<string>; expiresAt: number }>();
  private readonly usedJtis = new Map<string, number>();
  private toolJwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    readonly platform: PlatformEmulator,
    options: PlatformServicesOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 2;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    this.tokenAudience = options.tokenAudience ?? platform.endpoints.authTokenUrl;
    this.grantableScopes = new Set(options.grantableScopes ?? serviceScopes);
  }

  private now(): number {
    return this.platform.clock.now().getTime();
  }

  /** Adds (or replaces) a course and its members. */
  addCourse(context: EmulatedContext, members: EmulatedMember[] = []): EmulatedCourse {
    const course: EmulatedCourse = { context, members: [...members], lineItems: [], nextLineItemId: 1 };
    this.courses.set(context.id, course);
    return course;
  }

  /** The course of `contextId`. @throws ServiceError 404. */
  course(contextId: string): EmulatedCourse {
    const course = this.courses.get(contextId);
    if (!course) throw new ServiceError(404, 'not_found', `no course ${contextId}`);
    return course;
  }

  /** Expires every access token at once (an admin revoking the tool, or a platform restart). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  // --- URLs, in the family's shape -------------------------------------------------------------------------

  lineItemsUrl(contextId: string): string {
    const id = encodeURIComponent(contextId);
    return this.platform.family === 'moodle'
      ? `${this.platform.baseUrl}/mod/lti/services.php/${id}/lineitems?type_id=${moodleTypeId}`
      : `${this.platform.baseUrl}/api/lti/courses/${id}/line_items`;
  }

  lineItemUrl(contextId: string, itemId: number): string {
    const id = encodeURIComponent(contextId);
    return this.platform.family === 'moodle'
      ? `${this.platform.baseUrl}/mod/lti/services.php/${id}/lineitems/${itemId}/lineitem?type_id=${moodleTypeId}`
      : `${this.platform.baseUrl}/api/lti/courses/${id}/line_items/${itemId}`;
  }

  /** `<lineitem>/<segment>` with the line item URL's query kept. */
  lineItemSubUrl(contextId: string, itemId: number, segment: 'scores' | 'results'): string {
    const url = new URL(this.lineItemUrl(contextId, itemId));
    url.pathname += `/${segment}`;
    return url.href;
  }

  membershipsUrl(contextId: string): string {
    const id = encodeURIComponent(contextId);
    return this.platform.family === 'moodle'
      ? `${this.platform.baseUrl}/mod/lti/services.php/CourseSection/${id}/bindings/${moodleTypeId}/memberships`
      : `${this.platform.baseUrl}/api/lti/courses/${id}/names_and_roles`;
  }

  /**
   * The AGS endpoint and NRPS claims a launch from `contextId` carries (AGS 2.0 §3.1, NRPS 2.0 §3.6.1): put them in
   * a PreparedLaunch's `overrides`.
   */
  launchClaims(contextId: string, options: { lineItemId?: number } = {}): Record<string, unknown> {
    const agsScopes = Object.values(agsScope).filter((scope) => this.grantableScopes.has(scope));
    return {
      [claim.agsEndpoint]: {
        scope: agsScopes,
        lineitems: this.lineItemsUrl(contextId),
        ...(options.lineItemId === undefined
          ? {}
          : { lineitem: this.lineItemUrl(contextId, options.lineItemId) }),
      },
      [claim.nrpsService]: {
        context_memberships_url: this.membershipsUrl(contextId),
        service_versions: this.platform.family === 'moodle' ? ['1.0', '2.0'] : ['2.0'],
      },
    };
  }

  // --- Token endpoint --------------------------------------------------------------------------------------

  /**
   * The token endpoint (LTI Security Framework §4.1.1): checks the client credentials grant and its JWT client
   * assertion (RS256 with a kid, verified with the tool's JWKS; iss = sub = client_id; aud; exp within the hour;
   * jti never seen before) and issues a bearer token for the requested scopes it may grant.
   * @throws ServiceError with an RFC 6749 §5.2 error code.
   */
  async issueToken(form: Record<string, string | undefined>): Promise<Record<string, unknown>> {
    this.tokenRequests++;
    try {
      return await this.grant(form);
    } catch (error) {
      if (error instanceof ServiceError) this.tokenRefusals.push(error);
      throw error;
    }
  }

  private async grant(form: Record<string, string | undefined>): Promise<Record<string, unknown>> {
    if (form.grant_type !== 'client_credentials') {
      throw new ServiceError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (form.client_assertion_type !== jwtBearerAssertionType) {
      throw new ServiceError(
        400,
        'invalid_request',
        `client_assertion_type must be ${jwtBearerAssertionType}`,
      );
    }
    if (!form.client_assertion)
      throw new ServiceError(400, 'invalid_request', 'client_assertion is required');
    const requested = (form.scope ?? '').split(' ').filter(Boolean);
    if (requested.length === 0) throw new ServiceError(400, 'invalid_scope', 'scope is required');
    const unknown = requested.find((scope) => !knownScopes.has(scope));
    if (unknown) throw new ServiceError(400, 'invalid_scope', `unknown scope ${unknown}`);
    await this.checkAssertion(form.client_assertion);
    const scopes = new Set(requested.filter((scope) => this.grantableScopes.has(scope)));
    if (scopes.size === 0) throw new ServiceError(400, 'invalid_scope', 'none of the scopes may be granted');
    const token = randomBytes(24).toString('base64url');
    for (const [issued, { expiresAt }] of this.tokens)
      if (expiresAt <= this.now()) this.tokens.delete(issued);
    this.tokens.set(token, { scopes, expiresAt: this.now() + this.tokenLifetimeSeconds * 1000 });
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.tokenLifetimeSeconds,
      scope: [...scopes].join(' '),
    };
  }

  private async checkAssertion(assertion: string): Promise<void> {
    const invalidClient = (description: string) => new ServiceError(401, 'invalid_client', description);
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw invalidClient('client_assertion is not a JWT');
    }
    if (header.alg !== 'RS256') throw invalidClient('client_assertion must be signed with RS256');
    if (!header.kid) throw invalidClient('client_assertion has no kid');
    if (!this.platform.tool.jwksUrl) throw invalidClient('the tool has no JWKS URL');
    this.toolJwks ??= createRemoteJWKSet(new URL(this.platform.tool.jwksUrl));
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(assertion, this.toolJwks, {
        algorithms: ['RS256'],
        issuer: this.platform.clientId,
        subject: this.platform.clientId,
        audience: this.tokenAudience,
        currentDate: this.platform.clock.now(),
        requiredClaims: ['exp', 'iat', 'jti'],
        clockTolerance: 5,
      }));
    } catch (error) {
      const reason =
        error instanceof joseErrors.JOSEError ? `${error.code}: ${error.message}` : String(error);
      throw invalidClient(`client_assertion does not verify (${reason})`);
    }
    const now = this.now();
    const expMs = payload.exp! * 1000;
    if (expMs - now > 3600_000) throw invalidClient('client_assertion exp is more than an hour away');
    for (const [jti, until] of this.usedJtis) if (until < now) this.usedJtis.delete(jti);
    if (this.usedJtis.has(payload.jti!)) throw invalidClient('client_assertion jti was already used');
    this.usedJtis.set(payload.jti!, expMs);
  }

  /**
   * Checks a service call's bearer token and scope (one of `anyOf`).
   * @throws ServiceError 401 invalid_token, 403 insufficient_scope.
   */
  authorize(authorization: string | undefined, anyOf: readonly string[]): void {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    const grant = this.tokens.get(token);
    if (!grant || grant.expiresAt <= this.now()) {
      throw new ServiceError(401, 'invalid_token', 'the access token is missing, unknown or expired');
    }
    if (!anyOf.some((scope) => grant.scopes.has(scope))) {
      throw new ServiceError(403, 'insufficient_scope', `the token lacks ${anyOf.join(' or ')}`);
    }
  }

  // --- AGS -------------------------------------------------------------------------------------------------

  /** A line item as AGS 2.0 §3.2 serializes it. */
  lineItemJson(contextId: string, item: StoredLineItem): Record<string, unknown> {
    const { id, scores: _scores, ...fields } = item;
    return { id: this.lineItemUrl(contextId, id), ...fields };
  }

  lineItem(contextId: string, itemId: string): StoredLineItem {
    const item = this.course(contextId).lineItems.find((entry) => String(entry.id) === itemId);
    if (!item) throw new ServiceError(404, 'not_found', `no line item ${itemId}`);
    return item;
  }

  /** Creates a line item from a POSTed body (AGS 2.0 §3.2.5). @throws ServiceError 400. */
  createLineItem(contextId: string, body: Record<string, unknown>): StoredLineItem {
    const course = this.course(contextId);
    const { scoreMaximum, label } = body;
    if (typeof scoreMaximum !== 'number' || !(scoreMaximum > 0)) {
      throw new ServiceError(400, 'invalid_request', 'scoreMaximum must be a number greater than 0');
    }
    if (typeof label !== 'string' || label.trim() === '') {
      throw new ServiceError(400, 'invalid_request', 'label is required');
    }
    const item: StoredLineItem = { id: course.nextLineItemId++, scoreMaximum, label, scores: new Map() };
    for (const key of ['resourceId', 'resourceLinkId', 'tag', 'startDateTime', 'endDateTime'] as const) {
      if (typeof body[key] === 'string') item[key] = body[key];
    }
    course.lineItems.push(item);
    return item;
  }

  /**
   * Records a score (AGS 2.0 §3.4): the user must be a member; a timestamp not after the last one recorded is
   * refused, as Canvas does.
   * @throws ServiceError 400 or 404.
   */
  postScore(contextId: string, itemId: string, body: Record<string, unknown>): StoredScore {
    const course = this.course(contextId);
    const item = this.lineItem(contextId, itemId);
    const bad = (description: string) => new ServiceError(400, 'invalid_request', description);
    const { userId, scoreGiven, scoreMaximum, comment, activityProgress, gradingProgress, timestamp } = body;
    if (typeof userId !== 'string' || !course.members.some((member) => member.user.sub === userId)) {
      throw bad('userId is not a member of the course');
    }
    if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))
      throw bad('timestamp is required');
    if (typeof activityProgress !== 'string') throw bad('activityProgress is required');
    if (typeof gradingProgress !== 'string') throw bad('gradingProgress is required');
    if (scoreGiven !== undefined && typeof scoreMaximum !== 'number') {
      throw bad('scoreMaximum is required with scoreGiven');
    }
    const last = item.scores.get(userId);
    if (last && Date.parse(last.timestamp) >= Date.parse(timestamp)) {
      throw bad(`timestamp ${timestamp} is not after the last score's ${last.timestamp}`);
    }
    const score: StoredScore = { userId, activityProgress, gradingProgress, timestamp };
    if (typeof scoreGiven === 'number') score.scoreGiven = scoreGiven;
    if (typeof scoreMaximum === 'number') score.scoreMaximum = scoreMaximum;
    if (typeof comment === 'string') score.comment = comment;
    item.scores.set(userId, score);
    return score;
  }

  /** The results of a line item (AGS 2.0 §3.3), one per scored user. */
  results(contextId: string, item: StoredLineItem): Record<string, unknown>[] {
    const scoreOf = this.lineItemUrl(contextId, item.id);
    return [...item.scores.values()].map((score) => {
      const id = new URL(this.lineItemSubUrl(contextId, item.id, 'results'));
      if (this.platform.family === 'moodle') id.searchParams.set('user_id', score.userId);
      else id.pathname += `/${encodeURIComponent(score.userId)}`;
      return {
        id: id.href,
        scoreOf,
        userId: score.userId,
        ...(score.scoreGiven === undefined ? {} : { resultScore: score.scoreGiven }),
        ...(score.scoreMaximum === undefined ? {} : { resultMaximum: score.scoreMaximum }),
        ...(score.comment === undefined ? {} : { comment: score.comment }),
      };
    });
  }

  // --- NRPS ------------------------------------------------------------------------------------------------

  /** One member as the family lists it (NRPS 2.0 §3.6.2): Canvas adds status, picture and the LTI 1.1 id. */
  memberJson(member: EmulatedMember): Record<string, unknown> {
    const { user } = member;
    const pii: Record<string, unknown> = {};
    for (const key of ['name', 'given_name', 'family_name', 'email'] as const) {
      if (user[key] !== undefined) pii[key] = user[key];
    }
    if (this.platform.family === 'moodle') {
      return {
        user_id: user.sub,
        roles: member.roles,
        ...pii,
        ...(member.status && member.status !== 'Active' ? { status: member.status } : {}),
      };
    }
    return {
      status: member.status ?? 'Active',
      ...pii,
      picture: `${this.platform.baseUrl}/images/messages/avatar-50.png`,
      user_id: user.sub,
      lti11_legacy_user_id: user.sub.replaceAll('-', '').slice(0, 40),
      roles: member.roles,
    };
  }

  /** The membership container's page body (without the members, which the router pages). */
  membershipContext(contextId: string): Record<string, unknown> {
    const { context } = this.course(contextId);
    return {
      id: this.membershipsUrl(contextId),
      context: {
        id: context.id,
        ...(context.label ? { label: context.label } : {}),
        ...(context.title ? { title: context.title } : {}),
      },
    };
  }
}
