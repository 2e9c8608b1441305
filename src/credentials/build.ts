import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { OB_CONTEXT, OB_EXTENSIONS_CONTEXT, VC_V2_CONTEXT } from './document-loader.js';
import type { Credential } from './sign.js';

/** The published URL of the OB 3.0 AchievementCredential JSON Schema (its internal `$id` differs). */
export const ACHIEVEMENT_CREDENTIAL_SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export interface IssuerProfile {
  /** did:web:<host>:issuers:<id> */
  id: string;
  name: string;
  url?: string;
  email?: string;
  image?: string;
  description?: string;
}

export interface AchievementInput {
  /** Laurel's id; the achievement's `id` is `<baseUrl>/achievements/<id>`. */
  id: string;
  name: string;
  description: string;
  criteriaNarrative: string;
  /** Image URL or data: URI. */
  image?: string;
  imageCaption?: string;
  achievementType?: string;
}

/** The learner's DID when they gave one, else their email hashed with a salt (OB 3.0 IdentityObject). */
export type RecipientInput = { did: string } | { email: string; salt: string };

export interface EvidenceInput {
  id?: string;
  name?: string;
  narrative?: string;
  description?: string;
}

export interface StatusEntryInput {
  /** URL of the status list credential, served at `/status/<id>`. */
  statusListCredential: string;
  statusListIndex: number;
  statusPurpose: 'revocation' | 'suspension' | 'message';
  /** For `message` entries: bits per entry and the meaning of each value (Bitstring Status List §2.1). */
  statusSize?: number;
  statusMessage?: readonly { status: string; message: string }[];
  /** A URL describing the statuses (encouraged for `message`). */
  statusReference?: string;
}

export interface CredentialInput {
  /** Public HTTPS origin of Laurel, without a trailing slash. */
  baseUrl: string;
  credentialId: string;
  name: string;
  description?: string;
  issuer: IssuerProfile;
  achievement: AchievementInput;
  recipient: RecipientInput;
  awardedDate: Date;
  validFrom: Date;
  validUntil?: Date;
  evidence: EvidenceInput[];
  status: StatusEntryInput;
}

/** XML Schema dateTime in UTC without milliseconds, as OB 3.0 examples write it. */
export function toDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `sha256$<hex>` of `identity` salted with `salt` (OB 3.0 IdentityHash). */
export function hashIdentity(identity: string, salt: string): string {
  return `sha256$${createHash('sha256').update(`${identity}${salt}`, 'utf8').digest('hex')}`;
}

/**
 * Builds an unsigned OpenBadgeCredential (VCDM 2.0, OB 3.0.3) from `input`; times are passed in.
 * @throws AppError ERR_CREDENTIAL_INVALID when a field breaks an OB 3.0 rule.
 */
export function buildOpenBadgeCredential(input: CredentialInput): Credential {
  checkInput(input);
  const base = input.baseUrl;
  const credential: Credential = {
    '@context': [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
    id: `${base}/credentials/${encodeURIComponent(input.credentialId)}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: input.name,
    ...(input.description ? { description: input.description } : {}),
    issuer: buildIssuer(input.issuer),
    validFrom: toDateTime(input.validFrom),
    ...(input.validUntil ? { validUntil: toDateTime(input.validUntil) } : {}),
    awardedDate: toDateTime(input.awardedDate),
    credentialSubject: {
      type: ['AchievementSubject'],
      ...buildRecipient(input.recipient),
      achievement: buildAchievement(base, input.achievement),
    },
    credentialSchema: [{ id: ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, type: '1EdTechJsonSchemaValidator2019' }],
    credentialStatus: {
      id: `${input.status.statusListCredential}#${input.status.statusListIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: input.status.statusPurpose,
      statusListIndex: String(input.status.statusListIndex),
      statusListCredential: input.status.statusListCredential,
      ...(input.status.statusSize === undefined ? {} : { statusSize: input.status.statusSize }),
      ...(input.status.statusMessage
        ? { statusMessage: input.status.statusMessage.map((m) => ({ status: m.status, message: m.message })) }
        : {}),
      ...(input.status.statusReference ? { statusReference: input.status.statusReference } : {}),
    },
  };
  if (input.evidence.length > 0) credential.evidence = input.evidence.map(buildEvidence);
  return credential;
}

