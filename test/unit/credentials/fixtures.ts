import {
  buildDidDocument,
  buildStatusListCredential,
  type CredentialInput,
  createBitstring,
  didWebFromHost,
  didWebToUrl,
  generateIssuerKey,
  type IssuerKey,
  issueOpenBadgeCredential,
  STATUS_MESSAGE_SIZE,
  STATUS_MESSAGES,
  type StatusEntryInput,
  setStatus,
  setStatusValue,
  signCredential,
  toPublicKey,
  type VerifyOptions,
} from '../../../src/credentials/index.js';

export const BASE = 'https://laurel.example';
export const ISSUER_DID = didWebFromHost('laurel.example', 'issuers', 'iss-1');
export const NOW = new Date('2026-03-01T12:00:00Z');
export const STATUS_URL = `${BASE}/status/list-1`;

/** A `message` status entry (2 bits: valid, revoked, suspended), as Laurel issues with CREDENTIAL_SUSPENSION. */
export function messageStatus(index = 94567): StatusEntryInput {
  return {
    statusListCredential: STATUS_URL,
    statusListIndex: index,
    statusPurpose: 'message',
    statusSize: STATUS_MESSAGE_SIZE,
    statusMessage: STATUS_MESSAGES,
    statusReference: `${BASE}/status/messages`,
  };
}

export function credentialInput(overrides: Partial<CredentialInput> = {}): CredentialInput {
  return {
    baseUrl: BASE,
    credentialId: 'cred-1',
    name: 'Teamwork Badge',
    issuer: {
      id: ISSUER_DID,
      name: 'Example College',
      url: 'https://college.example',
      email: 'badges@college.example',
    },
    achievement: {
      id: 'ach-1',
      name: 'Teamwork',
      description: 'Works well in a team.',
      criteriaNarrative: 'Completed the group project with a passing grade.',
      image: 'https://laurel.example/achievements/ach-1/image.png',
      imageCaption: 'Teamwork badge',
    },
    recipient: { email: 'Learner@Example.org', salt: 'salt-1234567' },
    awardedDate: new Date('2026-02-27T10:00:00Z'),
    validFrom: new Date('2026-02-28T10:00:00Z'),
    evidence: [{ id: 'https://lms.example/statements/1', name: 'Project passed', narrative: 'Scored 92%.' }],
    status: { statusListCredential: STATUS_URL, statusListIndex: 94567, statusPurpose: 'revocation' },
    ...overrides,
  };
}

export async function issuerKeys(): Promise<{ current: IssuerKey; old: IssuerKey }> {
  return {
    current: await generateIssuerKey(ISSUER_DID, new Uint8Array(32).fill(7)),
    old: await generateIssuerKey(ISSUER_DID, new Uint8Array(32).fill(3)),
  };
}

/**
 * Serves the DID document (both keys) and a status list, as Laurel's routes would: a `revocation` list with
 * the `revoked` indexes set, or, given `values`, a 2-bit `message` list holding them.
 */
export async function world(options: { revoked?: number[]; values?: Record<number, number> } = {}) {
  const keys = await issuerKeys();
  const size = options.values ? STATUS_MESSAGE_SIZE : 1;
  const bits = createBitstring(undefined, size);
  for (const index of options.revoked ?? []) setStatus(bits, index, true);
  for (const [index, value] of Object.entries(options.values ?? {}))
    setStatusValue(bits, Number(index), size, value);
  const list = await signCredential(
    buildStatusListCredential({
      id: STATUS_URL,
      issuer: ISSUER_DID,
      validFrom: NOW,
      statusPurpose: options.values ? 'message' : 'revocation',
      bits,
    }),
    keys.current,
    NOW,
  );
  const didDocument = buildDidDocument(ISSUER_DID, [toPublicKey(keys.current), toPublicKey(keys.old)]);
  const verifyOptions: VerifyOptions = {
    now: NOW,
    fetchDidDocument: async (url) => {
      if (url === didWebToUrl(ISSUER_DID)) return didDocument;
      throw new Error(`unexpected fetch ${url}`);
    },
    fetchStatusList: async (url) => {
      if (url === STATUS_URL) return list;
      throw new Error(`unexpected fetch ${url}`);
    },
  };
  return { keys, verifyOptions, list, didDocument };
}

export async function issue(input = credentialInput(), key?: IssuerKey) {
  return issueOpenBadgeCredential(input, key ?? (await issuerKeys()).current, NOW);
}
