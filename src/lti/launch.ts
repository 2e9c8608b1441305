import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { onLearnerLinked } from '../awards/index.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { findLoginState, type LoginState, markLoginUsed } from '../store/lti-logins.js';
import { deleteExpiredLtiSessions, insertLtiSession } from '../store/lti-sessions.js';
import { upsertCourse, upsertEnrollment, upsertUser } from '../store/people.js';
import { findPlatformById, hasDeployment, type Platform, recordDeployment } from '../store/platforms.js';
import { transaction } from '../store/pool.js';
import { verifyIdToken } from './id-token.js';
import { type LaunchMessage, parseLaunchMessage } from './message.js';
import type { PlatformJwksCache } from './platform-jwks.js';
import {
  enqueueRosterSync,
  parseServiceEndpoints,
  recordCourseServices,
  type ServiceEndpoints,
  scheduleGradesSync,
} from './services/index.js';
import { hashSessionToken, newSessionToken, sessionTtlMs } from './session.js';

export type LaunchContext = Pick<AppContext, 'pool' | 'clock' | 'newId'>;

/** The form_post a platform sends to the launch URL (plus `lti_binding` when Laurel's storage check posts it). */
export interface LaunchForm {
  id_token: string;
  state: string;
  lti_binding?: string;
}

/**
 * Reads the launch form.
 * @throws AppError ERR_LTI_STATE_INVALID (no state), ERR_LTI_ID_TOKEN_INVALID (no id_token).
 */
export function parseLaunchForm(body: Record<string, unknown>): LaunchForm {
  const { id_token: idToken, state, lti_binding: binding } = body;
  if (typeof state !== 'string' || state === '' || state.length > 128) {
    throw new AppError('ERR_LTI_STATE_INVALID', 'The launch has no state (or a malformed one)');
  }
  if (typeof idToken !== 'string' || idToken === '' || idToken.length > 64 * 1024) {
    throw new AppError('ERR_LTI_ID_TOKEN_INVALID', 'The launch has no id_token');
  }
  return {
    id_token: idToken,
    state,
    ...(typeof binding === 'string' && binding ? { lti_binding: binding } : {}),
  };
}

/** The postMessage storage key holding a login's browser binding. */
export function storageKey(state: string): string {
  return `laurel_state_${state}`;
}

/** The name of the cookie holding a login's browser binding (one per login, so parallel launches coexist). */
export function loginCookieName(state: string): string {
  return `laurel_lti_${createHash('sha256').update(state).digest('base64url').slice(0, 16)}`;
}

/**
 * The login `state` names (Security Framework §5.1.1.2), unused and unexpired.
 * @throws AppError ERR_LTI_STATE_INVALID, ERR_LTI_NONCE_REPLAYED, ERR_LTI_STATE_EXPIRED.
 */
async function loadLogin(ctx: LaunchContext, state: string): Promise<LoginState> {
  const login = await findLoginState(ctx.pool, state);
  if (!login) throw new AppError('ERR_LTI_STATE_INVALID', 'The launch state was not issued by this Laurel');
  if (login.usedAt) throw new AppError('ERR_LTI_NONCE_REPLAYED', 'This login was already used by a launch');
  if (login.expiresAt <= ctx.clock.now()) {
    throw new AppError(
      'ERR_LTI_STATE_EXPIRED',
      'The login expired before the launch: launch again from the LMS',
    );
  }
  return login;
}

function same(a: string, b: string): boolean {
  const hash = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(hash(a), hash(b));
}

/** How the browser proved it started this login, or that it must still prove it through postMessage storage. */
type BrowserCheck = 'bound' | 'check-storage';

function checkBrowser(
  login: LoginState,
  cookieBinding: string | undefined,
  formBinding: string | undefined,
): BrowserCheck {
  const given = formBinding ?? cookieBinding;
  if (given !== undefined) {
    if (same(given, login.browserBinding)) return 'bound';
    throw new AppError(
      'ERR_LTI_STATE_MISMATCH',
      'The browser that started this login is not the one launching',
    );
  }
  if (login.storageTarget) return 'check-storage';
  throw new AppError(
    'ERR_LTI_STATE_MISMATCH',
    'The login cookie is missing: the browser that started this login is not the one launching (or it blocks cookies)',
  );
}

function checkNonce(payload: Record<string, unknown>, login: LoginState): void {
  if (typeof payload.nonce !== 'string' || !same(payload.nonce, login.nonce)) {
    throw new AppError('ERR_LTI_NONCE_MISMATCH', 'The id_token nonce is not the one issued for this login');
  }
}

export interface LaunchedSession {
  /** Goes to the page only; never stored, never in a URL. */
  token: string;
  expiresAt: Date;
  userId: string;
  courseId: string | null;
}

export type LaunchOutcome =
  | {
      kind: 'check-storage';
      form: LaunchForm;
      storageTarget: string;
      storageKey: string;
      platformOrigin: string;
    }
  | { kind: 'launched'; platform: Platform; message: LaunchMessage; session: LaunchedSession };

export interface LaunchDependencies {
  jwks: PlatformJwksCache;
}

