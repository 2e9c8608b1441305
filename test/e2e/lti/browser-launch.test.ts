import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';
import type { PlatformEmulator } from '../../../src/lti/emulator/index.js';
import { type LtiHarness, startHarness } from '../../http/lti/harness.js';

// A real Chromium runs the pages' scripts: the LMS course page frames Laurel (another site) beside the platform's
// LTI storage frame. Skipped when no Chromium is installed.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithBrowser = existsSync(executablePath) ? describe : describe.skip;

let h: LtiHarness;
let moodle: PlatformEmulator;
let canvas: PlatformEmulator;
let browser: Browser;

describeWithBrowser('launch in a real browser', () => {
  beforeAll(async () => {
    h = await startHarness({ toolHost: 'localhost' });
    moodle = (await h.addPlatform('moodle', 'moodle')).platform;
    canvas = (await h.addPlatform('canvas', 'canvas')).platform;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function open(url: string, options: { dropCookiesAtAuth?: boolean } = {}) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    const launchPosts: string[] = [];
    context.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith('/lti/launch'))
        launchPosts.push(req.postData() ?? '');
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    if (options.dropCookiesAtAuth) {
      // Third-party cookies blocked: the login cookie is gone by the time the platform posts the launch.
      await context.route('**/api/lti/authorize_redirect**', async (route) => {
        await context.clearCookies();
        await route.continue();
      });
    }
    await page.goto(url);
    const tool = page.frame({ name: 'tool' })!;
    return { context, page, tool, errors, launchPosts };
  }

  it('Moodle-like: the framed launch lands on the learner view (login cookie)', async () => {
    const { context, tool, errors, launchPosts } = await open(
      moodle.framedLaunchUrl({
        user: moodle.newUser({ name: 'Lee Learner' }),
        roles: moodle.roles('learner'),
        context: { id: 'b1', title: 'Browsers 101' },
      }),
    );
    const main = await tool.waitForSelector('main[data-view]', { timeout: 15_000 });
    expect(await main.getAttribute('data-view')).toBe('learner');
    expect(await main.textContent()).toContain('Lee Learner');
    expect(launchPosts).toHaveLength(1);
    expect(await tool.evaluate(() => typeof (globalThis as any).laurel?.fetch)).toBe('function');
    expect(errors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
    await context.close();
  });

  it('Canvas-like with the cookie blocked: lti.put_data at login, lti.get_data at launch, then the landing page', async () => {
    const { context, tool, errors, launchPosts } = await open(
      canvas.framedLaunchUrl({
        user: canvas.newUser({ name: 'Ida Instructor' }),
        roles: canvas.roles('instructor'),
        context: { id: 'b2' },
      }),
      { dropCookiesAtAuth: true },
    );
    const main = await tool.waitForSelector('main[data-view]', { timeout: 15_000 });
    expect(await main.getAttribute('data-view')).toBe('instructor');
    // Two posts: the platform's form_post (answered with the storage check), then launch.js's with lti_binding.
    expect(launchPosts).toHaveLength(2);
    expect(launchPosts[1]).toMatch(/lti_binding=[A-Za-z0-9_-]{43}/);
    expect(errors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
    await context.close();
  });

  it('Moodle-like with third-party cookies phased out: the Partitioned login cookie still binds the launch', async () => {
    const blocking = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--test-third-party-cookie-phaseout'],
    });
    try {
      const context = await blocking.newContext();
      const page = await context.newPage();
      await page.goto(moodle.framedLaunchUrl({ user: moodle.newUser(), roles: moodle.roles('learner') }));
      const main = await page
        .frame({ name: 'tool' })!
        .waitForSelector('main[data-view]', { timeout: 15_000 });
      expect(await main.getAttribute('data-view')).toBe('learner');
    } finally {
      await blocking.close();
    }
  });

  it('Deep Linking: the response is auto-posted to the platform and verifies there', async () => {
    const before = moodle.deepLinkingResponses.length;
    const { context, tool } = await open(
      moodle.framedLaunchUrl({
        messageType: 'LtiDeepLinkingRequest',
        user: moodle.newUser(),
        roles: moodle.roles('instructor'),
        context: { id: 'b3' },
        deepLinkingData: 'echo-me',
      }),
    );
    await tool.waitForSelector('text=Received 1 item(s).', { timeout: 15_000 });
    expect(moodle.deepLinkingResponses).toHaveLength(before + 1);
    expect(moodle.deepLinkingResponses.at(-1)!['https://purl.imsglobal.org/spec/lti-dl/claim/data']).toBe(
      'echo-me',
    );
    await context.close();
  });
});
