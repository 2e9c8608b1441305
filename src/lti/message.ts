import { AppError } from '../errors.js';
import { claim, ltiVersion, type MessageType, messageTypes } from './claims.js';
import { normalizeRoles } from './roles.js';

/** A verified LTI launch, parsed once at the edge (LTI 1.3 Core §5.3-5.4, Deep Linking 2.0 §4.4). */
export interface LaunchMessage {
  messageType: MessageType;
  deploymentId: string;
  sub: string;
  /** Full role URIs (normalized); may be empty. */
  roles: string[];
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  context?: { id: string; title?: string; label?: string };
  resourceLink?: { id: string; title?: string };
  deepLinking?: { returnUrl: string; data?: string; acceptTypes: string[] };
  targetLinkUri?: string;
  productFamilyCode?: string;
}

type Payload = Record<string, unknown>;

function invalid(name: string, rule: string): never {
  throw new AppError('ERR_LTI_CLAIM_INVALID', `${name} ${rule}`, { details: { claim: name } });
}

function requiredString(value: unknown, name: string, max = 255): string {
  if (typeof value !== 'string' || value === '') invalid(name, 'is required (a non-empty string)');
  if (value.length > max) invalid(name, `must be at most ${max} characters`);
  return value;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function object(value: unknown): Payload | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Payload)
    : undefined;
}

function httpUrl(value: unknown, name: string): string {
  const raw = requiredString(value, name, 2048);
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' || url.protocol === 'http:') return raw;
  } catch {}
  return invalid(name, 'must be an http(s) URL');
}

function parseMessageType(payload: Payload): MessageType {
  const type = payload[claim.messageType];
  if (type === undefined) invalid(claim.messageType, 'is required');
  if (!(messageTypes as readonly unknown[]).includes(type)) {
    throw new AppError(
      'ERR_LTI_MESSAGE_TYPE_UNSUPPORTED',
      `message_type ${JSON.stringify(type)} is not supported`,
      {
        details: { supported: messageTypes },
      },
    );
  }
  return type as MessageType;
}

function parseContext(payload: Payload): LaunchMessage['context'] {
  const context = payload[claim.context];
  if (context === undefined || context === null) return undefined;
  const value = object(context) ?? invalid(claim.context, 'must be an object');
  return {
    id: requiredString(value.id, `${claim.context}.id`),
    ...(optionalString(value.title) ? { title: optionalString(value.title) } : {}),
    ...(optionalString(value.label) ? { label: optionalString(value.label) } : {}),
  };
}

function parseDeepLinking(payload: Payload): LaunchMessage['deepLinking'] {
  const settings =
    object(payload[claim.deepLinkingSettings]) ?? invalid(claim.deepLinkingSettings, 'is required');
  const accept = Array.isArray(settings.accept_types)
    ? settings.accept_types.filter((t) => typeof t === 'string')
    : [];
  return {
    returnUrl: httpUrl(settings.deep_link_return_url, `${claim.deepLinkingSettings}.deep_link_return_url`),
    ...(typeof settings.data === 'string' ? { data: settings.data } : {}),
    acceptTypes: accept as string[],
  };
}

/**
 * Reads the LTI claims of a verified id_token payload. Unknown claims and unknown fields inside claims are ignored
 * (Canvas adds `validation_context` and `errors`); what real platforms leave out (names, email, context) is optional.
 * @throws AppError ERR_LTI_ID_TOKEN_INVALID (no LTI claims at all), ERR_LTI_VERSION_UNSUPPORTED,
 * ERR_LTI_MESSAGE_TYPE_UNSUPPORTED, ERR_LTI_CLAIM_INVALID naming the claim.
 */
export function parseLaunchMessage(payload: Payload): LaunchMessage {
  if (payload[claim.version] === undefined && payload[claim.messageType] === undefined) {
    throw new AppError(
      'ERR_LTI_ID_TOKEN_INVALID',
      'The id_token is not an LTI message (no version, no message_type)',
    );
  }
  if (payload[claim.version] !== ltiVersion) {
    throw new AppError(
      'ERR_LTI_VERSION_UNSUPPORTED',
      `version must be "${ltiVersion}" (got ${JSON.stringify(payload[claim.version] ?? null)})`,
    );
  }
  const messageType = parseMessageType(payload);
  const deploymentId = requiredString(payload[claim.deploymentId], claim.deploymentId);
  const sub = requiredString(payload.sub, 'sub');
  const rawRoles = payload[claim.roles];
  if (!Array.isArray(rawRoles)) invalid(claim.roles, 'is required (an array, possibly empty)');
  const message: LaunchMessage = { messageType, deploymentId, sub, roles: normalizeRoles(rawRoles) };
  for (const [from, to] of [
    ['name', 'name'],
    ['given_name', 'givenName'],
    ['family_name', 'familyName'],
    ['email', 'email'],
  ] as const) {
    const value = optionalString(payload[from]);
    if (value !== undefined) message[to] = value.slice(0, 320);
  }
  const context = parseContext(payload);
  if (context) message.context = context;
  if (messageType === 'LtiResourceLinkRequest') {
    const link = object(payload[claim.resourceLink]) ?? invalid(claim.resourceLink, 'is required');
    message.resourceLink = {
      id: requiredString(link.id, `${claim.resourceLink}.id`),
      ...(optionalString(link.title) ? { title: optionalString(link.title) } : {}),
    };
  } else {
    message.deepLinking = parseDeepLinking(payload);
  }
  const target = optionalString(payload[claim.targetLinkUri]);
  if (target) message.targetLinkUri = target;
  const family = optionalString(object(payload[claim.toolPlatform])?.product_family_code);
  if (family) message.productFamilyCode = family;
  return message;
}