function buildIssuer(issuer: IssuerProfile): Record<string, unknown> {
  return {
    id: issuer.id,
    type: ['Profile'],
    name: issuer.name,
    ...(issuer.url ? { url: issuer.url } : {}),
    ...(issuer.email ? { email: issuer.email } : {}),
    ...(issuer.description ? { description: issuer.description } : {}),
    ...(issuer.image ? { image: { id: issuer.image, type: 'Image' } } : {}),
  };
}

function buildRecipient(recipient: RecipientInput): Record<string, unknown> {
  if ('did' in recipient) return { id: recipient.did };
  const email = recipient.email.trim().toLowerCase();
  return {
    identifier: [
      {
        type: 'IdentityObject',
        identityHash: hashIdentity(email, recipient.salt),
        identityType: 'emailAddress',
        hashed: true,
        salt: recipient.salt,
      },
    ],
  };
}

function buildAchievement(base: string, achievement: AchievementInput): Record<string, unknown> {
  return {
    id: `${base}/achievements/${encodeURIComponent(achievement.id)}`,
    type: ['Achievement'],
    ...(achievement.achievementType ? { achievementType: achievement.achievementType } : {}),
    name: achievement.name,
    description: achievement.description,
    criteria: { narrative: achievement.criteriaNarrative },
    ...(achievement.image
      ? {
          image: {
            id: achievement.image,
            type: 'Image',
            ...(achievement.imageCaption ? { caption: achievement.imageCaption } : {}),
          },
        }
      : {}),
  };
}

function buildEvidence(evidence: EvidenceInput): Record<string, unknown> {
  return {
    ...(evidence.id ? { id: evidence.id } : {}),
    type: ['Evidence'],
    ...(evidence.name ? { name: evidence.name } : {}),
    ...(evidence.narrative ? { narrative: evidence.narrative } : {}),
    ...(evidence.description ? { description: evidence.description } : {}),
  };
}

function checkInput(input: CredentialInput): void {
  const fail = (path: string, rule: string) =>
    new AppError('ERR_CREDENTIAL_INVALID', `${path} ${rule}`, { details: { path } });
  // https in production; http only for local development (PUBLIC_URL decides).
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(input.baseUrl) || input.baseUrl.endsWith('/'))
    throw fail('baseUrl', 'must be an http(s) URL without a trailing slash');
  if (!input.issuer.id.startsWith('did:')) throw fail('issuer.id', 'must be a DID');
  for (const [path, date] of [
    ['validFrom', input.validFrom],
    ['awardedDate', input.awardedDate],
    ['validUntil', input.validUntil],
  ] as const)
    if (date !== undefined && Number.isNaN(date.getTime())) throw fail(path, 'must be a valid date');
  if (input.validUntil && input.validUntil <= input.validFrom)
    throw fail('validUntil', 'must be after validFrom');
  if ('did' in input.recipient && !/^did:[a-z0-9]+:\S+$/.test(input.recipient.did))
    throw fail('recipient.did', 'must be a DID');
  if ('email' in input.recipient && input.recipient.salt.length < 8)
    throw fail('recipient.salt', 'must be at least 8 characters');
  if (!Number.isSafeInteger(input.status.statusListIndex) || input.status.statusListIndex < 0)
    throw fail('status.statusListIndex', 'must be a non-negative integer');
  const { statusSize, statusMessage } = input.status;
  if (statusSize !== undefined && (!Number.isInteger(statusSize) || statusSize < 1 || statusSize > 8))
    throw fail('status.statusSize', 'must be an integer from 1 to 8');
  if ((statusSize ?? 1) > 1 && statusMessage?.length !== 2 ** statusSize!)
    throw fail('status.statusMessage', 'must list one message for each value of statusSize bits');
  for (const [path, value] of [
    ['name', input.name],
    ['achievement.name', input.achievement.name],
    ['achievement.description', input.achievement.description],
    ['achievement.criteriaNarrative', input.achievement.criteriaNarrative],
    ['issuer.name', input.issuer.name],
  ] as const)
    if (value.trim() === '') throw fail(path, 'must not be empty');
}
