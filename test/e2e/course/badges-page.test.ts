import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import {
  badgeSvg,
  type CourseApp,
  call,
  completed,
  lesson,
  lrsAuth,
  startCourseApp,
} from '../../http/course/setup.js';

// The course badges page in a real Chromium, inside the sandbox LMS's frame: the instructor creates a badge and its
// rule through the page's form (a refused rule shows the API's error at the field), a statement earns it, the
// learner sees it, the instructor runs the dry run, suspends it (the learner sees it suspended and /verify refuses
// it), lifts the suspension and revokes it. Screenshots at 1024px and 320px go to
// /tmp/laurel-pages/ for a person to look at. Skipped when no Chromium is installed.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithBrowser = existsSync(executablePath) ? describe : describe.skip;
const screenshots = '/tmp/laurel-pages';

let app: CourseApp;
let browser: Browser;

const widths = [1024, 320] as const;

interface Opened {
  page: Page;
  tool: Frame;
  problems: string[];
  close(): Promise<void>;
}

/** Launches from /sandbox at `width` and returns Laurel's frame, collecting console errors and CSP refusals. */
async function launch(role: 'instructor' | 'learner', width: number): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto(`${app.url}/sandbox`);
  await page.click(`a[data-launch="${role}"]`);
  const tool = (await (await page.waitForSelector('iframe[name="tool"]')).contentFrame())!;
  await tool.waitForSelector(`main[data-view="${role}"]`, { timeout: 15_000 });
  await page.$eval(
    'iframe[name="tool"]',
    (frame, w) => frame.setAttribute('width', String(w)),
    Math.min(800, width - 16),
  );
  return { page, tool, problems, close: () => context.close() };
}

