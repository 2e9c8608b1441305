import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { createApp } from '../../../src/http/app.js';
import { createRegistrationPlatform } from '../../../src/lti/emulator/dynamic-registration.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

// Every server-rendered page in a real Chromium, at desktop width and in a 320px-wide frame, light and dark: the
// stylesheet applies, the CSP refuses nothing, nothing scrolls sideways. Screenshots go to $TMPDIR/laurel-ui for a
// person to look at. Skipped when no Chromium is installed.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithBrowser = existsSync(executablePath) ? describe : describe.skip;
const screenshots = join(tmpdir(), 'laurel-ui');
const adminToken = 'admin-token-for-the-ui-browser-tests';

let db: TestSchema;
let server: http.Server;
let lmsServer: http.Server;
let url: string;
let registrationBase: string;
let browser: Browser;
let credential: string;
let platforms = 0;

const lms = express();

/** How to reach one page, and the frame that holds Laurel's page once there. */
interface PageVisit {
  name: string;
  open(page: Page): Promise<Frame>;
}

async function visitPath(page: Page, path: string): Promise<Frame> {
  await page.goto(`${url}${path}`);
  return page.mainFrame();
}

async function launch(page: Page, role: 'instructor' | 'learner'): Promise<Frame> {
  await page.goto(`${url}/sandbox`);
  await page.click(`a[data-launch="${role}"]`);
  const tool = (await (await page.waitForSelector('iframe[name="tool"]')).contentFrame())!;
  await tool.waitForSelector('main[data-view]', { timeout: 15_000 });
  // The emulated course page frames Laurel 800px wide; an LMS on a phone gives it the width it has.
  const width = Math.min(800, page.viewportSize()!.width - 16);
  await page.$eval('iframe[name="tool"]', (frame, w) => frame.setAttribute('width', String(w)), width);
  return tool;
}

async function verify(page: Page, text: string): Promise<Frame> {
  await page.goto(`${url}/verify`);
  await page.fill('#credential', text);
  await page.click('button[type="submit"]');
  await page.waitForSelector('#checks:not([hidden]) tbody tr');
  return page.mainFrame();
}

const visits: PageVisit[] = [
  { name: 'sandbox', open: (page) => visitPath(page, '/sandbox') },
  { name: 'landing-instructor', open: (page) => launch(page, 'instructor') },
  { name: 'landing-learner', open: (page) => launch(page, 'learner') },
  { name: 'lti-error', open: (page) => visitPath(page, '/lti/login') },
  { name: 'install', open: (page) => visitPath(page, '/admin/install') },
  { name: 'verify-pass', open: (page) => verify(page, credential) },
  { name: 'verify-fail', open: (page) => verify(page, '{"type": ["VerifiableCredential"]}') },
  {
    name: 'registered',
    open: async (page) => {
      platforms += 1;
      const moodle = createRegistrationPlatform({
        family: 'moodle',
        baseUrl: `${registrationBase}/lms${platforms}`,
      });
      lms.use(moodle.router);
      await page.goto(moodle.initiationUrl(`${url}/lti/register`));
      await page.waitForSelector('[data-registered-page]');
      return page.mainFrame();
    },
  },
  {
    name: 'registration-error',
    open: (page) => visitPath(page, '/lti/register'),
  },
];

interface Measured {
  font: string;
  margin: string;
  maxWidth: string | null;
  scrollWidth: number;
  clientWidth: number;
}

// Runs in the page (a string: the tests compile without the DOM library).
const measure = `(() => {
  const body = getComputedStyle(document.body);
  const column = document.querySelector('.page');
  return {
    font: body.fontFamily,
    margin: body.marginTop,
    maxWidth: column ? getComputedStyle(column).maxWidth : null,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  };
})()`;

const layouts = [
  { width: 1024, height: 768, colorScheme: 'light' },
  { width: 320, height: 640, colorScheme: 'light' },
  { width: 1024, height: 768, colorScheme: 'dark' },
  { width: 320, height: 640, colorScheme: 'dark' },
] as const;

