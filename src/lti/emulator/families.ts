import { randomUUID } from 'node:crypto';
import { claim, roleVocab } from '../claims.js';

/**
 * What Moodle 4.x and Canvas really put in an LTI 1.3 id_token, minus the signing fields
 * (iss, aud, azp, iat, exp, nonce) that the emulator adds. Shapes copied from launches of both platforms:
 * Moodle sends a numeric `sub`, `ext`, a LIS claim with empty sourcedids and full role URIs; Canvas an opaque
 * `sub`, institution+membership+system roles, `custom`, `lis`, `https://www.instructure.com/placement`
 * and `validation_context`/`errors` noise inside its claims.
 */
export type PlatformFamily = 'moodle' | 'canvas';

export interface EmulatedUser {
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
}

export interface EmulatedContext {
  id: string;
  label?: string;
  title?: string;
}

/** One launch as a platform would describe it before signing. */
export interface LaunchRequest {
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  user: EmulatedUser;
  /** Role strings exactly as sent (full URIs, short names, unknown or empty strings). */
  roles: string[];
  /** `null` sends no context claim. */
  context?: EmulatedContext | null;
  resourceLink?: { id: string; title?: string };
  targetLinkUri?: string;
  custom?: Record<string, string>;
  /** Deep Linking settings `data`, echoed by the tool. */
  deepLinkingData?: string;
}

export interface FamilyProfile {
  productFamilyCode: string;
  paths: { auth: string; jwks: string; token: string; deepLinkReturn: string };
  /** lti_storage_target sent on login initiation, if the platform offers postMessage storage. */
  storageTarget: string | undefined;
  /** The issuer every instance shares (Canvas Cloud: https://canvas.instructure.com); none: the site URL. */
  fixedIssuer: string | undefined;
  /** Whether the platform sends azp (Canvas does, Moodle does not). */
  sendsAzp: boolean;
  newSub(sequence: number): string;
  roles: { instructor: string[]; learner: string[] };
  claims(input: FamilyClaimsInput): Record<string, unknown>;
}

export interface FamilyClaimsInput {
  request: LaunchRequest;
  deploymentId: string;
  targetLinkUri: string;
  baseUrl: string;
  deepLinkReturnUrl: string;
}

function personClaims(user: EmulatedUser): Record<string, unknown> {
  const pii: Record<string, unknown> = {};
  for (const key of ['name', 'given_name', 'family_name', 'email'] as const) {
    if (user[key] !== undefined) pii[key] = user[key];
  }
  return pii;
}

function deepLinkingSettings(input: FamilyClaimsInput, accept: string[]): Record<string, unknown> {
  return {
    deep_link_return_url: input.deepLinkReturnUrl,
    accept_types: accept,
    accept_presentation_document_targets: ['iframe', 'window'],
    accept_multiple: true,
    auto_create: true,
    ...(input.request.deepLinkingData === undefined ? {} : { data: input.request.deepLinkingData }),
  };
}

const moodle: FamilyProfile = {
  productFamilyCode: 'moodle',
  paths: {
    auth: '/mod/lti/auth.php',
    jwks: '/mod/lti/certs.php',
    token: '/mod/lti/token.php',
    deepLinkReturn: '/mod/lti/contentitem_return.php',
  },
  storageTarget: undefined,
  fixedIssuer: undefined,
  sendsAzp: false,
  newSub: (sequence) => String(sequence + 1),
  roles: {
    instructor: [`${roleVocab.membership}Instructor`],
    learner: [`${roleVocab.membership}Learner`],
  },
  claims(input) {
    const { request } = input;
    const context = request.context;
    const message: Record<string, unknown> = {
      [claim.deploymentId]: input.deploymentId,
      [claim.targetLinkUri]: input.targetLinkUri,
      sub: request.user.sub,
      [claim.lis]: { person_sourcedid: '', course_section_sourcedid: '' },
      [claim.roles]: request.roles,
      ...(context
        ? {
            [claim.context]: {
              id: context.id,
              label: context.label ?? `C${context.id}`,
              title: context.title ?? `Course ${context.id}`,
              type: ['CourseSection'],
            },
          }
        : {}),
      [claim.messageType]: request.messageType ?? 'LtiResourceLinkRequest',
      ...personClaims(request.user),
      [claim.ext]: {
        user_username: `user${request.user.sub}`,
        lms: 'moodle-2',
      },
      [claim.launchPresentation]: {
        locale: 'en',
        document_target: 'iframe',
        return_url: `${input.baseUrl}/mod/lti/return.php`,
      },
      [claim.toolPlatform]: {
        product_family_code: 'moodle',
        version: '2024100700',
        guid: new URL(input.baseUrl).host,
        name: 'Emulated Moodle',
        description: 'Emulated Moodle',
      },
      [claim.version]: '1.3.0',
      [claim.custom]: request.custom ?? {},
    };
    if ((request.messageType ?? 'LtiResourceLinkRequest') === 'LtiResourceLinkRequest') {
      const link = request.resourceLink ?? { id: '1', title: 'Laurel badges' };
      message[claim.resourceLink] = { title: link.title ?? 'Laurel badges', description: '', id: link.id };
    } else {
      message[claim.deepLinkingSettings] = deepLinkingSettings(input, ['ltiResourceLink']);
    }
    return message;
  },
};