async function resolveDeployment(
  db: Parameters<typeof recordDeployment>[0],
  platform: Platform,
  login: LoginState,
  deploymentId: string,
): Promise<void> {
  if (login.deploymentId !== null && login.deploymentId !== deploymentId) {
    throw new AppError(
      'ERR_LTI_DEPLOYMENT_UNKNOWN',
      'deployment_id differs from the lti_deployment_id of the login',
    );
  }
  // A registered platform's new deployment is recorded; a strict platform's must be recorded already.
  if (!platform.strictDeployments) {
    await recordDeployment(db, platform.id, deploymentId);
    return;
  }
  if (!(await hasDeployment(db, platform.id, deploymentId))) {
    throw new AppError(
      'ERR_LTI_DEPLOYMENT_UNKNOWN',
      'This deployment_id is not registered for the platform',
      {
        details: { deployment_id: deploymentId },
      },
    );
  }
}

async function startSession(
  ctx: LaunchContext,
  platform: Platform,
  login: LoginState,
  message: LaunchMessage,
  endpoints: ServiceEndpoints,
): Promise<LaunchedSession> {
  const now = ctx.clock.now();
  return transaction(ctx.pool, async (db) => {
    if (!(await markLoginUsed(db, login.state, now))) {
      throw new AppError('ERR_LTI_NONCE_REPLAYED', 'This login was already used by a launch');
    }
    await resolveDeployment(db, platform, login, message.deploymentId);
    const userId = await upsertUser(
      db,
      {
        id: ctx.newId(),
        platformId: platform.id,
        sub: message.sub,
        name: message.name,
        givenName: message.givenName,
        familyName: message.familyName,
        email: message.email,
      },
      now,
    );
    let courseId: string | null = null;
    if (message.context) {
      courseId = await upsertCourse(db, {
        id: ctx.newId(),
        platformId: platform.id,
        contextId: message.context.id,
        title: message.context.title,
        label: message.context.label,
      });
      await upsertEnrollment(db, courseId, userId, message.roles, now);
      // The AGS/NRPS endpoints this launch offered are what later service calls for the course use.
      await recordCourseServices(db, { courseId, deploymentId: message.deploymentId }, endpoints, now);
      // Learners who never launched are known from the roster (identity linking by email): at most hourly.
      if (endpoints.nrps) await enqueueRosterSync(db, courseId, now);
      // Grades for the course's lineItem rules (AGS results): at most once per 15 minutes, only when rules name one.
      if (endpoints.ags?.lineItemsUrl) await scheduleGradesSync(db, courseId, now);
    }
    // Statements this learner sent before their first launch are linked and evaluated now.
    await onLearnerLinked(db, ctx, userId, courseId);
    const token = newSessionToken();
    const expiresAt = new Date(now.getTime() + sessionTtlMs);
    await insertLtiSession(db, {
      tokenHash: hashSessionToken(token),
      platformId: platform.id,
      deploymentId: message.deploymentId,
      courseId,
      userId,
      roles: message.roles,
      messageType: message.messageType,
      resourceLinkId: message.resourceLink?.id ?? null,
      createdAt: now,
      expiresAt,
    });
    return { token, expiresAt, userId, courseId };
  });
}

/**
 * The launch (LTI 1.3 Core §5.1.1.3, Security Framework §5.1.3): loadLogin → verifyIdToken → checkNonce →
 * parseLaunchMessage → checkBrowser → startSession (login used once, deployment, user, course, enrolment, session
 * in one transaction). When the browser has no login cookie and the platform offered postMessage storage, answers
 * `check-storage`: the page must read the binding from the platform and post the form again with it.
 * @throws AppError with the ERR_LTI_* code of the first failed check.
 */
export async function launch(
  ctx: LaunchContext,
  deps: LaunchDependencies,
  form: LaunchForm,
  cookieBinding: string | undefined,
): Promise<LaunchOutcome> {
  const login = await loadLogin(ctx, form.state);
  const platform = await findPlatformById(ctx.pool, login.platformId);
  if (!platform)
    throw new AppError('ERR_LTI_PLATFORM_UNKNOWN', 'The platform of this login is no longer registered');
  const payload = await verifyIdToken(form.id_token, { platform, jwks: deps.jwks, now: ctx.clock.now() });
  checkNonce(payload, login);
  const message = parseLaunchMessage(payload);
  // LTI 1.3 Core §5.1.1.1: the launch goes where the login said it would.
  if (message.targetLinkUri !== undefined && message.targetLinkUri !== login.targetLinkUri) {
    throw new AppError(
      'ERR_LTI_TARGET_LINK_URI_INVALID',
      'target_link_uri differs from the one of the login',
    );
  }
  if (checkBrowser(login, cookieBinding, form.lti_binding) === 'check-storage') {
    return {
      kind: 'check-storage',
      form,
      storageTarget: login.storageTarget!,
      storageKey: storageKey(login.state),
      platformOrigin: new URL(platform.authLoginUrl).origin,
    };
  }
  const session = await startSession(ctx, platform, login, message, parseServiceEndpoints(payload));
  // On about 1 launch in 50, delete sessions that expired (no scheduler needed).
  if (randomBytes(1)[0]! < 5) await deleteExpiredLtiSessions(ctx.pool, ctx.clock.now());
  return { kind: 'launched', platform, message, session };
}
