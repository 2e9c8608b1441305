import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type express from 'express';
import request from 'supertest';
import { createApp } from '../../../src/http/app.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let db: TestSchema;
let app: express.Express;

beforeAll(async () => {
  db = await createTestSchema();
  app = createApp(await testContext(db, { config: testConfig({ SANDBOX: 'true' }) }));
});

afterAll(async () => {
  await db.drop();
});

describe('the pages share one stylesheet file', () => {
  const pages: Array<[string, number]> = [
    ['/sandbox', 200],
    ['/admin/install', 200],
    ['/verify', 200],
    ['/lti/login', 400],
    ['/lti/register', 400],
  ];

  it.each(pages)('%s links it, with no inline style or script', async (path, status) => {
    const res = await request(app).get(path).set('Accept', 'text/html').expect(status);
    expect(res.text).toMatch(/<link rel="stylesheet" href="\/assets\/laurel\.css\?v=[\w-]{16}">/);
    expect(res.text).toContain('<div class="page">');
    expect(res.text).not.toMatch(/<style|style=|<script>/);
    expect(res.headers['content-security-policy']).toContain("style-src 'self'");
  });

  it('serves it cached for a year at its hashed URL, revalidated by ETag elsewhere', async () => {
    const page = await request(app).get('/verify').expect(200);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)![1]!;
    const css = await request(app)
      .get(href)
      .expect(200)
      .expect('Content-Type', /^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.text).toContain('prefers-color-scheme: dark');
    const etag = css.headers.etag!;
    expect(href).toBe(`/assets/laurel.css?v=${etag.replaceAll('"', '')}`);
    const plain = await request(app).get('/assets/laurel.css').set('If-None-Match', etag).expect(304);
    expect(plain.headers['cache-control']).toBe('public, no-cache');
    await request(app)
      .get('/assets/laurel.css?v=stale')
      .expect(200)
      .expect('Cache-Control', 'public, no-cache');
  });
});
