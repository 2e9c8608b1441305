import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  buildOpenBadgeCredential,
  type CredentialInput,
  createFastSigner,
  signCredential,
} from '../../../src/credentials/index.js';
import { credentialInput, issuerKeys, NOW } from './fixtures.js';

const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim() !== '');

const inputs: fc.Arbitrary<CredentialInput> = fc
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
      status: {
        statusListCredential: 'https://laurel.example/status/l',
        statusListIndex: v.index,
        statusPurpose: 'revocation',
      },
    }),
  );

describe('fast signer', () => {
  it('signs every generated credential byte for byte as the plain library does', async () => {
    const { current } = await issuerKeys();
    const fast = await createFastSigner(current);
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        const credential = buildOpenBadgeCredential(input);
        const plain = await signCredential(credential, current, NOW);
        const quick = await fast.sign(credential, NOW);
        expect(JSON.stringify(quick)).toBe(JSON.stringify(plain));
      }),
      { numRuns: Number(process.env.FAST_SIGN_RUNS ?? 150) },
    );
    // The template path must actually have been taken (not only the plain fallback).
    expect(fast.stats.template).toBeGreaterThan(fast.stats.plain);
  });

  it('takes the plain path for values that would change the RDF shape', async () => {
    const { current } = await issuerKeys();
    const fast = await createFastSigner(current);
    const a = buildOpenBadgeCredential(credentialInput({ credentialId: 'a' }));
    const b = buildOpenBadgeCredential(credentialInput({ credentialId: 'b' }));
    (b.credentialSubject as any).achievement.id = 'relative/id';
    await fast.sign(a, NOW);
    await fast.sign(a, NOW);
    const before = fast.stats.plain;
    await expect(fast.sign(b, NOW)).rejects.toBeDefined();
    expect(fast.stats.plain).toBe(before + 1);
  });

  it('does not reuse a cached proof across different created times', async () => {
    const { current } = await issuerKeys();
    const fast = await createFastSigner(current);
    const credential = buildOpenBadgeCredential(credentialInput());
    const later = new Date(NOW.getTime() + 1000);
    await fast.sign(credential, NOW);
    expect(JSON.stringify(await fast.sign(credential, later))).toBe(
      JSON.stringify(await signCredential(credential, current, later)),
    );
  });
});
