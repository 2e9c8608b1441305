import { describe, expect, it } from '@jest/globals';
import {
  buildOpenBadgeCredential,
  createBitstring,
  createDocumentLoader,
  decodeList,
  didWebToUrl,
  encodeList,
  getStatus,
  getStatusValue,
  hashIdentity,
  randomIndex,
  resolveVerificationMethod,
  setStatus,
  setStatusValue,
  verifyCredential,
} from '../../../src/credentials/index.js';
import { isAppError } from '../../../src/errors.js';
import { credentialInput, ISSUER_DID, issue, messageStatus, NOW, world } from './fixtures.js';

describe('building an OpenBadgeCredential', () => {
  it('has the contexts, ids, subject, achievement, schema and status the issue asks for', () => {
    const credential = buildOpenBadgeCredential(credentialInput()) as any;
    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
    expect(credential.id).toBe('https://laurel.example/credentials/cred-1');
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.issuer).toMatchObject({
      id: 'did:web:laurel.example:issuers:iss-1',
      type: ['Profile'],
    });
    expect(credential.validFrom).toBe('2026-02-28T10:00:00Z');
    expect(credential.awardedDate).toBe('2026-02-27T10:00:00Z');
    expect(credential.credentialSubject.identifier[0]).toEqual({
      type: 'IdentityObject',
      identityHash: hashIdentity('learner@example.org', 'salt-1234567'),
      identityType: 'emailAddress',
      hashed: true,
      salt: 'salt-1234567',
    });
    expect(credential.credentialSubject.achievement.id).toBe('https://laurel.example/achievements/ach-1');
    expect(credential.credentialSubject.achievement.image.type).toBe('Image');
    expect(credential.credentialSchema[0].type).toBe('1EdTechJsonSchemaValidator2019');
    expect(credential.credentialStatus).toMatchObject({
      type: 'BitstringStatusListEntry',
      statusListIndex: '94567',
      statusListCredential: 'https://laurel.example/status/list-1',
    });
  });

  it('uses the learner DID when given, and validUntil when the achievement expires', () => {
    const credential = buildOpenBadgeCredential(
      credentialInput({
        recipient: { did: 'did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi' },
        validUntil: new Date('2027-01-01T00:00:00Z'),
      }),
    ) as any;
    expect(credential.credentialSubject.id).toBe('did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi');
    expect(credential.credentialSubject.identifier).toBeUndefined();
    expect(credential.validUntil).toBe('2027-01-01T00:00:00Z');
  });

  it('hashes identities as the spec example does (sha256 of a@example.com salted with Kosher)', () => {
    expect(hashIdentity('a@example.com', 'Kosher')).toBe(
      'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399',
    );
  });

  it('refuses bad input with ERR_CREDENTIAL_INVALID naming the field', () => {
    const bad = () => buildOpenBadgeCredential(credentialInput({ baseUrl: 'ftp://laurel.example' }));
    expect(bad).toThrow(/baseUrl/);
    try {
      buildOpenBadgeCredential(credentialInput({ validUntil: new Date('2020-01-01T00:00:00Z') }));
    } catch (error) {
      expect(isAppError(error, 'ERR_CREDENTIAL_INVALID')).toBe(true);
    }
  });
});

