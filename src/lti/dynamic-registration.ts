import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError, isAppError } from '../errors.js';
import {
  checkOutboundUrl,
  guardedFetch,
  type OutboundPolicy,
  outboundPolicy,
  parseJsonObject,
} from '../net/guarded-fetch.js';
import {
  findPlatformByIssuerAndClient,
  insertPlatform,
  type Platform,
  recordDeployment,
} from '../store/platforms.js';
import { transaction } from '../store/pool.js';
import { type Manifest, registrationRequest, toolConfigurationClaim } from './manifest.js';

/**
 * LTI Dynamic Registration 1.0, tool side: the registration initiation request (§3.4) and the client
 * registration (§3.5-3.6). As a list of steps:
 * parseRegistrationQuery → fetchPlatformConfiguration → checkIssuer → checkPlatformConfiguration
 * → postClientRegistration → storeRegistration.
 */
export interface RegistrationQuery {
  openidConfiguration: string;
  registrationToken: string | undefined;
}

/**
 * Reads `openid_configuration` (required) and `registration_token` (optional, §3.4) from the query.
 * @throws AppError ERR_LTI_REGISTRATION_INVALID_REQUEST naming the parameter.
 */
export function parseRegistrationQuery(query: Record<string, unknown>): RegistrationQuery {
  const openidConfiguration = query.openid_configuration;
  if (typeof openidConfiguration !== 'string' || openidConfiguration === '') {
    throw invalidRequest('openid_configuration is required (the platform adds it to the registration URL)');
  }
  try {
    new URL(openidConfiguration);
  } catch {
    throw invalidRequest('openid_configuration must be an absolute URL');
  }
  const token = query.registration_token;
  if (token !== undefined && (typeof token !== 'string' || !/^[\x21-\x7e]{1,8192}$/.test(token))) {
    throw invalidRequest('registration_token must be a printable token of at most 8192 characters');
  }
  return { openidConfiguration, registrationToken: token === '' ? undefined : token };
}

function invalidRequest(message: string): AppError {
  return new AppError('ERR_LTI_REGISTRATION_INVALID_REQUEST', message);
}

function invalidConfiguration(message: string, cause?: unknown): AppError {
  return new AppError('ERR_LTI_OPENID_CONFIGURATION_INVALID', message, { cause });
}

const listWith = (value: string) =>
  z.array(z.string()).refine((list) => list.includes(value), { message: `must include "${value}"` });

// What Laurel relies on from the platform's OpenID configuration (§3.5.2); other members pass through.
const platformConfigurationSchema = z.looseObject({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  registration_endpoint: z.url(),
  jwks_uri: z.url(),
  token_endpoint: z.url(),
  token_endpoint_auth_methods_supported: listWith('private_key_jwt'),
  id_token_signing_alg_values_supported: listWith('RS256'),
  scopes_supported: z.array(z.string()).optional(),
  // Security Framework §4.1.1: the `aud` a client assertion names when it is not the token endpoint.
  authorization_server: z.string().min(1).optional(),
  'https://purl.imsglobal.org/spec/lti-platform-configuration': z.looseObject({
    product_family_code: z.string().min(1),
    version: z.string().optional(),
  }),
});

export type PlatformConfiguration = z.infer<typeof platformConfigurationSchema>;

/**
 * GETs the platform's OpenID configuration through the SSRF guard (§3.5.2), with the registration token.
 * @throws AppError ERR_OUTBOUND_REFUSED, ERR_LTI_OPENID_CONFIGURATION_INVALID.
 */
export async function fetchPlatformConfiguration(
  url: string,
  registrationToken: string | undefined,
  policy: OutboundPolicy,
): Promise<Record<string, unknown>> {
  // Canvas answers its OpenID configuration only to a request bearing the registration token; others ignore it.
  const headers: Record<string, string> = { accept: 'application/json' };
  if (registrationToken) headers.authorization = `Bearer ${registrationToken}`;
  let response: Awaited<ReturnType<typeof guardedFetch>>;
  try {
    response = await guardedFetch(url, { headers }, policy);
  } catch (error) {
    if (isAppError(error, 'ERR_OUTBOUND_FAILED')) throw invalidConfiguration(error.message, error);
    throw error;
  }
  if (response.status !== 200) {
    throw invalidConfiguration(`GET openid_configuration answered ${response.status}, not 200`);
  }
  const json = parseJsonObject(response.body);
  if (!json) throw invalidConfiguration('The OpenID configuration is not a JSON object');
  return json;
}

/**
 * §3.5.1: the configuration's `issuer` must share the origin of the URL it was fetched from, so a platform
 * cannot hand out a configuration claiming another platform's issuer.
 * @throws AppError ERR_LTI_ISSUER_MISMATCH.
 */
export function checkIssuer(configuration: Record<string, unknown>, openidConfigurationUrl: string): void {
  const issuer = configuration.issuer;
  let issuerOrigin: string | undefined;
  try {
    issuerOrigin = typeof issuer === 'string' ? new URL(issuer).origin : undefined;
  } catch {
    issuerOrigin = undefined;
  }
  const expected = new URL(openidConfigurationUrl).origin;
  if (issuerOrigin !== expected) {
    throw new AppError(
      'ERR_LTI_ISSUER_MISMATCH',
      `The OpenID configuration's issuer ${JSON.stringify(issuer)} does not match the origin ${expected} it was fetched from`,
      { details: { issuer: typeof issuer === 'string' ? issuer : null, expected } },
    );
  }
}

/**
 * Checks the fields Laurel relies on, and that each endpoint passes the outbound policy.
 * @throws AppError ERR_LTI_OPENID_CONFIGURATION_INVALID naming the field.
 */
