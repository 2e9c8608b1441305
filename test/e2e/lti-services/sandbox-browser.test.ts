import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';
import { createApp } from '../../../src/http/app.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

// What a newcomer does after `npm start`: open /sandbox, click a launch link, land in Laurel inside the emulated
// course page. A real Chromium runs the pages' scripts. Skipped when no Chromium is installed.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithBrowser = existsSync(executablePath) ? describe : describe.skip;

let db: TestSchema;
let server: http.Server;
let url: string;
let browser: Browser;

describeWithBrowser('the sandbox in a real browser', () => {
  beforeAll(async () => {
    db = await createTestSchema();
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://localhost:${(server.address() as AddressInfo).port}`;
    // The embedded default: no DATABASE_URL, not production, loopback outbound fetches refused.
    const config = testConfig({ PUBLIC_URL: url });
    expect(config.sandbox).toBe(true);
    expect(config.outboundAllowPrivate).toBe(false);
    const ctx = await testContext(db, { config, clock: { now: () => new Date() } });
    server.on('request', createApp(ctx));
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await db?.drop();
  });

  it.each(['instructor', 'learner'] as const)('launches the demo course as %s', async (role) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        errors.push(message.text());
      }
    });
    context.on('response', (res) => {
      if (res.status() >= 400) errors.push(`${res.status()} ${new URL(res.url()).pathname}`);
    });
    await page.goto(`${url}/sandbox`);
    await page.click(`a[data-launch="${role}"]`);
    const frame = await page.waitForSelector('iframe[name="tool"]');
    const tool = (await frame.contentFrame())!;
    const main = await tool.waitForSelector('main[data-view]', { timeout: 15_000 });
    expect(await main.getAttribute('data-view')).toBe(role);
    expect(await main.textContent()).toContain(role === 'instructor' ? 'Ada Lovelace' : 'Alan Turing');
    expect(errors).toEqual([]);
    await context.close();
  });
});
