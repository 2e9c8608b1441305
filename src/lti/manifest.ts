import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * manifest.json (repo root) is the one source of Laurel's LTI registration. Everything a platform is told
 * about Laurel (Dynamic Registration request, Canvas JSON, the install page, plugin/<lms>/README.md URLs) is
 * derived from it here, for a given PUBLIC_URL.
 */
export const manifestFile = new URL('../../manifest.json', import.meta.url);

const path = z
  .string()
  .regex(/^\/[^\s?#]*$/, 'must be an absolute path starting with / (no query or fragment)');

const placement = z.strictObject({
  message: z.enum(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']),
  // Canvas placement names; Dynamic Registration passes them in `placements` (platforms ignore unknown ones).
  placement: z.enum(['course_navigation', 'link_selection', 'assignment_selection']),
  label: z.string().min(1),
  // members: everyone in the course (Canvas visibility `members`); instructors: instructors only (`admins`).
  audience: z.enum(['members', 'instructors']),
  path,
});

const manifestSchema = z.strictObject({
  title: z.string().min(1),
  description: z.string().min(1),
  icon: path,
  paths: z.strictObject({
    login: path,
    launch: path,
    deepLinking: path,
    redirectUris: z.array(path).min(1),
    jwks: path,
    dynamicRegistration: path,
    canvasConfiguration: path,
  }),
  placements: z.array(placement).min(1),
  scopes: z.array(z.url()),
  claims: z.array(z.string().min(1)),
  customParameters: z.record(z.string().regex(/^[a-z0-9_]+$/), z.string()),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestPlacement = z.infer<typeof placement>;

/**
 * Validates a parsed manifest.
 * @throws AppError ERR_CONFIG_INVALID naming the first bad field.
 */
export function parseManifest(json: unknown): Manifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new AppError(
      'ERR_CONFIG_INVALID',
      `manifest.json ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      {
        details: { path: issue.path.join('.') },
      },
    );
  }
  return result.data;
}

let cached: Promise<Manifest> | undefined;

/**
 * Reads and validates manifest.json (the repo's, cached, unless `file` is given).
 * @throws AppError ERR_CONFIG_INVALID when it is missing, not JSON, or invalid.
 */
export function loadManifest(file?: URL | string): Promise<Manifest> {
  if (file === undefined) {
    cached ??= readManifest(manifestFile);
    return cached;
  }
  return readManifest(file);
}

async function readManifest(file: URL | string): Promise<Manifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AppError('ERR_CONFIG_INVALID', `manifest.json cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseManifest(json);
}

/** Every URL a platform administrator needs, for one PUBLIC_URL. */
export interface ToolUrls {
  publicUrl: string;
  /** LTI Dynamic Registration 1.0 `initiate_login_uri`'s host: the tool's domain (with port when not default). */
  domain: string;
  login: string;
  launch: string;
  deepLinking: string;
  redirectUris: string[];
  jwks: string;
  dynamicRegistration: string;
  canvasConfiguration: string;
  icon: string;
}

export function toolUrls(manifest: Manifest, publicUrl: string): ToolUrls {
  const base = publicUrl.replace(/\/$/, '');
  const at = (p: string) => `${base}${p}`;
  return {
    publicUrl: base,
    domain: new URL(base).host,
    login: at(manifest.paths.login),
    launch: at(manifest.paths.launch),
    deepLinking: at(manifest.paths.deepLinking),
    redirectUris: [...new Set(manifest.paths.redirectUris.map(at))],
    jwks: at(manifest.paths.jwks),
    dynamicRegistration: at(manifest.paths.dynamicRegistration),
    canvasConfiguration: at(manifest.paths.canvasConfiguration),
    icon: at(manifest.icon),
  };
}

/** Canvas's privacy level for the claims the manifest asks for (Canvas sends no PII unless told). */
export function canvasPrivacyLevel(manifest: Manifest): 'public' | 'name_only' | 'email_only' | 'anonymous' {
  const name = manifest.claims.some((c) => c === 'name' || c === 'given_name' || c === 'family_name');
  const email = manifest.claims.includes('email');
  if (name && email) return 'public';
  if (name) return 'name_only';
  return email ? 'email_only' : 'anonymous';
}

const instructorRoles = [
  'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  'http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper',
];
export const toolConfigurationClaim = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

/** The LTI Dynamic Registration 1.0 §3.3 client registration request (OpenID Connect Registration + LTI). */
export interface RegistrationRequest {
  application_type: 'web';
  response_types: ['id_token'];
  grant_types: ['implicit', 'client_credentials'];
  initiate_login_uri: string;
  redirect_uris: string[];
  client_name: string;
  jwks_uri: string;
  logo_uri: string;
  token_endpoint_auth_method: 'private_key_jwt';
  scope: string;
  [toolConfigurationClaim]: {
    domain: string;
    'https://canvas.instructure.com/lti/privacy_level': string;
    description: string;
    target_link_uri: string;
    custom_parameters: Record<string, string>;
    claims: string[];
    messages: Array<{
      type: string;
      target_link_uri: string;
      label: string;
      placements: string[];
      roles?: string[];
    }>;
  };
}

/**
 * The registration request for `publicUrl`. With `scopesSupported` (from the platform's OpenID
 * configuration) only scopes the platform offers are asked for (§3.3: the tool should not request others).
 */
export function registrationRequest(
  manifest: Manifest,
  publicUrl: string,
  options: { scopesSupported?: readonly string[] } = {},
): RegistrationRequest {
  const urls = toolUrls(manifest, publicUrl);
  const scopes = options.scopesSupported
    ? manifest.scopes.filter((scope) => options.scopesSupported!.includes(scope))
    : manifest.scopes;
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: urls.login,
    redirect_uris: urls.redirectUris,
    client_name: manifest.title,
    jwks_uri: urls.jwks,
    logo_uri: urls.icon,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: scopes.join(' '),
    [toolConfigurationClaim]: {
      domain: urls.domain,
      // Canvas's extension (ignored by other platforms): without it Canvas registers the tool anonymous.
      'https://canvas.instructure.com/lti/privacy_level': canvasPrivacyLevel(manifest),
      description: manifest.description,
      target_link_uri: urls.launch,
      custom_parameters: { ...manifest.customParameters },
      claims: [...manifest.claims],
      messages: manifest.placements.map((p) => ({
        type: p.message,
        target_link_uri: `${urls.publicUrl}${p.path}`,
        label: p.label,
        placements: [p.placement],
        ...(p.audience === 'instructors' ? { roles: [...instructorRoles] } : {}),
      })),
    },
  };
}

/** Canvas "LTI 1.3 tool configuration" JSON (developer key, "Enter URL" / "Paste JSON"). */
export function canvasConfiguration(manifest: Manifest, publicUrl: string): Record<string, unknown> {
  const urls = toolUrls(manifest, publicUrl);
  return {
    title: manifest.title,
    description: manifest.description,
    oidc_initiation_url: urls.login,
    target_link_uri: urls.launch,
    public_jwk_url: urls.jwks,
    scopes: [...manifest.scopes],
    custom_fields: { ...manifest.customParameters },
    extensions: [
      {
        platform: 'canvas.instructure.com',
        domain: urls.domain,
        tool_id: manifest.title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        privacy_level: canvasPrivacyLevel(manifest),
        settings: {
          text: manifest.title,
          icon_url: urls.icon,
          placements: manifest.placements.map((p) => ({
            placement: p.placement,
            message_type: p.message,
            text: p.label,
            target_link_uri: `${urls.publicUrl}${p.path}`,
            icon_url: urls.icon,
            enabled: true,
            ...(p.placement === 'course_navigation'
              ? { default: 'enabled', visibility: p.audience === 'instructors' ? 'admins' : 'members' }
              : {}),
          })),
        },
      },
    ],
  };
}
