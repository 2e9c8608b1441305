import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { deleteExpiredLoginStates, insertLoginState } from '../store/lti-logins.js';
import {
  findPlatformByIssuerAndClient,
  findPlatformsByIssuer,
  hasDeployment,
  type Platform,
} from '../store/platforms.js';

/** How long a platform has to answer a login with a launch (Security Framework §5.1.1.2: short-lived state). */
export const loginStateTtlMs = 10 * 60_000;
/** How long used or expired logins are kept so a replay gets a precise error, then deleted. */
const loginStateRetentionMs = 60 * 60_000;

export const launchPath = '/lti/launch';

/** Third-party initiated login parameters (LTI 1.3 Core §5.1.1.1, LTI Client Side postMessages §3). */
export interface LoginParams {
  iss: string;
  login_hint: string;
  target_link_uri: string;
  lti_message_hint?: string;
  client_id?: string;
  lti_deployment_id?: string;
  lti_storage_target?: string;
}

const optionalNames = ['lti_message_hint', 'client_id', 'lti_deployment_id', 'lti_storage_target'] as const;

function loginInvalid(message: string, parameter: string): never {
  throw new AppError('ERR_LTI_LOGIN_INVALID', message, { details: { parameter } });
}

/**
 * Reads the login initiation from query and form parameters (GET or POST).
 * @throws AppError ERR_LTI_LOGIN_INVALID naming the parameter.
 */
export function parseLoginParams(input: Record<string, unknown>): LoginParams {
  const read = (name: string, required: boolean): string | undefined => {
    const value = input[name];
    if (value === undefined || value === '') {
      if (required) loginInvalid(`${name} is required`, name);
      return undefined;
    }
    if (typeof value !== 'string') return loginInvalid(`${name} must be given once, as a string`, name);
    if (value.length > 2048) return loginInvalid(`${name} must be at most 2048 characters`, name);
    return value;
  };
  const params: LoginParams = {
    iss: read('iss', true)!,
    login_hint: read('login_hint', true)!,
    target_link_uri: read('target_link_uri', true)!,
  };
  for (const name of optionalNames) {
    const value = read(name, false);
    if (value !== undefined) params[name] = value;
  }
  if (params.lti_storage_target !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(params.lti_storage_target)) {
    loginInvalid('lti_storage_target must be a frame name', 'lti_storage_target');
  }
  return params;
}

/**
 * The registration a login names: by iss and client_id, or by iss alone when it has one registration.
 * @throws AppError ERR_LTI_PLATFORM_UNKNOWN, ERR_LTI_CLIENT_AMBIGUOUS.
 */
export async function resolveLoginPlatform(
  ctx: Pick<AppContext, 'pool'>,
  params: LoginParams,
): Promise<Platform> {
  if (params.client_id !== undefined) {
    const platform = await findPlatformByIssuerAndClient(ctx.pool, params.iss, params.client_id);
    if (!platform) {
      throw new AppError(
        'ERR_LTI_PLATFORM_UNKNOWN',
        'No platform is registered with this iss and client_id',
        {
          details: { iss: params.iss, client_id: params.client_id },
        },
      );
    }
    return platform;
  }
  const platforms = await findPlatformsByIssuer(ctx.pool, params.iss);
  if (platforms.length === 0) {
    throw new AppError('ERR_LTI_PLATFORM_UNKNOWN', 'No platform is registered with this iss', {
      details: { iss: params.iss },
    });
  }
  if (platforms.length > 1) {
    throw new AppError(
      'ERR_LTI_CLIENT_AMBIGUOUS',
      'Several registrations share this iss and the login has no client_id: the platform must send client_id',
      { details: { iss: params.iss } },
    );
  }
  return platforms[0]!;
}

/**
 * target_link_uri must point into this Laurel (LTI 1.3 Core §5.1.1.1: the tool validates it).
 * @throws AppError ERR_LTI_TARGET_LINK_URI_INVALID.
 */
export function checkTargetLinkUri(uri: string, publicUrl: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AppError('ERR_LTI_TARGET_LINK_URI_INVALID', 'target_link_uri is not a URL');
  }
  const ours = new URL(publicUrl);
  const base = ours.pathname.replace(/\/$/, '');
  if (url.origin !== ours.origin || !(url.pathname === base || url.pathname.startsWith(`${base}/`))) {
    throw new AppError('ERR_LTI_TARGET_LINK_URI_INVALID', `target_link_uri must be a URL under ${publicUrl}`);
  }
}

export interface StartedLogin {
  state: string;
  /** The OIDC authentication request to send the browser to (Security Framework §5.1.1.2). */
  redirectUrl: string;
  /** Value the browser keeps (cookie, postMessage storage) and gives back at launch. */
  browserBinding: string;
  storageTarget: string | undefined;
  /** Where postMessages to the platform's storage frame go: the origin of its OIDC auth endpoint. */
  platformOrigin: string;
  expiresAt: Date;
}

const random = () => randomBytes(32).toString('base64url');

/**
 * Handles a login initiation: finds the platform, checks target_link_uri, stores state and nonce, and builds the
 * authentication request.
 * @throws AppError ERR_LTI_PLATFORM_UNKNOWN, ERR_LTI_CLIENT_AMBIGUOUS, ERR_LTI_TARGET_LINK_URI_INVALID,
 * ERR_LTI_DEPLOYMENT_UNKNOWN (strict platform, unknown lti_deployment_id).
 */
export async function startLogin(
  ctx: Pick<AppContext, 'pool' | 'clock' | 'config'>,
  params: LoginParams,
): Promise<StartedLogin> {
  const platform = await resolveLoginPlatform(ctx, params);
  checkTargetLinkUri(params.target_link_uri, ctx.config.publicUrl);
  if (
    platform.strictDeployments &&
    params.lti_deployment_id !== undefined &&
    !(await hasDeployment(ctx.pool, platform.id, params.lti_deployment_id))
  ) {
    throw new AppError(
      'ERR_LTI_DEPLOYMENT_UNKNOWN',
      'This lti_deployment_id is not registered for the platform',
      {
        details: { lti_deployment_id: params.lti_deployment_id },
      },
    );
  }
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + loginStateTtlMs);
  const login = {
    state: random(),
    nonce: random(),
    platformId: platform.id,
    deploymentId: params.lti_deployment_id ?? null,
    targetLinkUri: params.target_link_uri,
    browserBinding: random(),
    storageTarget: params.lti_storage_target ?? null,
    createdAt: now,
    expiresAt,
  };
  await insertLoginState(ctx.pool, login);
  if (randomBytes(1)[0]! < 5) {
    // On about 1 login in 50, forget logins long past their lifetime (no scheduler needed).
    await deleteExpiredLoginStates(ctx.pool, new Date(now.getTime() - loginStateRetentionMs));
  }
  const auth = new URL(platform.authLoginUrl);
  const query: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: ctx.config.publicUrl + launchPath,
    login_hint: params.login_hint,
    state: login.state,
    nonce: login.nonce,
    ...(params.lti_message_hint === undefined ? {} : { lti_message_hint: params.lti_message_hint }),
  };
  for (const [name, value] of Object.entries(query)) auth.searchParams.set(name, value);
  return {
    state: login.state,
    redirectUrl: auth.href,
    browserBinding: login.browserBinding,
    storageTarget: params.lti_storage_target,
    platformOrigin: auth.origin,
    expiresAt,
  };
}
