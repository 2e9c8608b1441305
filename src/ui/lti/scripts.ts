/**
 * The scripts of the LTI pages, served as files under /lti/assets/ (the CSP allows script from 'self' only, never
 * inline). Kept as strings so the build ships them inside dist/ with no copy step.
 */

/** Submits `form[data-autopost]` on load (form_post answers, Deep Linking response). */
const autopost = `document.querySelector('form[data-autopost]')?.submit();
`;

// LTI Client Side postMessages (1EdTech): the storage frame is window.parent, or a named frame inside it.
const storageFrame = `function ltiStorageFrame(target) {
  if (target === '_parent') return window.parent;
  try {
    return window.parent.frames[target] || null;
  } catch {
    return null;
  }
}
function meta(name) {
  return document.querySelector('meta[name="' + name + '"]')?.getAttribute('content') ?? '';
}
function ltiRequest(frame, origin, message, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    window.addEventListener('message', function onMessage(event) {
      const data = event.data;
      if (event.origin !== origin || !data || data.message_id !== message.message_id) return;
      if (data.subject !== message.subject + '.response') return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      if (data.error) reject(new Error(data.error.code || 'error'));
      else resolve(data);
    });
    frame.postMessage(message, origin);
  });
}
`;

/** Login: store the browser binding in the platform's storage (lti.put_data), then go to the platform. */
const login = `${storageFrame}
(() => {
  const next = () => window.location.replace(meta('lti-next'));
  const frame = ltiStorageFrame(meta('lti-storage-target'));
  if (!frame) return next();
  const message = {
    subject: 'lti.put_data',
    message_id: crypto.randomUUID(),
    key: meta('lti-storage-key'),
    value: meta('lti-storage-value'),
  };
  // The login cookie may still bind the browser, so a storage failure does not stop the login.
  ltiRequest(frame, meta('lti-platform-origin'), message, 2000).then(next, next);
})();
`;

/** Launch without the login cookie: read the binding back (lti.get_data) and post the launch again with it. */
const launch = `${storageFrame}
(() => {
  const form = document.querySelector('form[data-storage-check]');
  const status = document.getElementById('status');
  const fail = () => {
    status.textContent = 'This browser could not prove it started the launch (cookies and LTI storage unavailable). Open Laurel in a new window from your course.';
  };
  const frame = ltiStorageFrame(meta('lti-storage-target'));
  if (!form || !frame) return fail();
  const message = { subject: 'lti.get_data', message_id: crypto.randomUUID(), key: meta('lti-storage-key') };
  ltiRequest(frame, meta('lti-platform-origin'), message, 2000).then((data) => {
    if (typeof data.value !== 'string' || data.value === '') return fail();
    form.elements.namedItem('lti_binding').value = data.value;
    form.submit();
  }, fail);
})();
`;

/**
 * Launched pages: the session token is in a meta tag; \`laurel.fetch\` sends it as X-Laurel-Session and forms
 * marked \`data-session\` carry it as a hidden field. It is never put in a URL.
 */
const session = `(() => {
  const token = document.querySelector('meta[name="laurel-session"]')?.getAttribute('content') ?? '';
  for (const form of document.querySelectorAll('form[data-session]')) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'laurel_session';
    input.value = token;
    form.append(input);
  }
  window.laurel = Object.freeze({
    fetch(url, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('X-Laurel-Session', token);
      return fetch(url, { ...init, headers });
    },
  });
})();
`;

export const ltiScripts: Readonly<Record<string, string>> = Object.freeze({
  'autopost.js': autopost,
  'login.js': login,
  'launch.js': launch,
  'session.js': session,
});

export const ltiAssetsPath = '/lti/assets';
