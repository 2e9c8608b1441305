import { achievementTypes } from '../../badges/achievement.js';
import { imageLimits } from '../../badges/image.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
/** Revoke, suspend and unsuspend record why. */
const reasonBody = {
  required: true,
  ...json({
    type: 'object',
    required: ['reason'],
    properties: { reason: { type: 'string', maxLength: 500 } },
  }),
};
const error = (description: string) => ({ description, ...json(ref('Error')) });
const id = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', format: 'uuid' },
});
const achievementId = id('id', 'Achievement id');
const userIdQuery = {
  name: 'userId',
  in: 'query',
  required: false,
  description: 'A learner (instructors); learners may only name themselves',
  schema: { type: 'string', format: 'uuid' },
};
const common = {
  '401': error('No or expired launch session (ERR_LTI_SESSION_INVALID)'),
  '403': error('Another course, another learner, or not an instructor (ERR_BADGE_COURSE_FORBIDDEN)'),
};
const withAchievement = { ...common, '404': error('Unknown achievement (ERR_BADGE_ACHIEVEMENT_NOT_FOUND)') };

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', description: 'Stable code, see docs/errors.md' },
          message: { type: 'string' },
          requestId: { type: 'string' },
          path: { type: 'string', description: 'JSON Pointer of the bad place (rules: inside the rule)' },
          issues: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
  AchievementInput: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'description', 'criteria'],
    properties: {
      name: { type: 'string', maxLength: 200 },
      description: { type: 'string', maxLength: 5000 },
      criteria: {
        type: 'object',
        additionalProperties: false,
        properties: { narrative: { type: 'string' }, id: { type: 'string', format: 'uri' } },
      },
      tags: { type: 'array', items: { type: 'string' } },
      alignment: {
        type: 'array',
        items: {
          type: 'object',
          required: ['targetName', 'targetUrl'],
          properties: {
            targetName: { type: 'string' },
            targetUrl: { type: 'string', format: 'uri' },
            targetDescription: { type: 'string' },
            targetFramework: { type: 'string', description: 'e.g. a CASE framework name' },
            targetCode: { type: 'string' },
            targetType: { type: 'string', description: 'e.g. CFItem' },
          },
        },
      },
      achievementType: { type: 'string', enum: achievementTypes, default: 'Badge' },
      creator: { type: 'object', properties: { name: { type: 'string' }, url: { type: 'string' } } },
      library: {
        type: 'boolean',
        default: false,
        description: 'Owned by the platform (reusable library, platform admins) rather than the course',
      },
    },
  },
  Achievement: {
    allOf: [
      ref('AchievementInput'),
      {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          courseId: { type: ['string', 'null'] },
          version: {
            type: 'integer',
            description: 'Current version; awards keep the one they were issued under',
          },
          image: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' } } },
          createdAt: { type: 'string', format: 'date-time' },
          archivedAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    ],
  },
  RuleInput: {
    type: 'object',
    additionalProperties: false,
    required: ['rule'],
    properties: {
      rule: { type: 'object', description: 'An award rule, see docs/rules.md' },
      onVoid: { type: 'string', enum: ['revoke', 'keep'], default: 'revoke' },
      backfill: { type: 'boolean', default: true, description: 'Evaluate stored history for every learner' },
    },
  },
  Rule: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      achievementId: { type: 'string' },
      revision: { type: 'integer' },
      rule: { type: 'object' },
      onVoid: { type: 'string' },
      relevance: { type: 'object' },
      backfill: { type: 'object', properties: { jobs: { type: 'integer' } } },
    },
  },
  Award: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      userId: { type: 'string', format: 'uuid' },
      achievementId: { type: 'string', format: 'uuid' },
      achievementVersion: { type: 'integer' },
      ruleId: { type: ['string', 'null'] },
      kind: { type: 'string', enum: ['rule', 'manual'] },
      awardedBy: { type: ['string', 'null'] },
      awardedAt: { type: 'string', format: 'date-time' },
      revokedAt: { type: ['string', 'null'], format: 'date-time' },
      revocationReason: { type: ['string', 'null'] },
      credentialId: {
        type: ['string', 'null'],
        format: 'uuid',
        description: 'In award lists: the issued credential, /credentials/{credentialId}; null until issued',
      },
      credentialStatus: {
        type: ['string', 'null'],
        enum: ['valid', 'suspended', 'revoked', null],
        description: "In award lists and suspend answers: the credential's status; null until issued",
      },
      suspendedAt: { type: ['string', 'null'], format: 'date-time' },
      suspensionReason: { type: ['string', 'null'] },
      suspendable: {
        type: 'boolean',
        description:
          'True when the credential can be suspended (issued with CREDENTIAL_SUSPENSION=true, not revoked)',
      },
      evidence: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['statement', 'grade', 'manual'] },
            id: { type: 'string' },
            ref: { type: 'string' },
            voided: { type: 'boolean' },
          },
        },
      },
    },
  },
  IdentitySettings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      accountHomePages: {
        type: 'array',
        items: { type: 'string', format: 'uri' },
        description: 'More homePages whose account names are the LTI sub (besides the issuer)',
      },
      mappings: {
        type: 'array',
        items: {
          oneOf: [
            {
              type: 'object',
              properties: {
                account: {
                  type: 'object',
                  properties: { homePage: { type: 'string' }, name: { enum: ['sub', 'email'] } },
                },
              },
            },
            {
              type: 'object',
              properties: {
                openid: {
                  type: 'object',
                  properties: { prefix: { type: 'string' }, name: { const: 'sub' } },
                },
              },
            },
          ],
        },
      },
      learnersLinked: { type: 'integer', readOnly: true },
    },
  },
  Awards: { type: 'object', properties: { awards: { type: 'array', items: ref('Award') } } },
  DryRun: {
    type: 'object',
    properties: {
      wouldEarn: { type: 'integer' },
      alreadyAwarded: { type: 'integer' },
      learners: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            userId: { type: 'string' },
            met: { type: 'boolean' },
            have: { type: 'integer' },
            need: { type: 'integer' },
            reason: { type: 'string' },
            awarded: { type: 'boolean' },
          },
        },
      },
    },
  },
  Explain: {
    type: 'object',
    properties: {
      userId: { type: 'string' },
      ruleId: { type: 'string' },
      met: { type: 'boolean' },
      statements: { type: 'integer' },
      grades: { type: 'integer', description: 'LMS grades (AGS results) of the line items the rule names' },
      explain: {
        type: 'object',
        description: 'One node per rule node: path, kind, met, have, need, reason, nearest',
      },
      award: { oneOf: [ref('Award'), { type: 'null' }] },
    },
  },
};

