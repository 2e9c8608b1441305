import { randomBytes } from 'node:crypto';
import type { Platform } from '../store/platforms.js';
import { claim, ltiVersion } from './claims.js';
import { type KeyContext, signJwt } from './keys.js';
import type { LaunchMessage } from './message.js';

/** Where the resource link Laurel returns points: the course's badges page, launched as a resource link. */
export const courseBadgesPath = '/lti/course/badges';

export interface DeepLinkingResponseInput {
  platform: Pick<Platform, 'issuer' | 'clientId'>;
  message: Pick<LaunchMessage, 'deploymentId' | 'deepLinking'>;
  publicUrl: string;
}

/**
 * The LtiDeepLinkingResponse payload (Deep Linking 2.0 §4.5): one ltiResourceLink to the course badges page,
 * `data` echoed, iss = our client_id, aud = the platform's issuer.
 */
export function deepLinkingResponsePayload(input: DeepLinkingResponseInput): Record<string, unknown> {
  const data = input.message.deepLinking?.data;
  const accepted = input.message.deepLinking?.acceptTypes ?? [];
  // Deep Linking 2.0 §4.4.1: return only types in accept_types; a platform taking no resource links gets none.
  const offered = accepted.length === 0 || accepted.includes('ltiResourceLink');
  return {
    iss: input.platform.clientId,
    aud: input.platform.issuer,
    nonce: randomBytes(16).toString('base64url'),
    [claim.messageType]: 'LtiDeepLinkingResponse',
    [claim.version]: ltiVersion,
    [claim.deploymentId]: input.message.deploymentId,
    [claim.deepLinkingContentItems]: offered
      ? [
          {
            type: 'ltiResourceLink',
            title: 'Course badges',
            text: 'The badges learners can earn in this course, and the ones they have earned.',
            url: input.publicUrl + courseBadgesPath,
          },
        ]
      : [],
    ...(offered ? {} : { [claim.deepLinkingErrorMsg]: 'Laurel can only be added as an LTI resource link' }),
    ...(data === undefined ? {} : { [claim.deepLinkingData]: data }),
  };
}

/**
 * The signed response JWT, to auto-post as `JWT` to `deep_link_return_url`.
 * @throws AppError ERR_INTERNAL when no tool key can sign.
 */
export async function signDeepLinkingResponse(
  ctx: KeyContext,
  input: DeepLinkingResponseInput,
): Promise<string> {
  return signJwt(ctx, deepLinkingResponsePayload(input) as Parameters<typeof signJwt>[1], {
    lifetimeSeconds: 300,
  });
}
