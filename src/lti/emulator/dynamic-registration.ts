import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';

/**
 * The platform side of LTI Dynamic Registration 1.0 for the emulator: the OpenID configuration (§3.5.2) and
 * the registration endpoint (§3.5), checking a registration the way Moodle 4.x's
 * `mod/lti/classes/local/ltiopenid/registration_helper.php` does (plus Canvas's and Brightspace's shape of
 * answer). Mount `router` at the path of `baseUrl`; `initiationUrl(toolRegisterUrl)` is where a platform
 * sends the administrator's browser.
 */
export type RegistrationFamily = 'moodle' | 'canvas' | 'brightspace';

export interface RegistrationPlatformOptions {
  family: RegistrationFamily;
  /** Where `router` is reachable, e.g. `http://127.0.0.1:4567/moodle` (no trailing slash). */
  baseUrl: string;
  /** OIDC issuer; default `baseUrl`'s origin (what §3.5.1 requires of real platforms). */
  issuer?: string;
  /** Endpoints the configuration advertises; default paths under `baseUrl`. */
  endpoints?: Partial<Record<'authorization_endpoint' | 'token_endpoint' | 'jwks_uri', string>>;
  /** Overrides merged over the OpenID configuration (tests break it on purpose; `undefined` removes a member). */
  configurationOverrides?: Record<string, unknown>;
}

/** A registration the platform accepted. */
export interface AcceptedRegistration {
  clientId: string;
  deploymentId: string;
  request: Record<string, unknown>;
}

export interface RegistrationPlatform {
  readonly issuer: string;
  readonly openidConfigurationUrl: string;
  readonly router: Router;
  readonly registrations: AcceptedRegistration[];
  /** Issues a single-use registration token (Moodle: tied to the client_id it will assign). */
  issueRegistrationToken(): string;
  /** The tool's registration URL with `openid_configuration` and `registration_token` added (§3.4). */
  initiationUrl(toolRegisterUrl: string, token?: string): string;
  openidConfiguration(): Record<string, unknown>;
}

const toolConfiguration = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

/** Moodle answers a refused registration with a status and a plain-text reason. */
class RegistrationRefusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function required(body: Record<string, unknown>, key: string): unknown {
  const value = body[key];
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
    throw new RegistrationRefusal(400, `missing required attribute ${key}`);
  }
  return value;
}

/** The checks Moodle 4.x makes on a client registration (registration_helper::registration_to_config). */
export function checkRegistration(body: Record<string, unknown>): void {
  const responseTypes = required(body, 'response_types');
  required(body, 'initiate_login_uri');
  const redirectUris = required(body, 'redirect_uris');
  required(body, 'client_name');
  required(body, 'jwks_uri');
  const authMethod = required(body, 'token_endpoint_auth_method');
  const config = required(body, toolConfiguration) as Record<string, unknown>;
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new RegistrationRefusal(400, `missing required attribute ${toolConfiguration}`);
  }
  const domain = required(config, 'domain');
  const targetLinkUri = required(config, 'target_link_uri');
  if (!Array.isArray(responseTypes) || !responseTypes.includes('id_token')) {
    throw new RegistrationRefusal(400, 'invalid_response_types');
  }
  if (!Array.isArray(redirectUris)) throw new RegistrationRefusal(400, 'invalid_redirect_uris');
  if (authMethod !== 'private_key_jwt')
    throw new RegistrationRefusal(400, 'invalid_token_endpoint_auth_method');
  const applicationType = body.application_type;
  if (applicationType !== undefined && applicationType !== '' && applicationType !== 'web') {
    throw new RegistrationRefusal(400, 'invalid_application_type');
  }
  // Moodle 4.x: the launch URL must be on the declared domain (or a subdomain of it).
  let host: string;
  try {
    host = new URL(String(targetLinkUri)).host;
  } catch {
    throw new RegistrationRefusal(400, 'domain_targetlinkuri_mismatch');
  }
  const declared = String(domain).toLowerCase();
  if (host !== declared && !host.endsWith(`.${declared}`)) {
    throw new RegistrationRefusal(400, 'domain_targetlinkuri_mismatch');
  }
}

/**
 * What Canvas and Brightspace check besides Moodle's rules: Canvas refuses scopes it does not offer;
 * Brightspace refuses any tool URL that is not https.
 */
