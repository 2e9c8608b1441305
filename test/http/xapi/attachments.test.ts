import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CompactSign, generateKeyPair } from 'jose';
import request from 'supertest';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, type Lrs, statement } from './setup.js';

let db: TestSchema;
let lrs: Lrs;
let auth: string;
const boundary = 'xapi-boundary-1';

beforeAll(async () => {
  db = await createTestSchema();
  lrs = await createLrs(db);
  auth = await lrs.key(['statements/write', 'all/read']);
});

afterAll(async () => {
  await db.drop();
});

function multipart(
  json: unknown,
  parts: { content: Buffer; hash?: string; type?: string; encoding?: string }[],
) {
  const chunks: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}`),
  ];
  for (const part of parts) {
    const hash = part.hash ?? createHash('sha256').update(part.content).digest('hex');
    chunks.push(
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Type:${part.type ?? 'text/plain'}\r\nContent-Transfer-Encoding:${part.encoding ?? 'binary'}\r\nX-Experience-API-Hash:${hash}\r\n\r\n`,
      ),
      part.content,
    );
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--`));
  return Buffer.concat(chunks);
}

const send = (body: Buffer) =>
  request(lrs.app)
    .post('/xapi/statements')
    .set('X-Experience-API-Version', '1.0.3')
    .set('Authorization', auth)
    .set('Content-Type', `multipart/mixed; boundary=${boundary}`)
    .send(body);

function withAttachment(content: Buffer, extra: Record<string, unknown> = {}) {
  return statement({
    attachments: [
      {
        usageType: 'http://id.tincanapi.com/attachment/certificate-of-completion',
        display: { en: 'certificate' },
        contentType: 'text/plain',
        length: content.length,
        sha2: createHash('sha256').update(content).digest('hex'),
        ...extra,
      },
    ],
  });
}

describe('attachments as multipart/mixed', () => {
  it('stores the content and returns it with attachments=true', async () => {
    const content = Buffer.from('certificate body');
    const s = withAttachment(content);
    await send(multipart(s, [{ content }])).expect(200);
    const res = await request(lrs.app)
      .get('/xapi/statements')
      .query({ statementId: s.id, attachments: 'true' })
      .set('X-Experience-API-Version', '1.0.3')
      .set('Authorization', auth)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^multipart\/mixed; boundary=/);
    const text = (res.body as Buffer).toString();
    expect(text).toContain(`"id":"${s.id}"`);
    expect(text).toContain('certificate body');
  });

  it('refuses a missing part, a wrong hash, a stray part and a non-binary encoding', async () => {
    const content = Buffer.from('abc');
    const missing = await send(multipart(withAttachment(content), [])).expect(400);
    expect(missing.body.error.code).toBe('ERR_XAPI_ATTACHMENT_MISSING');
    await send(multipart(withAttachment(content), [{ content, hash: 'a'.repeat(64) }])).expect(400);
    await send(multipart(statement(), [{ content }])).expect(400);
    await send(multipart(withAttachment(content), [{ content, encoding: 'base64' }])).expect(400);
  });

  it('a JSON request may only carry attachments that have fileUrl', async () => {
    const content = Buffer.from('x');
    await request(lrs.app)
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '1.0.3')
      .set('Authorization', auth)
      .send(withAttachment(content))
      .expect(400);
    await request(lrs.app)
      .post('/xapi/statements')
      .set('X-Experience-API-Version', '1.0.3')
      .set('Authorization', auth)
      .send(withAttachment(content, { fileUrl: 'https://files.example.com/x' }))
      .expect(200);
  });
});

describe('signed statements (JWS)', () => {
  async function signed(algorithm: string, mutate?: (payload: any) => void) {
    const { privateKey } = await generateKeyPair(algorithm.startsWith('RS') ? algorithm : 'RS256', {
      extractable: true,
    });
    const s = statement({ id: randomUUID() });
    const payload = structuredClone(s);
    mutate?.(payload);
    const jws =
      algorithm === 'HS256'
        ? await new CompactSign(Buffer.from(JSON.stringify(payload)))
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new Uint8Array(32).fill(1))
        : await new CompactSign(Buffer.from(JSON.stringify(payload)))
            .setProtectedHeader({ alg: algorithm })
            .sign(privateKey);
    const signature = Buffer.from(jws);
    s.attachments = [
      {
        usageType: 'http://adlnet.gov/expapi/attachments/signature',
        display: { 'en-US': 'signature' },
        contentType: 'application/octet-stream',
        length: signature.length,
        sha2: createHash('sha256').update(signature).digest('hex'),
      },
    ];
    return multipart(s, [{ content: signature, type: 'application/octet-stream' }]);
  }

  it.each(['RS256', 'RS384', 'RS512'])('accepts %s', async (alg) => {
    await send(await signed(alg)).expect(200);
  });

  it('refuses another algorithm and a payload that is not the statement', async () => {
    const hs = await send(await signed('HS256')).expect(400);
    expect(hs.body.error.message).toMatch(/RS256/);
    const changed = await send(
      await signed('RS256', (payload) => {
        payload.verb.id = 'http://adlnet.gov/expapi/verbs/failed';
      }),
    ).expect(400);
    expect(changed.body.error.path).toBe('attachments[0]');
  });
});