describe('issuing and verifying', () => {
  it('a freshly issued credential verifies on every check through did:web and the status list', async () => {
    const { verifyOptions } = await world();
    const report = await verifyCredential(await issue(), verifyOptions);
    expect(report.checks.filter((c) => !c.valid)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.checks.find((c) => c.check === 'issuer')?.message).toMatch(/did:web/);
  });

  it('a credential signed with a rotated (old) key still verifies', async () => {
    const { verifyOptions, keys } = await world();
    const report = await verifyCredential(await issue(credentialInput(), keys.old), verifyOptions);
    expect(report.verified).toBe(true);
  });

  it('stops verifying once its index is set in the revocation list', async () => {
    const { verifyOptions } = await world({ revoked: [94567] });
    const report = await verifyCredential(await issue(), verifyOptions);
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.check === 'status')).toEqual({
      check: 'status',
      valid: false,
      message: 'revoked',
    });
  });

  it.each([
    [0, true, 'valid'],
    [1, false, 'revoked'],
    [2, false, 'suspended'],
    [3, false, 'undefined'],
  ])('reads a 2-bit message entry: value %d is valid=%s, "%s"', async (value, valid, message) => {
    // The neighbours' values must not leak into this entry (index * statusSize, §3.2).
    const { verifyOptions } = await world({ values: { 94566: 3, 94567: value, 94568: 3 } });
    const report = await verifyCredential(
      await issue(credentialInput({ status: messageStatus() })),
      verifyOptions,
    );
    expect(report.checks.find((c) => c.check === 'status')).toEqual({ check: 'status', valid, message });
    expect(report.verified).toBe(valid);
  });

  it('refuses a message entry whose statusMessage does not cover every value', async () => {
    const { verifyOptions } = await world({ values: {} });
    const { signCredential } = await import('../../../src/credentials/index.js');
    const { issuerKeys } = await import('./fixtures.js');
    const unsigned = buildOpenBadgeCredential(credentialInput({ status: messageStatus() }));
    const status = unsigned.credentialStatus as { statusMessage: unknown[] };
    status.statusMessage = status.statusMessage.slice(0, 3);
    const signed = await signCredential(unsigned, (await issuerKeys()).current, NOW);
    const report = await verifyCredential(signed, verifyOptions);
    expect(report.checks.find((c) => c.check === 'status')).toMatchObject({
      valid: false,
      message: expect.stringMatching(/statusMessage must list 4/),
    });
  });

  it('refuses a message entry against a revocation list (purposes differ)', async () => {
    const { verifyOptions } = await world();
    const report = await verifyCredential(
      await issue(credentialInput({ status: messageStatus() })),
      verifyOptions,
    );
    expect(report.checks.find((c) => c.check === 'status')).toMatchObject({
      valid: false,
      message: expect.stringMatching(/is for revocation, not message/),
    });
  });

  it('detects a tampered credential', async () => {
    const { verifyOptions } = await world();
    const credential = { ...(await issue()), name: 'Tampered Badge' };
    const report = await verifyCredential(credential, verifyOptions);
    expect(report.checks.find((c) => c.check === 'proof')).toMatchObject({ valid: false });
  });

  it('refuses a key whose controller is not the issuer', async () => {
    const { verifyOptions, keys } = await world();
    const other = buildOpenBadgeCredential(
      credentialInput({ issuer: { id: 'did:web:evil.example', name: 'Evil' } }),
    );
    const { signCredential } = await import('../../../src/credentials/index.js');
    const report = await verifyCredential(await signCredential(other, keys.current, NOW), verifyOptions);
    expect(report.checks.find((c) => c.check === 'controller')).toMatchObject({ valid: false });
  });

  it('reports a missing status list as a failed status check', async () => {
    const { verifyOptions } = await world();
    const report = await verifyCredential(await issue(), { ...verifyOptions, fetchStatusList: undefined });
    expect(report.checks.find((c) => c.check === 'status')).toMatchObject({ valid: false });
  });

  it.each([
    ['undefined', undefined],
    ['a number', 42],
    ['malformed JSON', '{"@context": ['],
    ['an array', []],
    ['an empty object', {}],
    ['a JWT', 'eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln'],
    [
      'an unknown context',
      {
        '@context': ['https://www.w3.org/ns/credentials/v2', 'https://evil.example/ctx.json'],
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
      },
    ],
    [
      'an embedded context with an undefined term',
      {
        '@context': ['https://www.w3.org/ns/credentials/v2', { x: 'https://evil.example/x' }],
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
      },
    ],
    [
      'a proof without verificationMethod',
      {
        '@context': [
          'https://www.w3.org/ns/credentials/v2',
          'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        ],
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        issuer: 'did:web:x.example',
        proof: {
          type: 'DataIntegrityProof',
          cryptosuite: 'eddsa-rdfc-2022',
          proofPurpose: 'assertionMethod',
        },
      },
    ],
  ])('answers a failed report, never throws, for %s', async (_name, input) => {
    const report = await verifyCredential(input, { now: NOW });
    expect(report.verified).toBe(false);
    expect(report.checks.some((c) => !c.valid)).toBe(true);
  });
});

