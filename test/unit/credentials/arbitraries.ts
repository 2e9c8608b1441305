import fc from 'fast-check';
import type { CredentialInput } from '../../../src/credentials/index.js';
import { credentialInput, messageStatus } from './fixtures.js';

const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim() !== '');

/** Generated credential inputs: text in any script, email or did:key recipients, revocation or
 * message (suspendable) status entries, any status index and date. */
export const credentialInputs: fc.Arbitrary<CredentialInput> = fc
  .record({
    credentialId: fc.uuid(),
    name: text,
    achievementName: text,
    narrative: text,
    recipient: fc.oneof(
      fc.record({ email: fc.emailAddress(), salt: fc.string({ minLength: 8, maxLength: 16 }) }),
      fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{20,44}$/).map((id) => ({ did: `did:key:z${id}` })),
    ),
    index: fc.nat({ max: 131071 }),
    suspendable: fc.boolean(),
    evidence: fc.array(fc.record({ name: text, narrative: text }), { maxLength: 2 }),
    validFromOffset: fc.nat({ max: 10 ** 9 }),
  })
  .map((v) =>
    credentialInput({
      credentialId: v.credentialId,
      name: v.name,
      achievement: { id: 'ach-1', name: v.achievementName, description: 'D', criteriaNarrative: v.narrative },
      recipient: v.recipient,
      evidence: v.evidence,
      validFrom: new Date(Date.UTC(2026, 0, 1) + v.validFromOffset * 1000),
      status: v.suspendable
        ? { ...messageStatus(v.index), statusListCredential: 'https://laurel.example/status/l' }
        : {
            statusListCredential: 'https://laurel.example/status/l',
            statusListIndex: v.index,
            statusPurpose: 'revocation',
          },
    }),
  );
