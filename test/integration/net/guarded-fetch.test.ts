import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { guardedFetch, type OutboundPolicy, outboundPolicy } from '../../../src/net/guarded-fetch.js';

let server: Server;
let base: string;
const policy: OutboundPolicy = outboundPolicy(
  { production: false, outboundAllowPrivate: true },
  { timeoutMs: 300, maxBytes: 1000 },
);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    } else if (req.url === '/big') {
      res.end('x'.repeat(5000));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2000).unref();
    } else {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            method: req.method,
            body,
            ua: req.headers['user-agent'],
            auth: req.headers.authorization,
          }),
        );
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('guardedFetch over real HTTP', () => {
  it('sends method, headers and body, with a User-Agent', async () => {
    const res = await guardedFetch(
      `${base}/echo`,
      { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"a":1}' },
      policy,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      method: 'POST',
      body: '{"a":1}',
      ua: policy.userAgent,
      auth: 'Bearer t',
    });
  });

  it('does not follow redirects', async () => {
    await expect(guardedFetch(`${base}/redirect`, {}, policy)).rejects.toMatchObject({
      code: 'ERR_OUTBOUND_FAILED',
      message: expect.stringMatching(/redirects are not followed/),
    });
  });

  it('stops at maxBytes and at timeoutMs', async () => {
    await expect(guardedFetch(`${base}/big`, {}, policy)).rejects.toMatchObject({
      code: 'ERR_OUTBOUND_FAILED',
    });
    await expect(guardedFetch(`${base}/slow`, {}, policy)).rejects.toMatchObject({
      code: 'ERR_OUTBOUND_FAILED',
      message: expect.stringMatching(/within 300 ms/),
    });
  });

  it('refuses the loopback server by IP and by name without OUTBOUND_ALLOW_PRIVATE', async () => {
    const guarded = { ...policy, allowPrivate: false };
    await expect(guardedFetch(`${base}/echo`, {}, guarded)).rejects.toMatchObject({
      code: 'ERR_OUTBOUND_REFUSED',
    });
    await expect(guardedFetch(base.replace('127.0.0.1', 'localhost'), {}, guarded)).rejects.toMatchObject({
      code: 'ERR_OUTBOUND_REFUSED',
    });
  });

  it('reports a connection failure as ERR_OUTBOUND_FAILED', async () => {
    await expect(guardedFetch('http://127.0.0.1:1/', {}, policy)).rejects.toMatchObject({
      code: 'ERR_OUTBOUND_FAILED',
    });
  });
});
