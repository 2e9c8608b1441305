/**
 * The one error type of Laurel. Every code is listed in docs/errors.md (a test keeps them in step).
 * `expose` is true for client errors: their message is safe to send; server errors answer a generic text.
 */
export const errorCodes = {
  // foundation
  ERR_CONFIG_INVALID: 500,
  ERR_BAD_JSON: 400,
  ERR_VALIDATION: 400,
  ERR_NOT_FOUND: 404,
  ERR_METHOD_NOT_ALLOWED: 405,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_CONFLICT: 409,
  ERR_RATE_LIMITED: 429,
  ERR_DB_UNAVAILABLE: 503,
  ERR_SHUTTING_DOWN: 503,
  ERR_MIGRATION_FAILED: 500,
  ERR_EMBEDDED_POSTGRES: 500,
  ERR_INTERNAL: 500,
  // outbound HTTP (src/net/guarded-fetch.ts)
  ERR_OUTBOUND_REFUSED: 400,
  ERR_OUTBOUND_FAILED: 502,
  // lti: installing and tool keys
  ERR_LTI_KEY_ROTATION_PENDING: 409,
  ERR_LTI_REGISTRATION_INVALID_REQUEST: 400,
  ERR_LTI_OPENID_CONFIGURATION_INVALID: 400,
  ERR_LTI_ISSUER_MISMATCH: 400,
  ERR_LTI_REGISTRATION_REFUSED: 400,
  ERR_LTI_REGISTRATION_RESPONSE_INVALID: 400,
  ERR_LTI_PLATFORM_EXISTS: 409,
  // lti: login, launch, session, deep linking
  ERR_LTI_LOGIN_INVALID: 400,
  ERR_LTI_PLATFORM_UNKNOWN: 400,
  ERR_LTI_CLIENT_AMBIGUOUS: 400,
  ERR_LTI_TARGET_LINK_URI_INVALID: 400,
  ERR_LTI_STATE_INVALID: 400,
  ERR_LTI_STATE_EXPIRED: 400,
  ERR_LTI_STATE_MISMATCH: 400,
  ERR_LTI_ID_TOKEN_INVALID: 401,
  ERR_LTI_KID_MISSING: 401,
  ERR_LTI_KID_UNKNOWN: 401,
  ERR_LTI_ALG_UNSUPPORTED: 401,
  ERR_LTI_SIGNATURE_INVALID: 401,
  ERR_LTI_ID_TOKEN_ISSUER: 401,
  ERR_LTI_AUDIENCE_INVALID: 401,
  ERR_LTI_AZP_INVALID: 401,
  ERR_LTI_TOKEN_EXPIRED: 401,
  ERR_LTI_IAT_INVALID: 401,
  ERR_LTI_NONCE_MISMATCH: 401,
  ERR_LTI_NONCE_REPLAYED: 401,
  ERR_LTI_VERSION_UNSUPPORTED: 400,
  ERR_LTI_MESSAGE_TYPE_UNSUPPORTED: 400,
  ERR_LTI_CLAIM_INVALID: 400,
  ERR_LTI_DEPLOYMENT_UNKNOWN: 403,
  ERR_LTI_JWKS_UNAVAILABLE: 502,
  ERR_LTI_SESSION_INVALID: 401,
  ERR_LTI_ROLE_FORBIDDEN: 403,
  // lti: AGS and NRPS clients (src/lti/services/)
  ERR_LTI_TOKEN_REFUSED: 502,
  ERR_LTI_TOKEN_RESPONSE_INVALID: 502,
  ERR_LTI_TOKEN_SCOPE_DENIED: 403,
  ERR_LTI_AGS_NOT_OFFERED: 409,
  ERR_LTI_AGS_LINE_ITEM_INVALID: 400,
  ERR_LTI_AGS_SCORE_INVALID: 400,
  ERR_LTI_AGS_NOT_FOUND: 404,
  ERR_LTI_AGS_REQUEST_REFUSED: 502,
  ERR_LTI_AGS_RESPONSE_INVALID: 502,
  ERR_LTI_NRPS_NOT_OFFERED: 409,
  ERR_LTI_NRPS_REQUEST_REFUSED: 502,
  ERR_LTI_NRPS_RESPONSE_INVALID: 502,
  // credentials: building, signing, baking, verifying Open Badges 3.0
  ERR_CREDENTIAL_UNKNOWN_CONTEXT: 400,
  ERR_CREDENTIAL_INVALID: 400,
  ERR_CREDENTIAL_KEY_INVALID: 500,
  ERR_CREDENTIAL_SIGNING_FAILED: 500,
  ERR_CREDENTIAL_SIGNING_BUSY: 503,
  ERR_CREDENTIAL_NOT_SUSPENDABLE: 409,
  ERR_CREDENTIAL_BAKE_INVALID_IMAGE: 400,
  ERR_CREDENTIAL_NOT_BAKED: 400,
  ERR_VERIFY_DID_UNSUPPORTED: 400,
  ERR_VERIFY_KEY_UNRESOLVED: 400,
  ERR_VERIFY_STATUS_UNAVAILABLE: 400,
  // xapi: the LRS (statements, documents, credentials)
  ERR_XAPI_INVALID_STATEMENT: 400,
  ERR_XAPI_VERSION: 400,
  ERR_XAPI_INVALID_REQUEST: 400,
  ERR_XAPI_DUPLICATE_ID: 400,
  ERR_XAPI_STATEMENT_CONFLICT: 409,
  ERR_XAPI_ATTACHMENT_MISSING: 400,
  ERR_XAPI_PRECONDITION_FAILED: 412,
  ERR_XAPI_PRECONDITION_REQUIRED: 409,
  ERR_XAPI_KEY_INVALID: 400,
  // badges: award rules, achievements, awards
  ERR_RULE_INVALID: 400,
  ERR_RULE_TOO_COMPLEX: 400,
  ERR_BADGE_ACHIEVEMENT_NOT_FOUND: 404,
  ERR_BADGE_IMAGE_INVALID: 400,
  ERR_BADGE_AWARD_NOT_FOUND: 404,
  ERR_BADGE_LEARNER_NOT_FOUND: 404,
  ERR_BADGE_COURSE_FORBIDDEN: 403,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCodes;

export interface AppErrorOptions {
  status?: number;
  cause?: unknown;
  /** Extra fields safe to send to the client (e.g. the failing field's path). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? errorCodes[code];
    // 502 (an upstream such as a platform JWKS failed) and 503 carry messages meant for admins; other 5xx stay hidden.
    this.expose = this.status < 500 || this.status === 502 || this.status === 503;
    this.details = options.details;
  }
}

/** True when `error` is an AppError (optionally with one of `codes`). */
export function isAppError(error: unknown, ...codes: ErrorCode[]): error is AppError {
  return error instanceof AppError && (codes.length === 0 || codes.includes(error.code));
}