/** The OpenAPI 3.1 description of the badges API (served at /api/openapi.json). */
export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Laurel badges API',
      version: '0.1.0',
      description:
        'Achievements, award rules and awards. Authorised by the LTI launch session (X-Laurel-Session): ' +
        'instructors and administrators of the course manage; learners read their own awards.',
    },
    servers: [{ url: publicUrl }],
    security: [{ launchSession: [] }, { apiToken: [] }],
    components: {
      securitySchemes: {
        launchSession: { type: 'apiKey', in: 'header', name: 'X-Laurel-Session' },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'From POST /api/tokens: a course token acts as an instructor, a platform token as a platform admin',
        },
      },
      schemas,
    },
    paths: {
      '/api/achievements': {
        get: {
          summary: "The course's achievements and the platform library",
          responses: { '200': { description: 'Achievements', ...json({ type: 'object' }) }, ...common },
        },
        post: {
          summary: 'Create an achievement (version 1)',
          requestBody: { required: true, ...json(ref('AchievementInput')) },
          responses: {
            '201': { description: 'Created', ...json(ref('Achievement')) },
            '400': error('Invalid field (ERR_VALIDATION, path)'),
            ...common,
          },
        },
      },
      '/api/achievements/{id}': {
        parameters: [achievementId],
        get: {
          summary: 'One achievement',
          responses: { '200': { description: 'OK', ...json(ref('Achievement')) }, ...withAchievement },
        },
        patch: {
          summary: 'Change fields: stores a new version',
          requestBody: { required: true, ...json({ type: 'object' }) },
          responses: {
            '200': { description: 'New version', ...json(ref('Achievement')) },
            ...withAchievement,
          },
        },
        delete: {
          summary: 'Archive (its rule stops; awards stay)',
          responses: { '204': { description: 'Archived' }, ...withAchievement },
        },
      },
      '/api/achievements/{id}/image': {
        parameters: [achievementId],
        put: {
          summary: `Upload the image (PNG, or SVG without scripts, event handlers, external references or entities; at most ${imageLimits.maxBytes} bytes)`,
          requestBody: {
            required: true,
            content: {
              'image/png': { schema: { type: 'string', format: 'binary' } },
              'image/svg+xml': { schema: { type: 'string' } },
            },
          },
          responses: {
            '200': { description: 'New version with the image', ...json(ref('Achievement')) },
            '400': error('Refused image (ERR_BADGE_IMAGE_INVALID, rule)'),
            '413': error('Too large (ERR_BODY_TOO_LARGE)'),
            ...withAchievement,
          },
        },
        get: {
          summary: 'The image',
          responses: { '200': { description: 'PNG or SVG' }, ...withAchievement },
        },
      },
      '/api/achievements/{id}/rule': {
        parameters: [achievementId],
        get: {
          summary: 'The active rule',
          responses: { '200': { description: 'OK', ...json(ref('Rule')) }, ...withAchievement },
        },
        put: {
          summary:
            'Create or replace the rule (a new revision) and backfill stored history; a rule naming LMS line items also syncs their grades (AGS) now',
          requestBody: { required: true, ...json(ref('RuleInput')) },
          responses: {
            '201': { description: 'First revision', ...json(ref('Rule')) },
            '200': { description: 'New revision', ...json(ref('Rule')) },
            '400': error('ERR_RULE_INVALID / ERR_RULE_TOO_COMPLEX with path, a JSON Pointer inside the rule'),
            ...withAchievement,
          },
        },
      },
      '/api/achievements/{id}/backfill': {
        parameters: [achievementId],
        post: {
          summary: 'Evaluate stored history again for every candidate learner (queued)',
          responses: {
            '202': {
              description: 'Jobs queued',
              ...json({ type: 'object', properties: { jobs: { type: 'integer' } } }),
            },
            ...withAchievement,
          },
        },
      },
      '/api/achievements/{id}/dry-run': {
        parameters: [achievementId],
        post: {
          summary: 'Who would earn this now, and how far each learner is (nothing is awarded)',
          responses: { '200': { description: 'OK', ...json(ref('DryRun')) }, ...withAchievement },
        },
      },
      '/api/achievements/{id}/explain': {
        parameters: [achievementId, userIdQuery],
        get: {
          summary: 'Why a learner has (not) earned it: which condition fails and the nearest statement',
          responses: { '200': { description: 'OK', ...json(ref('Explain')) }, ...withAchievement },
        },
      },
      '/api/achievements/{id}/awards': {
        parameters: [achievementId],
        get: {
          summary: "The achievement's awards",
          parameters: [userIdQuery],
          responses: { '200': { description: 'OK', ...json(ref('Awards')) }, ...withAchievement },
        },
        post: {
          summary: 'Award by hand (idempotent: 200 with the existing award)',
          requestBody: {
            required: true,
            ...json({
              type: 'object',
              required: ['userId'],
              properties: { userId: { type: 'string', format: 'uuid' } },
            }),
          },
          responses: {
            '201': { description: 'Awarded', ...json(ref('Award')) },
            '200': { description: 'Already held', ...json(ref('Award')) },
            ...withAchievement,
          },
        },
      },
      '/badges/images/{file}': {
        get: {
          summary: 'An achievement image by content hash (public: issued credentials link to it)',
          security: [],
          parameters: [
            {
              name: 'file',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: '^[0-9a-f]{64}\\.(png|svg)$' },
            },
          ],
          responses: { '200': { description: 'PNG or SVG' }, '404': error('No such image (ERR_NOT_FOUND)') },
        },
      },
      '/api/identity-settings': {
        get: {
          summary: 'How xAPI actors link to users (platform admins)',
          responses: { '200': { description: 'OK', ...json(ref('IdentitySettings')) }, ...common },
        },
        put: {
          summary: 'Replace the identity settings; kept statements are linked again',
          requestBody: { required: true, ...json(ref('IdentitySettings')) },
          responses: {
            '200': { description: 'Saved', ...json(ref('IdentitySettings')) },
            '400': error('ERR_VALIDATION with path'),
            ...common,
          },
        },
      },
      '/api/tokens': {
        get: {
          summary: 'API tokens of the course (platform admins: all)',
          security: [{ launchSession: [] }],
          responses: { '200': { description: 'OK' }, ...common },
        },
        post: {
          summary: 'Create an API token (the secret is in this response only)',
          security: [{ launchSession: [] }],
          requestBody: {
            required: false,
            ...json({
              type: 'object',
              additionalProperties: false,
              properties: {
                label: { type: 'string' },
                scope: { enum: ['course', 'platform'], default: 'course' },
              },
            }),
          },
          responses: { '201': { description: 'Created; `token` is shown once' }, ...common },
        },
      },
      '/api/tokens/{id}': {
        parameters: [id('id', 'Token id')],
        delete: {
          summary: 'Revoke an API token',
          security: [{ launchSession: [] }],
          responses: { '204': { description: 'Revoked' }, ...common },
        },
      },
      '/api/awards': {
        get: {
          summary: 'Awards in the course (instructors) or your own (learners)',
          parameters: [userIdQuery],
          responses: { '200': { description: 'OK', ...json(ref('Awards')) }, ...common },
        },
      },
      '/api/awards/{id}': {
        parameters: [id('id', 'Award id')],
        get: {
          summary: 'One award',
          responses: { '200': { description: 'OK', ...json(ref('Award')) }, ...common },
        },
      },
      '/api/awards/{id}/revoke': {
        parameters: [id('id', 'Award id')],
        post: {
          summary: 'Revoke an award with a reason',
          requestBody: reasonBody,
          responses: { '200': { description: 'Revoked', ...json(ref('Award')) }, ...common },
        },
      },
      ...Object.fromEntries(
        (['suspend', 'unsuspend'] as const).map((action) => [
          `/api/awards/{id}/${action}`,
          {
            parameters: [id('id', 'Award id')],
            post: {
              summary:
                action === 'suspend'
                  ? "Suspend the award's credential with a reason: it stops verifying until unsuspended"
                  : "Unsuspend the award's credential with a reason: it verifies again",
              description:
                '409 ERR_CONFLICT when the award is revoked, its credential not issued yet, or already in that state; 409 ERR_CREDENTIAL_NOT_SUSPENDABLE when the credential was issued revocation-only.',
              requestBody: reasonBody,
              responses: { '200': { description: 'Done', ...json(ref('Award')) }, ...common },
            },
          },
        ]),
      ),
    },
  };
}