/** Grows the frame to its content and screenshots the whole page; checks nothing scrolls sideways. */
async function shoot(opened: Opened, name: string): Promise<void> {
  const size = await opened.tool.evaluate<{ height: number; overflow: number }>(
    '({ height: document.documentElement.scrollHeight, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth })',
  );
  expect({ name, overflow: size.overflow }).toEqual({ name, overflow: 0 });
  await opened.page.$eval(
    'iframe[name="tool"]',
    (frame, h) => frame.setAttribute('height', String(h + 20)),
    size.height,
  );
  await opened.page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

async function refreshed(opened: Opened, action: () => Promise<void>): Promise<void> {
  const navigation = opened.tool.waitForNavigation({ timeout: 15_000 });
  await action();
  await navigation;
  await opened.tool.waitForSelector('main[data-view]');
}

/** Opens the award's `action` form (revoke, suspend, unsuspend), gives the reason and waits for the refresh. */
async function changeAward(opened: Opened, action: string, reason: string): Promise<void> {
  await opened.tool.click(`details.${action} > summary`);
  await opened.tool.fill(`form[data-${action}] input[name="reason"]`, reason);
  await refreshed(opened, () => opened.tool.click(`form[data-${action}] button[type="submit"]`));
}

/** Follows the learner's Verify link to /verify, waits for the checks and screenshots them; the verdict. */
async function verifyFromCard(learner: Opened, name: string): Promise<string | null> {
  const href = await learner.tool.getAttribute('#earned a[data-action="verify"]', 'href');
  await learner.page.goto(new URL(href!, app.url).href);
  await learner.page.waitForSelector('#checks:not([hidden]) tbody tr');
  await learner.page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  return learner.page.textContent('#verdict');
}

describeWithBrowser('course badges page in a real browser', () => {
  beforeAll(async () => {
    // The Verify link has /verify fetch the credential from this loopback server.
    app = await startCourseApp('localhost', {
      OUTBOUND_ALLOW_PRIVATE: 'true',
      CREDENTIAL_SUSPENSION: 'true',
    });
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
    await app?.close();
  });

  it('instructor creates a badge with a rule; the learner earns it and sees it; the instructor suspends, then revokes it', async () => {
    const instructor = await launch('instructor', 1024);
    const { tool } = instructor;
    await shoot(instructor, 'instructor-empty-1024');
    await tool.click('#new-badge > summary');
    await tool.fill('#new-name', 'Lesson one finished');
    await tool.fill('#new-description', 'Finished the first lesson of the course.');
    await tool.fill('#new-criteria', 'Complete lesson 1 (the page "Getting started").');
    // An example is one click away; a rule the API refuses shows its error, naming the place, at the field.
    await tool.click('button[data-example-for="new-rule"]:has-text("Quiz score")');
    expect(await tool.inputValue('#new-rule')).toContain('"minScaled": 0.8');
    await tool.fill(
      '#new-rule',
      JSON.stringify({ statement: { verb: 'completed', score: { minScaled: 2 } } }),
    );
    await tool.click('form[data-new-badge] button[type="submit"]');
    const error = await tool.waitForSelector('form[data-new-badge] [data-error-for="rule"]:not([hidden])');
    expect(await error.textContent()).toMatch(/At \/statement\/score\/minScaled in the rule/);
    await shoot(instructor, 'instructor-rule-error-1024');
    await tool.fill(
      '#new-rule',
      JSON.stringify({ statement: { verb: 'completed', objectId: lesson } }, null, 2),
    );
    await refreshed(instructor, () => tool.click('form[data-new-badge] button[type="submit"]'));
    const section = await tool.waitForSelector('section.badge-admin');
    expect(await section.textContent()).toContain('Lesson one finished');
    expect(await tool.textContent('section.badge-admin pre.rule')).toContain(lesson);
    // The refused first attempt did not make a second badge.
    const achievementId = await tool.getAttribute('section.badge-admin', 'data-achievement-id');
    const session = await tool.getAttribute('meta[name="laurel-session"]', 'content');
    const image = await call(app, 'PUT', `/api/achievements/${achievementId}/image`, {
      session: session!,
      raw: badgeSvg,
      type: 'image/svg+xml',
    });
    expect(image.status).toBe(200);
    expect(await tool.$$eval('section.badge-admin', (s) => s.length)).toBe(1);
    await instructor.close();

    const posted = await call(app, 'POST', '/xapi/statements', {
      auth: await lrsAuth(app),
      body: completed(lesson),
    });
    expect(posted.status).toBe(200);
    await app.workers.drain();
    await app.workers.drain();

    for (const width of widths) {
      const learner = await launch('learner', width);
      const card = await learner.tool.waitForSelector('#earned .badge-card');
      expect(await card.textContent()).toContain('Lesson one finished');
      expect(
        await learner.tool.$$eval('#earned a[data-action]', (a) =>
          a.map((x) => x.getAttribute('data-action')),
        ),
      ).toEqual(['view', 'download', 'svg', 'verify', 'linkedin']);
      await shoot(learner, `learner-earned-${width}`);
      if (width === 1024) {
        // Verify opens /verify?url=<credential URL>, which verifies it at once.
        expect(await verifyFromCard(learner, 'verify-from-badge-1024')).toBe('Verified');
      }
      expect(learner.problems).toEqual([]);
      await learner.close();
    }

    for (const width of widths) {
      const opened = await launch('instructor', width);
      await opened.tool.click('button[data-dry-run]');
      await opened.tool.waitForSelector('table[data-dry-run-result]:not([hidden]) tbody tr');
      expect(await opened.tool.textContent('table[data-dry-run-result] tbody')).toContain('Alan Turing');
      expect(await opened.tool.textContent('table.awards')).toContain('Alan Turing');
      await shoot(opened, `instructor-awarded-${width}`);
      if (width === 1024) {
        await changeAward(opened, 'suspend', 'Under academic review');
        expect(await opened.tool.textContent('table.awards')).toContain('Under academic review');
        await shoot(opened, 'instructor-suspended-1024');
        await opened.close();

        const learner = await launch('learner', 1024);
        const card = await learner.tool.waitForSelector('#earned .badge-card[data-state="suspended"]');
        expect(await card.textContent()).toContain('Suspended');
        expect(await card.textContent()).toContain('Under academic review');
        await shoot(learner, 'learner-suspended-1024');
        expect(await verifyFromCard(learner, 'verify-suspended-1024')).toBe('Not verified');
        expect(await learner.page.textContent('#checks')).toContain('suspended');
        expect(learner.problems).toEqual([]);
        await learner.close();
        continue;
      }
      if (width === 320) {
        await changeAward(opened, 'unsuspend', 'Review closed');
        expect(await opened.tool.textContent('table.awards')).toContain('Active');
        await changeAward(opened, 'revoke', 'Awarded by mistake');
        expect(await opened.tool.textContent('table.awards')).toContain('Revoked');
        await shoot(opened, 'instructor-revoked-320');
      }
      expect(opened.problems).toEqual([]);
      await opened.close();
    }

    const learner = await launch('learner', 320);
    const card = await learner.tool.waitForSelector('#earned .badge-card[data-state="revoked"]');
    expect(await card.textContent()).toContain('Awarded by mistake');
    expect(await learner.tool.$$('#earned a[data-action]')).toHaveLength(0);
    await shoot(learner, 'learner-revoked-320');
    await learner.close();
  }, 120_000);
});
