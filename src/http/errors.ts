import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, type ErrorCode } from '../errors.js';
import { isDatabaseUnavailable } from '../store/index.js';

/** The JSON error shape of Laurel's own API: `{ error: { code, message, requestId, ...details } }`. */
export function sendError(req: Request, res: Response, error: AppError): void {
  res.status(error.status).json({
    error: {
      code: error.code,
      message: error.expose ? error.message : 'Internal server error',
      requestId: req.id,
      ...(error.expose ? error.details : {}),
    },
  });
}

// body-parser and raw-body report client mistakes with these `type` values.
const bodyErrors: Record<string, [ErrorCode, string]> = {
  'entity.parse.failed': ['ERR_BAD_JSON', 'Request body is not valid JSON'],
  'entity.too.large': ['ERR_BODY_TOO_LARGE', 'Request body is larger than the limit'],
  'encoding.unsupported': ['ERR_UNSUPPORTED_MEDIA_TYPE', 'Request body has an unsupported Content-Encoding'],
  'charset.unsupported': ['ERR_UNSUPPORTED_MEDIA_TYPE', 'Request body has an unsupported charset'],
  'request.size.invalid': ['ERR_VALIDATION', 'Request body length does not match Content-Length'],
  'request.aborted': ['ERR_VALIDATION', 'Request was aborted'],
  'stream.encoding.set': ['ERR_INTERNAL', 'Stream encoding should not be set'],
};

/** Turns anything thrown into an AppError: client mistakes keep their status, the rest become 500. */
export function normalizeError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) {
    return new AppError('ERR_DB_UNAVAILABLE', 'The database is unavailable; try again shortly', {
      cause: error,
    });
  }
  const type = (error as { type?: unknown })?.type;
  if (typeof type === 'string' && bodyErrors[type]) {
    const [code, message] = bodyErrors[type];
    return new AppError(code, message, { cause: error });
  }
  return new AppError('ERR_INTERNAL', 'Internal server error', { cause: error });
}

/** The one error handler: logs server errors with the request id, answers with the JSON error shape. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next: NextFunction) => {
  const appError = normalizeError(error);
  const log = req.log;
  if (appError.status >= 500) log?.error({ err: error, code: appError.code }, appError.message);
  else log?.info({ code: appError.code }, appError.message);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendError(req, res, appError);
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('ERR_NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/** For `router.route(path).all(methodNotAllowed(['GET']))`: 405 with an Allow header. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  const allow = [...new Set([...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])])].join(', ');
  return (req, res, next) => {
    res.setHeader('Allow', allow);
    next(new AppError('ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; use ${allow}`));
  };
}

/** 415 unless a request that carries a body says it is JSON. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    next(new AppError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'));
    return;
  }
  next();
};