export function checkFamilyRules(
  family: RegistrationFamily,
  body: Record<string, unknown>,
  scopesSupported: readonly string[],
): void {
  if (family === 'canvas') {
    const scopes = String(body.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const unknown = scopes.filter((scope) => !scopesSupported.includes(scope));
    if (unknown.length > 0) throw new RegistrationRefusal(422, `Invalid scopes: ${unknown.join(', ')}`);
  }
  if (family === 'brightspace') {
    const config = body[toolConfiguration] as Record<string, unknown>;
    const urls = [
      body.initiate_login_uri,
      body.jwks_uri,
      config.target_link_uri,
      ...(Array.isArray(body.redirect_uris) ? body.redirect_uris : []),
    ];
    if (urls.some((url) => typeof url !== 'string' || !url.startsWith('https://'))) {
      throw new RegistrationRefusal(400, 'URLs must be https');
    }
  }
}

/** Creates an emulated platform that can be registered with. */
export function createRegistrationPlatform(options: RegistrationPlatformOptions): RegistrationPlatform {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const basePath = new URL(baseUrl).pathname.replace(/\/$/, '');
  const issuer = options.issuer ?? new URL(baseUrl).origin;
  const configPath = '/.well-known/openid-configuration';
  const registerPath = '/lti/registration';
  // token -> client_id it assigns (Moodle: `sub` of the signed token); a used client_id refuses the token.
  const tokens = new Map<string, string>();
  const registrations: AcceptedRegistration[] = [];
  let sequence = 0;

  function openidConfiguration(): Record<string, unknown> {
    const base: Record<string, unknown> = {
      issuer,
      authorization_endpoint: options.endpoints?.authorization_endpoint ?? `${baseUrl}/auth`,
      registration_endpoint: `${baseUrl}${registerPath}`,
      jwks_uri: options.endpoints?.jwks_uri ?? `${baseUrl}/certs`,
      token_endpoint: options.endpoints?.token_endpoint ?? `${baseUrl}/token`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      scopes_supported: [
        'openid',
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
        'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
        'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
      ],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email'],
      'https://purl.imsglobal.org/spec/lti-platform-configuration': {
        product_family_code: options.family === 'brightspace' ? 'desire2learn' : options.family,
        version: '4.3',
        messages_supported: [
          { type: 'LtiResourceLinkRequest' },
          { type: 'LtiDeepLinkingRequest', placements: ['link_selection', 'assignment_selection'] },
        ],
      },
    };
    for (const [key, value] of Object.entries(options.configurationOverrides ?? {})) {
      if (value === undefined) delete base[key];
      else base[key] = value;
    }
    return base;
  }

  function issueRegistrationToken(): string {
    const token = randomBytes(24).toString('base64url');
    sequence += 1;
    tokens.set(token, options.family === 'canvas' ? `1000000000${sequence}` : randomBytes(8).toString('hex'));
    return token;
  }

  function register(req: Request, res: Response): void {
    try {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ')) throw new RegistrationRefusal(401, 'missing_registration_token');
      const clientId = tokens.get(auth.slice(7).trim());
      if (clientId === undefined) throw new RegistrationRefusal(401, 'invalid_registration_token');
      if (registrations.some((r) => r.clientId === clientId)) {
        throw new RegistrationRefusal(401, 'token_already_used');
      }
      if (!req.is('application/json')) throw new RegistrationRefusal(400, 'invalid_content_type');
      const body = (req.body ?? {}) as Record<string, unknown>;
      checkRegistration(body);
      checkFamilyRules(options.family, body, openidConfiguration().scopes_supported as string[]);
      const deploymentId = String(registrations.length + 1);
      registrations.push({ clientId, deploymentId, request: body });
      const config = body[toolConfiguration] as Record<string, unknown>;
      res.status(200).json({
        ...body,
        client_id: clientId,
        [toolConfiguration]: { ...config, deployment_id: deploymentId },
      });
    } catch (error) {
      if (!(error instanceof RegistrationRefusal)) throw error;
      res.status(error.status).type('text/plain').send(error.reason);
    }
  }

  const router = Router();
  router.get(configPath, (req, res) => {
    // Canvas answers its configuration only with a registration token it issued as bearer.
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (options.family === 'canvas' && !tokens.has(token)) {
      res.status(401).json({ errors: [{ message: 'Invalid registration token' }] });
      return;
    }
    res.json(openidConfiguration());
  });
  router.post(registerPath, express.json({ limit: '64kb' }), register);

  return {
    issuer,
    openidConfigurationUrl: `${baseUrl}${configPath}`,
    router: basePath ? Router().use(basePath, router) : router,
    registrations,
    issueRegistrationToken,
    initiationUrl(toolRegisterUrl, token = issueRegistrationToken()) {
      const url = new URL(toolRegisterUrl);
      url.searchParams.set('openid_configuration', `${baseUrl}${configPath}`);
      url.searchParams.set('registration_token', token);
      return url.href;
    },
    openidConfiguration,
  };
}
