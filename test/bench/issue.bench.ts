import { createPrivateKey, sign } from 'node:crypto';
import { expect, it } from '@jest/globals';
import {
  buildOpenBadgeCredential,
  type Credential,
  createFastSigner,
  createSigningPool,
  type IssuerKey,
  signCredential,
  verifyCredential,
} from '../../src/credentials/index.js';
import { credentialInput, issuerKeys, NOW, world } from '../unit/credentials/fixtures.js';

// Issue 6 items 7 and 8, all in this run: credentials signed per second by raw node:crypto Ed25519 (the floor),
// the plain library, the fast signer on the main thread, and the signing pool (src/credentials/signing-pool.ts)
// with 1 and 2 threads, fed all at once and one at a time (as one issue-job worker does); verified per second;
// and the main thread's event loop stalls while issuing (what HTTP requests would wait). `BENCH_CREDENTIALS`
// sets the count. Under jest the pool's threads run the sources through swc (no build needed); note that the
// main-thread figures run inside jest's VM context, which slows JSON-LD work, and the threads do not.
const count = Number(process.env.BENCH_CREDENTIALS ?? 400);

function report(label: string, seconds: number, n = count): number {
  const perSecond = n / seconds;
  console.log(`${label.padEnd(56)} ${perSecond.toFixed(0).padStart(8)}/s`);
  return perSecond;
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * One at a time: `run(i)` awaited in turn, after `warmUp` calls. The fast paths keep speeding up over the first
 * few hundred credentials (JIT, templates), so they warm up longer than the slow library paths need.
 */
async function rate(label: string, run: (i: number) => unknown, warmUp = 50): Promise<number> {
  for (let i = 0; i < warmUp; i++) await run(i % count);
  return report(
    label,
    await time(async () => {
      for (let i = 0; i < count; i++) await run(i);
    }),
  );
}

/**
 * The event loop's stalls (ms) while issuing one at a time, yielding between credentials as a job's database
 * round trips do: how long a timer, socket or HTTP request waits behind signing.
 */
async function loopStalls(sign: (i: number) => Promise<unknown>): Promise<{ p99: number; max: number }> {
  const gaps: number[] = [];
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  for (let i = 0; i < count; i++) {
    await sign(i);
    await new Promise((resolve) => setImmediate(resolve));
  }
  running = false;
  gaps.sort((a, b) => a - b);
  return { p99: gaps[Math.floor(gaps.length * 0.99)] ?? 0, max: gaps.at(-1) ?? 0 };
}

async function poolRates(threads: number, key: IssuerKey, inputs: Credential[]) {
  const pool = createSigningPool({ threads });
  try {
    const all = () => Promise.all(inputs.map((c) => pool.sign(c, key, NOW)));
    // Warm-up: every thread loads the libraries, builds its templates and sees as many credentials as the
    // main-thread signer did.
    for (let round = 0; round < 2 * threads; round++) await all();
    const together = report(`pool, ${threads} thread(s), all at once`, await time(all));
    const oneByOne = await rate(`pool, ${threads} thread(s), one at a time`, (i) =>
      pool.sign(inputs[i]!, key, NOW),
    );
    const stalls = await loopStalls((i) => pool.sign(inputs[i]!, key, NOW));
    return { together, oneByOne, stalls };
  } finally {
    await pool.close();
  }
}

it('issue: sign and verify rates with ratios', async () => {
  const { current } = await issuerKeys();
  const { verifyOptions } = await world();
  const inputs = Array.from({ length: count }, (_, i) =>
    buildOpenBadgeCredential(
      credentialInput({
        credentialId: `c-${i}`,
        recipient: { email: `l${i}@example.org`, salt: 'salt-1234567' },
      }),
    ),
  );
  const pair = await (await import('@digitalbazaar/ed25519-multikey')).from({ type: 'Multikey', ...current });
  const keyObject = createPrivateKey({
    key: Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      Buffer.from(pair.secretKey!.subarray(0, 32)),
    ]),
    format: 'der',
    type: 'pkcs8',
  });
  const data = Buffer.alloc(64, 7);
  const raw = await rate('raw node:crypto Ed25519 (KeyObject reused)', () => sign(null, data, keyObject));
  const library = await rate('library sign (vc + eddsa-rdfc-2022)', (i) =>
    signCredential(inputs[i]!, current, NOW),
  );
  const fast = await createFastSigner(current);
  const fastRate = await rate('fast signer, main thread', (i) => fast.sign(inputs[i]!, NOW), 2 * count);
  const mainStalls = await loopStalls((i) => fast.sign(inputs[i]!, NOW));
  const one = await poolRates(1, current, inputs);
  const two = await poolRates(2, current, inputs);
  const signed = await Promise.all(inputs.slice(0, 50).map((c) => signCredential(c, current, NOW)));
  const verifyRate = await rate('verify (proof, did:web, dates; no status fetch)', (i) =>
    verifyCredential(signed[i % signed.length], { ...verifyOptions, fetchStatusList: undefined }),
  );
  const ms = (d: { p99: number; max: number }) => `p99 ${d.p99.toFixed(1)} ms, max ${d.max.toFixed(1)} ms`;
  console.log(
    [
      `event loop stalls issuing ${count} one at a time: main thread ${ms(mainStalls)}; pool(1) ${ms(one.stalls)}; pool(2) ${ms(two.stalls)}`,
      `ratios: fast/library ${(fastRate / library).toFixed(2)}x, library/raw ${(library / raw).toFixed(4)}, verify/library ${(verifyRate / library).toFixed(2)}x`,
      `pool(1)/fast ${(one.together / fastRate).toFixed(2)}x all at once, ${(one.oneByOne / fastRate).toFixed(2)}x one at a time; ` +
        `pool(2)/pool(1) ${(two.together / one.together).toFixed(2)}x all at once, ${(two.oneByOne / one.oneByOne).toFixed(2)}x one at a time; ` +
        `pool(2)/fast ${(two.together / fastRate).toFixed(2)}x`,
    ].join('\n'),
  );
  expect(two.together).toBeGreaterThan(0);
});
