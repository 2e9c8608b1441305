import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  buildOpenBadgeCredential,
  createSigningPool,
  type SigningPool,
  signCredential,
} from '../../../src/credentials/index.js';
import { credentialInputs } from './arbitraries.js';
import { credentialInput, issuerKeys, NOW } from './fixtures.js';

const pools: SigningPool[] = [];
function pool(options: Parameters<typeof createSigningPool>[0]): SigningPool {
  const created = createSigningPool(options);
  pools.push(created);
  return created;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('signing pool', () => {
  it('signs every generated credential byte for byte as the plain library does, one by one and in batches', async () => {
    const { current } = await issuerKeys();
    const signing = pool({ threads: 2 });
    await fc.assert(
      fc.asyncProperty(fc.array(credentialInputs, { minLength: 1, maxLength: 6 }), async (inputs) => {
        const credentials = inputs.map((input) => buildOpenBadgeCredential(input));
        // In parallel: both threads busy, replies matched to their requests.
        const pooled = await Promise.all(credentials.map((c) => signing.sign(c, current, NOW)));
        for (const [i, credential] of credentials.entries()) {
          const plain = await signCredential(credential, current, NOW);
          expect(JSON.stringify(pooled[i])).toBe(JSON.stringify(plain));
        }
      }),
      { numRuns: Number(process.env.SIGNING_POOL_RUNS ?? 40) },
    );
  });

  it('signs with the key and created time of each request', async () => {
    const { current, old } = await issuerKeys();
    const signing = pool({ threads: 1 });
    const credential = buildOpenBadgeCredential(credentialInput());
    const later = new Date(NOW.getTime() + 1000);
    const [a, b] = await Promise.all([
      signing.sign(credential, current, NOW),
      signing.sign(credential, old, later),
    ]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(await signCredential(credential, current, NOW)));
    expect(JSON.stringify(b)).toBe(JSON.stringify(await signCredential(credential, old, later)));
  });

  it("answers a signing error with the library's AppError code", async () => {
    const { current } = await issuerKeys();
    const signing = pool({ threads: 1 });
    const credential = buildOpenBadgeCredential(credentialInput());
    credential['@context'] = [...(credential['@context'] as string[]), 'https://example.org/unknown.jsonld'];
    await expect(signing.sign(credential, current, NOW)).rejects.toMatchObject({
      name: 'AppError',
      code: 'ERR_CREDENTIAL_UNKNOWN_CONTEXT',
    });
    // The thread is still there and signs the next one.
    const fine = buildOpenBadgeCredential(credentialInput());
    expect(await signing.sign(fine, current, NOW)).toHaveProperty('proof');
  });

  it('fails fast when the queue is full, and refuses work once closed', async () => {
    const { current } = await issuerKeys();
    const signing = createSigningPool({ threads: 1, queueLimit: 1 });
    const credential = buildOpenBadgeCredential(credentialInput());
    // Two go to the thread, one waits in the queue, the fourth finds the queue full.
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => signing.sign(credential, current, NOW)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({
      code: 'ERR_CREDENTIAL_SIGNING_BUSY',
    });
    // close() lets the request in the thread finish and refuses the queued one.
    const inThread = [signing.sign(credential, current, NOW), signing.sign(credential, current, NOW)];
    const queued = signing.sign(credential, current, NOW);
    const settled = Promise.all([
      ...inThread.map((signed) => expect(signed).resolves.toHaveProperty('proof')),
      expect(queued).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' }),
    ]);
    await signing.close();
    await settled;
    await expect(signing.sign(credential, current, NOW)).rejects.toMatchObject({ code: 'ERR_SHUTTING_DOWN' });
  });

  it('fails the requests of a thread that dies and replaces the thread', async () => {
    const { current } = await issuerKeys();
    const crashes: Error[] = [];
    // A 64 MB thread heap holds the libraries, not a credential of 3 million strings: the thread dies while
    // reading the request (many small strings: V8 stops the thread; one huge string would abort the process).
    const signing = pool({ threads: 1, maxHeapMb: 64, onCrash: (error) => crashes.push(error) });
    const credential = buildOpenBadgeCredential(credentialInput());
    await signing.sign(credential, current, NOW);
    const huge = { ...credential, tags: Array.from({ length: 3_000_000 }, (_, i) => `tag-${i}`) };
    await expect(signing.sign(huge, current, NOW)).rejects.toMatchObject({
      code: 'ERR_CREDENTIAL_SIGNING_FAILED',
    });
    expect(crashes).toHaveLength(1);
    const again = await signing.sign(credential, current, NOW);
    expect(JSON.stringify(again)).toBe(JSON.stringify(await signCredential(credential, current, NOW)));
  });
});
