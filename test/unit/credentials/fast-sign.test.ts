import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  buildOpenBadgeCredential,
  createFastSigner,
  signCredential,
} from '../../../src/credentials/index.js';
import { credentialInputs } from './arbitraries.js';
import { credentialInput, issuerKeys, NOW } from './fixtures.js';

describe('fast signer', () => {
  it('signs every generated credential byte for byte as the plain library does', async () => {
    const { current } = await issuerKeys();
    const fast = await createFastSigner(current);
    await fc.assert(
      fc.asyncProperty(credentialInputs, async (input) => {
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