describe('document loader and DIDs', () => {
  it('fails closed on any URL it does not hold', async () => {
    await expect(createDocumentLoader()('https://evil.example/context.json')).rejects.toMatchObject({
      code: 'ERR_CREDENTIAL_UNKNOWN_CONTEXT',
    });
    await expect(
      createDocumentLoader()('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'),
    ).resolves.toMatchObject({ documentUrl: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json' });
  });

  it('maps did:web to its HTTPS URL (did:web spec examples)', () => {
    expect(didWebToUrl('did:web:w3c-ccg.github.io')).toBe('https://w3c-ccg.github.io/.well-known/did.json');
    expect(didWebToUrl('did:web:w3c-ccg.github.io:user:alice')).toBe(
      'https://w3c-ccg.github.io/user/alice/did.json',
    );
    expect(didWebToUrl('did:web:example.com%3A3000:user:alice')).toBe(
      'https://example.com:3000/user/alice/did.json',
    );
    expect(() => didWebToUrl('did:web:evil.example/../x')).toThrow();
    expect(ISSUER_DID).toBe('did:web:laurel.example:issuers:iss-1');
  });

  it('resolves did:key Ed25519 keys and refuses other DID methods', async () => {
    const did = 'did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi';
    await expect(
      resolveVerificationMethod(`${did}#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi`),
    ).resolves.toMatchObject({
      controller: did,
      source: 'did:key',
    });
    await expect(resolveVerificationMethod('did:example:123#k')).rejects.toMatchObject({
      code: 'ERR_VERIFY_DID_UNSUPPORTED',
    });
    await expect(
      resolveVerificationMethod('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'),
    ).rejects.toMatchObject({
      code: 'ERR_VERIFY_KEY_UNRESOLVED',
    });
  });
});

describe('bitstring status list', () => {
  it('sets and reads bits most significant first, and round-trips the encoding', () => {
    const bits = createBitstring();
    setStatus(bits, 0, true);
    setStatus(bits, 13, true);
    expect(bits[0]).toBe(0x80);
    expect(bits[1]).toBe(0x04);
    const decoded = decodeList(encodeList(bits));
    expect(getStatus(decoded, 13)).toBe(true);
    expect(getStatus(decoded, 12)).toBe(false);
    expect(decoded.length * 8).toBe(131072);
  });

  it('reads and writes multi-bit entries at index * size, most significant bit first', () => {
    const bits = createBitstring(131072, 2);
    expect(bits.length).toBe(32768);
    setStatusValue(bits, 0, 2, 2);
    setStatusValue(bits, 5, 2, 1);
    expect(bits[0]).toBe(0b1000_0000);
    expect(bits[1]).toBe(0b0001_0000); // entry 5 is bits 10-11: "01"
    expect(getStatusValue(bits, 0, 2)).toBe(2);
    expect(getStatusValue(bits, 5, 2)).toBe(1);
    setStatusValue(bits, 5, 2, 0);
    expect(getStatusValue(bits, 5, 2)).toBe(0);
    expect(() => setStatusValue(bits, 1, 2, 4)).toThrow(/does not fit/);
    expect(() => getStatusValue(bits, 131072, 2)).toThrow(/outside/);
  });

  it('refuses non-GZIP lists and out-of-range indexes', () => {
    expect(() => decodeList('uAAAA')).toThrow(/GZIP/);
    expect(() => getStatus(createBitstring(), 131072)).toThrow(/outside/);
  });

  it('draws indexes from the injected randomness', () => {
    expect(randomIndex(131072, () => new Uint8Array([0, 1, 0, 5]))).toBe(65541);
  });
});

describe('signing failures', () => {
  it('fails closed on an unknown context and on terms the contexts do not define', async () => {
    const { issuerKeys } = await import('./fixtures.js');
    const { signCredential } = await import('../../../src/credentials/index.js');
    const { current } = await issuerKeys();
    const credential = buildOpenBadgeCredential(credentialInput());
    await expect(
      signCredential(
        { ...credential, '@context': [...(credential['@context'] as string[]), 'https://evil.example/c'] },
        current,
        NOW,
      ),
    ).rejects.toMatchObject({ code: 'ERR_CREDENTIAL_UNKNOWN_CONTEXT' });
    await expect(signCredential({ ...credential, undefinedTerm: 'x' }, current, NOW)).rejects.toMatchObject({
      code: 'ERR_CREDENTIAL_SIGNING_FAILED',
    });
  });
});
