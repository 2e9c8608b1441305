import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, it } from '@jest/globals';
import {
  buildOpenBadgeCredential,
  createFastSigner,
  signCredential,
  verifyCredential,
} from '../../src/credentials/index.js';
import { credentialInput, issuerKeys, NOW, world } from '../unit/credentials/fixtures.js';

// Issue 6 item 8, single process, single thread (worker pool not built yet): credentials signed per second with
// the plain library and with the fast signer (KeyObject + cached proof options), verified per second, beside raw
// node:crypto Ed25519 over the same 64 bytes, all in this run. `BENCH_CREDENTIALS` sets the count.
const count = Number(process.env.BENCH_CREDENTIALS ?? 400);

async function rate(label: string, run: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(50, count); i++) await run(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = count / seconds;
  console.log(`${label.padEnd(48)} ${perSecond.toFixed(0).padStart(8)}/s`);
  return perSecond;
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
  const fastRate = await rate('fast signer (KeyObject, cached proof, RDF templates)', (i) =>
    fast.sign(inputs[i]!, NOW),
  );
  const signed = await Promise.all(inputs.slice(0, 50).map((c) => signCredential(c, current, NOW)));
  const verifyRate = await rate('verify (proof, did:web, dates; no status fetch)', (i) =>
    verifyCredential(signed[i % signed.length], { ...verifyOptions, fetchStatusList: undefined }),
  );
  const threads1 = await threadRate(1, current, inputs);
  const threads2 = await threadRate(2, current, inputs);
  console.log(
    `worker threads (fast signer, built dist): 1 -> ${threads1.toFixed(0)}/s, 2 -> ${threads2.toFixed(0)}/s (${(threads2 / threads1).toFixed(2)}x)`,
  );
  console.log(
    `ratios: fast/library ${(fastRate / library).toFixed(2)}x, library/raw ${(library / raw).toFixed(4)}, verify/library ${(verifyRate / library).toFixed(2)}x`,
  );
  expect(library).toBeGreaterThan(0);
});

// A worker thread running the built fast signer (dist/, as in production), signing its share of the batch.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(async (m) => {
  const signer = await m.createFastSigner(workerData.key);
  parentPort.on('message', async ({ credentials, created }) => {
    const signed = [];
    for (const c of credentials) signed.push(await signer.sign(c, new Date(created)));
    parentPort.postMessage(signed);
  });
  parentPort.postMessage('ready');
});
`;

async function threadRate(
  threads: number,
  key: unknown,
  credentials: Record<string, unknown>[],
): Promise<number> {
  const root = process.cwd();
  try {
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'ignore',
    });
  } catch {
    // Type errors elsewhere in the tree still emit; the import below fails if the build did not.
  }
  const module = pathToFileURL(path.join(root, 'dist/credentials/index.js')).href;
  const workers = Array.from(
    { length: threads },
    () => new Worker(workerSource, { eval: true, workerData: { module, key } }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const run = async () => {
    const share = Math.ceil(credentials.length / threads);
    await Promise.all(
      workers.map(
        (w, i) =>
          new Promise((resolve) => {
            w.once('message', resolve);
            w.postMessage({
              credentials: credentials.slice(i * share, (i + 1) * share),
              created: NOW.toISOString(),
            });
          }),
      ),
    );
  };
  await run(); // warm-up: templates and JIT
  const start = process.hrtime.bigint();
  const rounds = 5;
  for (let r = 0; r < rounds; r++) await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(workers.map((w) => w.terminate()));
  return (credentials.length * rounds) / seconds;
}