const canvasNoise = { validation_context: null, errors: { errors: {} } };

const canvas: FamilyProfile = {
  productFamilyCode: 'canvas',
  paths: {
    auth: '/api/lti/authorize_redirect',
    jwks: '/api/lti/security/jwks',
    token: '/login/oauth2/token',
    deepLinkReturn: '/courses/1/deep_linking_response',
  },
  storageTarget: 'post_message_forwarding',
  fixedIssuer: 'https://canvas.instructure.com',
  sendsAzp: true,
  newSub: () => randomUUID(),
  roles: {
    instructor: [
      `${roleVocab.institution}Instructor`,
      `${roleVocab.membership}Instructor`,
      `${roleVocab.system}User`,
    ],
    learner: [`${roleVocab.institution}Student`, `${roleVocab.membership}Learner`, `${roleVocab.system}User`],
  },
  claims(input) {
    const { request } = input;
    const context = request.context;
    const messageType = request.messageType ?? 'LtiResourceLinkRequest';
    const message: Record<string, unknown> = {
      [claim.messageType]: messageType,
      [claim.version]: '1.3.0',
      [claim.deploymentId]: input.deploymentId,
      sub: request.user.sub,
      [claim.targetLinkUri]: input.targetLinkUri,
      ...(context
        ? {
            [claim.context]: {
              id: context.id,
              label: context.label ?? 'BIO101',
              title: context.title ?? 'Introduction to Biology',
              type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'],
              ...canvasNoise,
            },
          }
        : {}),
      [claim.toolPlatform]: {
        guid: 'emulated:canvas-lms',
        name: 'Emulated Canvas',
        version: 'cloud',
        product_family_code: 'canvas',
        ...canvasNoise,
      },
      [claim.launchPresentation]: {
        document_target: 'iframe',
        return_url: `${input.baseUrl}/courses/1/external_content/success/external_tool_redirect`,
        locale: 'en',
        height: 400,
        width: 800,
      },
      locale: 'en',
      [claim.roles]: request.roles,
      [claim.custom]: request.custom ?? {
        canvas_course_id: context?.id ?? '',
        canvas_user_id: '$Canvas.user.id',
      },
      [claim.lis]: {
        person_sourcedid: `sis-${request.user.sub.slice(0, 8)}`,
        ...(context ? { course_offering_sourcedid: `sis-course-${context.id.slice(0, 8)}` } : {}),
        ...canvasNoise,
      },
      errors: { errors: {} },
      'https://www.instructure.com/placement':
        messageType === 'LtiDeepLinkingRequest' ? 'link_selection' : 'course_navigation',
      [claim.lti11LegacyUserId]: request.user.sub.replaceAll('-', '').slice(0, 40),
      ...personClaims(request.user),
    };
    if (messageType === 'LtiResourceLinkRequest') {
      const link = request.resourceLink ?? { id: randomUUID(), title: 'Laurel badges' };
      message[claim.resourceLink] = {
        id: link.id,
        description: null,
        title: link.title ?? 'Laurel badges',
        ...canvasNoise,
      };
    } else {
      message[claim.deepLinkingSettings] = deepLinkingSettings(input, [
        'ltiResourceLink',
        'link',
        'file',
        'html',
        'image',
      ]);
    }
    return message;
  },
};

export const families: Record<PlatformFamily, FamilyProfile> = { moodle, canvas };