export function checkPlatformConfiguration(
  configuration: Record<string, unknown>,
  policy: OutboundPolicy,
): PlatformConfiguration {
  const result = platformConfigurationSchema.safeParse(configuration);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.');
    throw invalidConfiguration(`OpenID configuration ${field}: ${issue.message}`);
  }
  const parsed = result.data;
  for (const field of [
    'authorization_endpoint',
    'registration_endpoint',
    'jwks_uri',
    'token_endpoint',
  ] as const) {
    try {
      checkOutboundUrl(parsed[field], policy);
    } catch (error) {
      throw invalidConfiguration(`OpenID configuration ${field}: ${(error as Error).message}`, error);
    }
  }
  return parsed;
}

export interface ClientRegistration {
  clientId: string;
  deploymentId: string | undefined;
}

/**
 * POSTs the client registration to the platform's `registration_endpoint` (§3.5) with the bearer
 * registration token.
 * @throws AppError ERR_LTI_REGISTRATION_REFUSED (the platform answered an error),
 * ERR_LTI_REGISTRATION_RESPONSE_INVALID (no client_id), ERR_OUTBOUND_*.
 */
export async function postClientRegistration(
  configuration: PlatformConfiguration,
  body: unknown,
  registrationToken: string | undefined,
  policy: OutboundPolicy,
): Promise<ClientRegistration> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (registrationToken) headers.authorization = `Bearer ${registrationToken}`;
  let response: Awaited<ReturnType<typeof guardedFetch>>;
  try {
    response = await guardedFetch(
      configuration.registration_endpoint,
      { method: 'POST', headers, body: JSON.stringify(body) },
      policy,
    );
  } catch (error) {
    if (isAppError(error, 'ERR_OUTBOUND_FAILED')) {
      throw new AppError('ERR_LTI_REGISTRATION_REFUSED', error.message, { cause: error });
    }
    throw error;
  }
  if (response.status !== 200 && response.status !== 201) {
    const platformError = response.body.slice(0, 500);
    throw new AppError(
      'ERR_LTI_REGISTRATION_REFUSED',
      `The platform refused the registration (${response.status}): ${platformError || 'no reason given'}`,
      { details: { platformStatus: response.status, platformError } },
    );
  }
  const json = parseJsonObject(response.body);
  const clientId = json?.client_id;
  if (typeof clientId !== 'string' && typeof clientId !== 'number') {
    throw new AppError('ERR_LTI_REGISTRATION_RESPONSE_INVALID', 'The registration response has no client_id');
  }
  const toolConfiguration = json?.[toolConfigurationClaim] as Record<string, unknown> | undefined;
  const deploymentId = toolConfiguration?.deployment_id;
  return {
    clientId: String(clientId),
    deploymentId:
      typeof deploymentId === 'string' || typeof deploymentId === 'number' ? String(deploymentId) : undefined,
  };
}

export interface RegistrationResult {
  platform: Platform;
  deploymentId: string | undefined;
  /** False when this (issuer, client_id) was already registered (the stored one is kept). */
  created: boolean;
}

/** Stores the platform and its deployment in one transaction. */
export async function storeRegistration(
  ctx: Pick<AppContext, 'pool' | 'newId'>,
  configuration: PlatformConfiguration,
  registration: ClientRegistration,
): Promise<RegistrationResult> {
  const family =
    configuration['https://purl.imsglobal.org/spec/lti-platform-configuration'].product_family_code;
  return transaction(ctx.pool, async (client) => {
    const inserted = await insertPlatform(client, {
      id: ctx.newId(),
      issuer: configuration.issuer,
      clientId: registration.clientId,
      name: `${family} ${new URL(configuration.issuer).host}`,
      authLoginUrl: configuration.authorization_endpoint,
      authTokenUrl: configuration.token_endpoint,
      authTokenAudience: configuration.authorization_server ?? null,
      jwksUrl: configuration.jwks_uri,
      productFamilyCode: family,
    });
    const platform =
      inserted ?? (await findPlatformByIssuerAndClient(client, configuration.issuer, registration.clientId))!;
    if (registration.deploymentId) await recordDeployment(client, platform.id, registration.deploymentId);
    return { platform, deploymentId: registration.deploymentId, created: inserted !== undefined };
  });
}

/**
 * Runs the whole registration for one initiation request.
 * @throws AppError ERR_LTI_REGISTRATION_INVALID_REQUEST, ERR_OUTBOUND_REFUSED, ERR_LTI_OPENID_CONFIGURATION_INVALID,
 * ERR_LTI_ISSUER_MISMATCH, ERR_LTI_REGISTRATION_REFUSED, ERR_LTI_REGISTRATION_RESPONSE_INVALID.
 */
export async function registerWithPlatform(
  ctx: Pick<AppContext, 'pool' | 'newId' | 'config'>,
  manifest: Manifest,
  query: Record<string, unknown>,
  policy: OutboundPolicy = outboundPolicy(ctx.config),
): Promise<RegistrationResult> {
  const request = parseRegistrationQuery(query);
  const raw = await fetchPlatformConfiguration(
    request.openidConfiguration,
    request.registrationToken,
    policy,
  );
  checkIssuer(raw, request.openidConfiguration);
  const configuration = checkPlatformConfiguration(raw, policy);
  const body = registrationRequest(manifest, ctx.config.publicUrl, {
    ...(configuration.scopes_supported ? { scopesSupported: configuration.scopes_supported } : {}),
  });
  const registration = await postClientRegistration(configuration, body, request.registrationToken, policy);
  return storeRegistration(ctx, configuration, registration);
}
