import { escapeHtml, page } from '../html.js';

/** `/sandbox`: launch Laurel from an emulated LMS as the demo course's instructor or learner. */
export function sandboxPage(input: { platformName: string }): string {
  return page({
    title: 'Laurel sandbox',
    body: `<main data-sandbox-page><h1>Laurel sandbox</h1><p>${escapeHtml(input.platformName)} plays an LMS inside this Laurel: it is registered as a platform and launches Laurel from its demo course through the real LTI 1.3 login and launch.</p><ul class="choices"><li><a class="button" href="/sandbox/launch/instructor" data-launch="instructor">Launch as instructor</a> <span class="muted">(Ada Lovelace)</span></li><li><a class="button" href="/sandbox/launch/learner" data-launch="learner">Launch as learner</a> <span class="muted">(Alan Turing)</span></li></ul></main>`,
  });
}
