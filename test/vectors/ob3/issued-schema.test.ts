// Every credential Laurel issues must validate against the OB 3.0 AchievementCredential JSON Schema
// (draft 2019-09), ../shared/spec/ob3/schema/achievementcredential.json, from 1EdTech/openbadges-specification.
import { expect, it } from '@jest/globals';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, createSchemaCheck } from '../../../src/credentials/index.js';
import { credentialInput, issue, messageStatus } from '../../unit/credentials/fixtures.js';
import { describeWithSpec, readSpecJson } from './spec.js';

describeWithSpec('issued credentials against achievementcredential.json', () => {
  const variants = {
    'email recipient': credentialInput(),
    'DID recipient, expiring, no evidence': credentialInput({
      recipient: { did: 'did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi' },
      validUntil: new Date('2027-01-01T00:00:00Z'),
      evidence: [],
    }),
    'no image, description': credentialInput({
      description: 'Awarded for teamwork.',
      achievement: { id: 'a', name: 'A', description: 'D', criteriaNarrative: 'C' },
    }),
    'suspendable (message status entry, CREDENTIAL_SUSPENSION=true)': credentialInput({
      status: messageStatus(),
    }),
  };

  it.each(Object.entries(variants))('%s validates (plain ajv)', async (_name, input) => {
    const ajv = new Ajv2019.default({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(readSpecJson('schema/achievementcredential.json'));
    const signed = await issue(input);
    expect(Array.isArray(signed.proof)).toBe(true);
    expect(validate(signed) ? [] : validate.errors).toEqual([]);
  });

  it.each(Object.entries(variants))(
    '%s validates through the verifier schema check',
    async (_name, input) => {
      const check = createSchemaCheck(
        new Map([[ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, readSpecJson('schema/achievementcredential.json')]]),
      );
      expect(await check(await issue(input))).toMatchObject({ valid: true });
    },
  );
});
