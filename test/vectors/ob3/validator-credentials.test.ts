// Source: the 1EdTech public validator's OB 3.0 test credentials (github.com/1EdTech/digital-credentials-public-validator,
// inspector-vc/src/test/resources/ob30/), read from ../shared/spec/ob3/validator/credentials/.
import { readdirSync } from 'node:fs';
import { expect, it } from '@jest/globals';
import { ACHIEVEMENT_CREDENTIAL_SCHEMA_URL } from '../../../src/credentials/build.js';
import { createSchemaCheck } from '../../../src/credentials/schema.js';
import { type VerifyOptions, verifyCredential } from '../../../src/credentials/verify.js';
import { describeWithSpec, readSpecJson, readSpecText, specPath } from './spec.js';

const dir = 'validator/credentials/';
const STATUS_LIST_URL =
  'https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist';

function options(): VerifyOptions {
  return {
    now: new Date('2026-01-01T00:00:00Z'),
    // The validator's credentials put the key in the verificationMethod URL (https://<issuer>#<multikey>).
    acceptUnboundKeys: true,
    schemaCheck: createSchemaCheck(
      new Map([[ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, readSpecJson('schema/achievementcredential.json')]]),
    ),
    // Offline: only the validator's own status list is served; any other fetch fails.
    fetchStatusList: async (url) => {
      if (url === STATUS_LIST_URL) return readSpecJson(`${dir}bit-string-list/testlist`);
      throw new Error(`${url} is not reachable in this test`);
    },
    fetchDidDocument: async (url) => {
      throw new Error(`${url} is not reachable in this test`);
    },
  };
}

/** Valid credentials whose proof we support (DataIntegrityProof eddsa-rdfc-2022 / eddsa-2022, Ed25519Signature2020). */
const valid = [
  'simple.json',
  'complete.json',
  'simple-context-alias.json',
  'simple-context-version.json',
  'simple-did-key-method.json',
  'simple-did-web-method.json',
  'simple-eddsa-2022.json',
  'simple-multiple-proofs.json',
  'simple_v1.json',
  'endorsement-valid.json',
];

/** Invalid credentials and the check that must fail (the "reason"). */
const invalid: [file: string, check: string, message: RegExp | null][] = [
  ['simple-err-context.json', 'context', null],
  ['simple-err-type.json', 'format', /OpenBadgeCredential/],
  ['simple-err-credential-subject-achievement-result-description-type.json', 'schema', null],
  ['simple-err-credential-subject-identifier-type.json', 'schema', null],
  ['simple-err-credential-subject-profile-type.json', 'schema', null],
  ['simple-err-credential-subject-result-type.json', 'schema', null],
  ['simple-err-credential-subject-type.json', 'schema', null],
  ['simple-err-evidence-type.json', 'schema', null],
  ['simple-err-issuer-otheridentifier-type.json', 'schema', null],
  ['simple-err-issuer-parentorg-type.json', 'schema', null],
  ['simple-err-issuer-type.json', 'schema', null],
  ['simple-err-issuer.json', 'issuer', /missing/],
  ['simple-err-expired.json', 'validity', /expired/],
  ['simple-err-issued.json', 'validity', /not valid before/],
  ['simple-err-proof-method.json', 'proof', null],
  ['simple-err-proof-method-no-scheme.json', 'issuer', null],
  ['simple-err-proof-method-unknown-did-method.json', 'issuer', /not supported/],
  ['simple-err-proof-method-unknown-scheme.json', 'issuer', null],
  ['simple-err-proof-value.json', 'proof', /invalid/],
  ['simple-noproof.json', 'proof', /no proof/],
  ['endorsement-err-schema-status-refresh.json', 'proof', null],
  ['bit-string-list/credential-status-revoked.json', 'status', /^revoked$/],
  ['bit-string-list/credential-status-revoked-blank-nodes.json', 'status', /^revoked$/],
  // did:web of dc.1edtech.org cannot be resolved offline: rejected at issuer resolution.
  ['credential-status-revoked.json', 'issuer', null],
  // Its key is a document at an https URL (#key-1), which Laurel does not fetch; it also expired in 2020.
  ['complete_v1.json', 'validity', /expired/],
];

/** Not an embedded-proof OB 3.0 credential: selective disclosure (ecdsa-sd) is out of scope. */
const notCovered = ['sd/derivedcredential.json'];

describeWithSpec('1EdTech validator credentials', () => {
  it.each(valid)('accepts %s', async (file) => {
    const report = await verifyCredential(readSpecText(dir + file), options());
    expect(report.checks.filter((c) => !c.valid)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'format',
        'context',
        'proof',
        'issuer',
        'controller',
        'schema',
        'status',
        'validity',
      ]),
    );
  });

  it.each(invalid)('rejects %s for %s', async (file, check, message) => {
    const report = await verifyCredential(readSpecText(dir + file), options());
    expect(report.verified).toBe(false);
    const failed = report.checks.find((c) => c.check === check);
    expect(failed).toMatchObject({ valid: false });
    if (message) expect(failed!.message).toMatch(message);
  });

  it('without acceptUnboundKeys, a key only asserted by the credential does not bind the issuer', async () => {
    const report = await verifyCredential(readSpecText(`${dir}simple.json`), {
      ...options(),
      acceptUnboundKeys: false,
    });
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.check === 'controller')).toMatchObject({ valid: false });
    expect(report.checks.find((c) => c.check === 'proof')).toMatchObject({ valid: true });
  });

  it('the status list of the revoked credential verifies, and its index 23 is set', async () => {
    const report = await verifyCredential(
      readSpecText(`${dir}bit-string-list/credential-status-revoked.json`),
      options(),
    );
    expect(report.checks.find((c) => c.check === 'proof')).toMatchObject({ valid: true });
  });

  it('lists every credential of the folder in one of the tables', () => {
    const listed = new Set([...valid, ...invalid.map(([file]) => file)]);
    const files = readdirSync(specPath(dir), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.json'),
    );
    expect(files.filter((file) => !listed.has(file) && !notCovered.includes(file))).toEqual([]);
  });
});