describeWithBrowser('the pages in a real browser', () => {
  beforeAll(async () => {
    db = await createTestSchema();
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://localhost:${(server.address() as AddressInfo).port}`;
    lmsServer = lms.listen(0, '127.0.0.1');
    await new Promise((resolve) => lmsServer.once('listening', resolve));
    registrationBase = `http://127.0.0.1:${(lmsServer.address() as AddressInfo).port}`;
    const config = testConfig({
      PUBLIC_URL: url,
      SANDBOX: 'true',
      ADMIN_TOKEN: adminToken,
      OUTBOUND_ALLOW_PRIVATE: 'true',
    });
    const ctx = await testContext(db, { config, clock: { now: () => new Date() } });
    server.on('request', createApp(ctx));
    credential = await issueCredential();
    mkdirSync(screenshots, { recursive: true });
    browser = await chromium.launch({
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of [server, lmsServer]) {
      s?.closeAllConnections();
      await new Promise((resolve) => s?.close(resolve));
    }
    await db?.drop();
  });

  it('shows where keyboard focus is', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${url}/admin/install`);
    await page.keyboard.press('Tab');
    const outline = await page.evaluate<string>(
      '(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + " " + s.outlineWidth; })()',
    );
    expect(outline).toBe('solid 3px');
    await page.screenshot({ path: join(screenshots, 'install-focus-1024-light.png') });
    await context.close();
  });

  it('verify page: each check with its result in words; a check that could not run reads "not checked"', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await verify(page, credential);
    const rows = await page.$$eval('#checks tbody tr', (trs) =>
      trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent!.trim()]),
    );
    // This app fetches no JSON Schema (SCHEMA_FETCH_HOSTS none in tests): the schema check is not counted.
    expect(rows).toContainEqual(['schema', '\u2013 not checked']);
    expect(rows).toContainEqual(['proof', '\u2713 pass']);
    expect(await page.textContent('#verdict')).toContain('Verified');
    await context.close();
  });

  it.each(visits.map((visit) => [visit.name, visit] as const))(
    '%s: styled, no CSP refusal, fits 320px',
    async (_name, visit) => {
      for (const layout of layouts) {
        const context = await browser.newContext({
          viewport: { width: layout.width, height: layout.height },
          colorScheme: layout.colorScheme,
        });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          // The error pages answer 4xx on purpose; Chromium logs that document status as a failed resource.
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
            problems.push(message.text());
          }
        });
        context.on('response', (res) => {
          if (res.status() >= 400 && res.request().resourceType() !== 'document') {
            problems.push(`${res.status()} ${new URL(res.url()).pathname}`);
          }
        });
        const frame = await visit.open(page);
        const style = await frame.evaluate<Measured>(measure);
        const where = `${visit.name} at ${layout.width}px ${layout.colorScheme}`;
        expect({
          where,
          font: style.font.split(',')[0],
          margin: style.margin,
          maxWidth: style.maxWidth,
        }).toEqual({
          where,
          font: 'system-ui',
          margin: '0px',
          maxWidth: '736px',
        });
        expect({ where, overflow: style.scrollWidth - style.clientWidth }).toEqual({ where, overflow: 0 });
        expect({ where, problems }).toEqual({ where, problems: [] });
        await page.screenshot({
          path: join(screenshots, `${visit.name}-${layout.width}-${layout.colorScheme}.png`),
          fullPage: true,
        });
        await context.close();
      }
    },
    60_000,
  );
});

async function issueCredential(): Promise<string> {
  const headers = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };
  const issuer = await fetch(`${url}/admin/api/issuers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Example College', url: 'https://college.example' }),
  });
  expect(issuer.status).toBe(201);
  const issued = await fetch(`${url}/admin/api/credentials`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      issuerId: ((await issuer.json()) as { issuer: { id: string } }).issuer.id,
      awardKey: 'ui-award-1',
      name: 'Teamwork Badge',
      achievement: {
        id: 'teamwork',
        name: 'Teamwork',
        description: 'Works well in a team.',
        criteriaNarrative: 'Completed the group project.',
        image: `${url}/assets/laurel-icon.svg`,
      },
      recipient: { email: 'learner@example.org', salt: 'pepper-123' },
    }),
  });
  expect(issued.status).toBe(201);
  return JSON.stringify(((await issued.json()) as { credential: unknown }).credential, null, 2);
}
