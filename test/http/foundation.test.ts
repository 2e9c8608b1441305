import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import type { AppContext } from '../../src/context.js';
import { createApp } from '../../src/http/app.js';
import { errorHandler, requireJson } from '../../src/http/errors.js';
import { createLogger } from '../../src/log.js';
import { testConfig, testContext } from '../helpers/context.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

let db: TestSchema;
let ctx: AppContext;
let app: express.Express;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestSchema();
  const base = await testContext(db, {
    config: testConfig({ BODY_LIMIT_BYTES: '2048', FRAME_ANCESTORS: 'https://moodle.example.edu' }),
  });
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  ctx = { ...base, logger: createLogger('info', sink) };
  app = createApp(ctx);
});

afterAll(async () => {
  await db.drop();
});

describe('health', () => {
  it('GET /healthz answers 200', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 with the instance id once migrated', async () => {
    await db.pool.query('INSERT INTO instance (id) VALUES (gen_random_uuid()) ON CONFLICT DO NOTHING');
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.instance).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('JSON errors', () => {
  it('unknown route -> 404 JSON with a code and the request id', async () => {
    const res = await request(app).get('/no/such/thing').expect(404).expect('Content-Type', /json/);
    expect(res.body.error.code).toBe('ERR_NOT_FOUND');
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('wrong method -> 405 with Allow', async () => {
    const res = await request(app).delete('/healthz').expect(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.body.error.code).toBe('ERR_METHOD_NOT_ALLOWED');
  });

  it('malformed JSON -> 400 ERR_BAD_JSON', async () => {
    const res = await request(app)
      .post('/anything')
      .set('Content-Type', 'application/json')
      .send('{"a":')
      .expect(400);
    expect(res.body.error.code).toBe('ERR_BAD_JSON');
  });

  it('body over BODY_LIMIT_BYTES -> 413 ERR_BODY_TOO_LARGE', async () => {
    const res = await request(app)
      .post('/anything')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(4096) }))
      .expect(413);
    expect(res.body.error.code).toBe('ERR_BODY_TOO_LARGE');
  });

  it('a JSON endpoint given another media type -> 415', async () => {
    const small = express();
    small.use((req, _res, next) => {
      req.id = 'r1';
      next();
    });
    small.post('/x', requireJson, (_req, res) => {
      res.json({});
    });
    small.use(errorHandler);
    const res = await request(small).post('/x').set('Content-Type', 'text/plain').send('hello').expect(415);
    expect(res.body.error.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
    await request(small).post('/x').set('Content-Type', 'application/json').send('{}').expect(200);
  });

  it('unsupported Content-Encoding -> 415', async () => {
    const res = await request(app)
      .post('/anything')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'br-unknown')
      .send('{}')
      .expect(415);
    expect(res.body.error.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('request ids and logs', () => {
  it('keeps a well-formed incoming X-Request-Id and replaces a bad one', async () => {
    const kept = await request(app).get('/healthz').set('X-Request-Id', 'abc-123').expect(200);
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(app).get('/healthz').set('X-Request-Id', 'bad id!').expect(200);
    expect(replaced.headers['x-request-id']).not.toContain('bad');
  });

  it('logs requests without secrets or query strings', async () => {
    await request(app)
      .get('/healthz?token=query-secret-value')
      .set('Authorization', 'Basic c2VjcmV0LWF1dGg=')
      .set('Cookie', 'laurel=cookie-secret')
      .expect(200);
    const all = logLines.join('');
    expect(all).toContain('"path":"/healthz"');
    expect(all).not.toContain('query-secret-value');
    expect(all).not.toContain('c2VjcmV0LWF1dGg=');
    expect(all).not.toContain('cookie-secret');
    expect(all).not.toContain(ctx.secret);
  });
});

describe('security headers', () => {
  it('sets a CSP whose frame-ancestors comes from FRAME_ANCESTORS, and no X-Frame-Options', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.headers['content-security-policy']).toContain('frame-ancestors https://moodle.example.edu');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
