import { autoPostForm, escapeHtml, page } from '../html.js';
import { ltiAssetsPath } from './scripts.js';

const script = (name: string) => `${ltiAssetsPath}/${name}`;

/** Login with postMessage storage: the script stores the binding in the platform, then follows `next`. */
export function loginStoragePage(input: {
  next: string;
  storageTarget: string;
  platformOrigin: string;
  storageKey: string;
  storageValue: string;
}): string {
  return page({
    title: 'Signing in…',
    meta: {
      'lti-next': input.next,
      'lti-storage-target': input.storageTarget,
      'lti-platform-origin': input.platformOrigin,
      'lti-storage-key': input.storageKey,
      'lti-storage-value': input.storageValue,
    },
    scripts: [script('login.js')],
    body: `<p>Signing in to Laurel…</p><noscript><p><a href="${escapeHtml(input.next)}">Continue</a></p></noscript>`,
  });
}

/** Launch without the login cookie: the script reads the binding from the platform and posts the launch again. */
export function storageCheckPage(input: {
  action: string;
  idToken: string;
  state: string;
  storageTarget: string;
  platformOrigin: string;
  storageKey: string;
}): string {
  const fields = `<input type="hidden" name="id_token" value="${escapeHtml(input.idToken)}"><input type="hidden" name="state" value="${escapeHtml(input.state)}"><input type="hidden" name="lti_binding" value="">`;
  return page({
    title: 'Launching…',
    meta: {
      'lti-storage-target': input.storageTarget,
      'lti-platform-origin': input.platformOrigin,
      'lti-storage-key': input.storageKey,
    },
    scripts: [script('launch.js')],
    body: `<form method="post" action="${escapeHtml(input.action)}" data-storage-check>${fields}</form><p id="status">Launching Laurel…</p>`,
  });
}

/** Auto-posts `fields` to `action` (the Deep Linking response to the platform). */
export function autoPostPage(title: string, action: string, fields: Record<string, string>): string {
  return page({ title, scripts: [script('autopost.js')], body: autoPostForm(action, fields) });
}

export interface LandingView {
  sessionToken: string;
  view: 'instructor' | 'learner';
  userName: string | undefined;
  roleLabel: string;
  courseTitle: string | undefined;
  platformName: string;
}

/** The page after a resource link launch: who and where. Course badges come here later. */
export function landingPage(input: LandingView): string {
  const who = input.userName ? escapeHtml(input.userName) : 'a user whose name the platform did not share';
  const where = input.courseTitle
    ? `in <strong>${escapeHtml(input.courseTitle)}</strong>`
    : 'outside any course';
  const heading = input.view === 'instructor' ? 'Laurel: instructor view' : 'Laurel: learner view';
  return page({
    title: heading,
    meta: { 'laurel-session': input.sessionToken },
    scripts: [script('session.js')],
    body: `<main data-view="${input.view}"><h1>${heading}</h1><p>Signed in as ${who} (${escapeHtml(input.roleLabel)}) ${where} on ${escapeHtml(input.platformName)}.</p></main>`,
  });
}

/** An error a browser sees: what went wrong, the stable code and the request id to quote. */
export function errorPage(input: {
  status: number;
  code: string;
  message: string;
  requestId: string;
}): string {
  return page({
    title: 'Laurel could not complete the launch',
    body: `<main><h1>Laurel could not complete the launch</h1><p>${escapeHtml(input.message)}</p><p class="muted">Error code <code>${escapeHtml(input.code)}</code>, status ${input.status}, request <code>${escapeHtml(input.requestId)}</code>.</p></main>`,
  });
}
