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
    this.expose = this.status < 500 || this.status === 503;
    this.details = options.details;
  }
}

/** True when `error` is an AppError (optionally with one of `codes`). */
export function isAppError(error: unknown, ...codes: ErrorCode[]): error is AppError {
  return error instanceof AppError && (codes.length === 0 || codes.includes(error.code));
}
