import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { credentialsCommand } from '../../../src/cli/credentials.js';
import type { AppContext } from '../../../src/context.js';
import { bakePng } from '../../../src/credentials/index.js';
import { issueCredential } from '../../../src/issuing/index.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let db: TestSchema;
let ctx: AppContext;
let dir: string;

beforeAll(async () => {
  db = await createTestSchema();
  ctx = await testContext(db, { config: testConfig({ PUBLIC_URL: 'https://laurel.test' }) });
  dir = await mkdtemp(path.join(tmpdir(), 'laurel-cli-'));
});

afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

it('adds an issuer, verifies a credential file, revokes it, and explains its usage', async () => {
  const lines: string[] = [];
  expect(await credentialsCommand(ctx, ['issuer-add', 'CLI College'], (l) => lines.push(l))).toBe(0);
  const issuerId = /Issuer ([0-9a-f-]{36})/.exec(lines[0]!)![1]!;
  const credential = await issueCredential(ctx, {
    issuerId,
    awardKey: 'cli-1',
    name: 'CLI Badge',
    achievement: { id: 'cli', name: 'CLI', description: 'Uses the CLI.', criteriaNarrative: 'Ran it.' },
    recipient: { email: 'cli@example.org', salt: 'salt-salt' },
  });
  const file = path.join(dir, 'badge.json');
  await writeFile(file, JSON.stringify(credential.document));
  expect(await credentialsCommand(ctx, ['verify', file], (l) => lines.push(l))).toBe(0);
  expect(JSON.parse(lines.at(-1)!).verified).toBe(true);

  const png = path.join(dir, 'badge.png');
  const { deflateSync, crc32 } = await import('node:zlib');
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  const tiny = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])),
    chunk('IDAT', deflateSync(Buffer.from([0, 128]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  await writeFile(png, bakePng(tiny, JSON.stringify(credential.document)));
  expect(await credentialsCommand(ctx, ['verify', png], (l) => lines.push(l))).toBe(0);

  expect(
    await credentialsCommand(ctx, ['revoke', credential.id, 'Issued', 'in', 'error'], (l) => lines.push(l)),
  ).toBe(0);
  expect(lines.at(-1)).toContain('Issued in error');
  expect(await credentialsCommand(ctx, ['verify', file], (l) => lines.push(l))).toBe(1);
  expect(await credentialsCommand(ctx, ['nonsense'], (l) => lines.push(l))).toBe(2);
});

it('suspends and unsuspends a credential issued with CREDENTIAL_SUSPENSION=true', async () => {
  const suspendable = await testContext(db, {
    config: testConfig({ PUBLIC_URL: 'https://laurel.test', CREDENTIAL_SUSPENSION: 'true' }),
  });
  const lines: string[] = [];
  const run = (...args: string[]) => credentialsCommand(suspendable, args, (l) => lines.push(l));
  expect(await run('issuer-add', 'Suspending College')).toBe(0);
  const issuerId = /Issuer ([0-9a-f-]{36})/.exec(lines[0]!)![1]!;
  const credential = await issueCredential(suspendable, {
    issuerId,
    awardKey: 'cli-suspend-1',
    name: 'CLI Badge',
    achievement: { id: 'cli', name: 'CLI', description: 'Uses the CLI.', criteriaNarrative: 'Ran it.' },
    recipient: { email: 'cli@example.org', salt: 'salt-salt' },
  });
  const file = path.join(dir, 'suspendable.json');
  await writeFile(file, JSON.stringify(credential.document));
  expect(await run('suspend', credential.id, 'Under', 'review')).toBe(0);
  expect(lines.at(-1)).toBe(`Suspended ${credential.id}: Under review`);
  expect(await run('verify', file)).toBe(1);
  expect(JSON.parse(lines.at(-1)!).checks).toContainEqual({
    check: 'status',
    valid: false,
    message: 'suspended',
  });
  expect(await run('unsuspend', credential.id, 'Cleared')).toBe(0);
  expect(await run('verify', file)).toBe(0);
  expect(await run('suspend', credential.id)).toBe(2);
});
