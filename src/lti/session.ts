import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { findLtiSession, type LtiSession } from '../store/lti-sessions.js';
import { type RoleKind, roleKinds } from './roles.js';

/** How long a launch session lasts; the LMS page is launched again after that. */
export const sessionTtlMs = 4 * 60 * 60_000;

/** The header a launched page's script sends the session token in (redacted from logs by src/log.ts). */
export const sessionHeader = 'x-laurel-session';
/** The form field a launched page's forms carry the session token in. */
export const sessionField = 'laurel_session';

/** A new random session token (256 bits), for the page only: the database keeps its hash. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A valid session with the kinds its roles make. */
export interface ActiveSession extends LtiSession {
  kinds: Set<RoleKind>;
}

/**
 * The session of `token`, checked for expiry and, when `roles` is given, for one of those kinds.
 * @throws AppError ERR_LTI_SESSION_INVALID (missing, unknown, expired), ERR_LTI_ROLE_FORBIDDEN.
 */
export async function loadSession(
  ctx: Pick<AppContext, 'pool' | 'clock'>,
  token: string | undefined,
  roles?: readonly RoleKind[],
): Promise<ActiveSession> {
  if (!token || token.length > 128) {
    throw new AppError(
      'ERR_LTI_SESSION_INVALID',
      'This page needs a launch session: open Laurel from your course',
    );
  }
  const session = await findLtiSession(ctx.pool, hashSessionToken(token), ctx.clock.now());
  if (!session) {
    throw new AppError(
      'ERR_LTI_SESSION_INVALID',
      'The launch session is unknown or expired: open Laurel from your course again',
    );
  }
  const kinds = roleKinds(session.roles);
  if (roles && roles.length > 0 && !roles.some((kind) => kinds.has(kind))) {
    throw new AppError('ERR_LTI_ROLE_FORBIDDEN', `This needs one of the roles: ${roles.join(', ')}`, {
      details: { required: roles },
    });
  }
  return { ...session, kinds };
}
