import type { ToolUrls } from '../../lti/manifest.js';
import { escapeHtml, page } from '../html.js';

export const registrationCloseScriptPath = '/assets/lti/registration-close.js';
export const installCopyScriptPath = '/assets/admin/install.js';

/** The page Dynamic Registration ends on: it asks the platform to close the window (script file, no inline). */
export function registrationDonePage(input: {
  platformName: string;
  clientId: string;
  deploymentId?: string;
}): string {
  const deployment = input.deploymentId
    ? ` Deployment <code>${escapeHtml(input.deploymentId)}</code> is recorded.`
    : ' Its deployment is recorded at the first launch.';
  return page({
    title: 'Laurel is registered',
    scripts: [registrationCloseScriptPath],
    body: `<main data-registered-page><h1>Laurel is registered</h1><p>${escapeHtml(input.platformName)} registered Laurel as client <code>${escapeHtml(input.clientId)}</code>.${deployment}</p><p>You can close this window and enable Laurel in your LMS.</p><button type="button" id="close">Close</button></main>`,
  });
}

/** A registration failure, for the administrator's browser. */
export function registrationErrorPage(input: { code: string; message: string; requestId: string }): string {
  return page({
    title: 'Laurel could not be registered',
    scripts: [registrationCloseScriptPath],
    body: `<main><h1>Laurel could not be registered</h1><p>${escapeHtml(input.message)}</p><p class="muted">Error code <code>${escapeHtml(input.code)}</code>, request <code>${escapeHtml(input.requestId)}</code>. See docs/errors.md.</p><button type="button" id="close">Close</button></main>`,
  });
}

/** `/admin/install`: every URL a platform administrator needs, each with a copy button. */
export function installPage(urls: ToolUrls): string {
  const rows: Array<[string, string, string]> = [
    [
      'dynamic-registration',
      'Dynamic Registration URL (Moodle, Canvas, Brightspace, Sakai)',
      urls.dynamicRegistration,
    ],
    [
      'canvas-json',
      'Canvas configuration URL (Developer Key → LTI Key → Enter URL)',
      urls.canvasConfiguration,
    ],
    ['login', 'OpenID Connect login / initiation URL', urls.login],
    ['launch', 'Target link URI / launch URL', urls.launch],
    ['redirect', 'Redirect URI(s)', urls.redirectUris.join('\n')],
    ['deep-linking', 'Deep Linking (content selection) URL', urls.deepLinking],
    ['jwks', 'Public keyset (JWKS) URL', urls.jwks],
    ['domain', 'Tool domain', urls.domain],
    ['icon', 'Icon URL', urls.icon],
  ];
  const items = rows
    .map(
      ([id, label, value]) =>
        `<tr><th scope="row">${escapeHtml(label)}</th><td><code id="${id}">${escapeHtml(value)}</code></td><td><button type="button" class="secondary" data-copy="${id}">Copy</button></td></tr>`,
    )
    .join('');
  return page({
    title: 'Install Laurel in your LMS',
    scripts: [installCopyScriptPath],
    body: `<main><h1>Install Laurel in your LMS</h1><p>These URLs are for <code>${escapeHtml(urls.publicUrl)}</code>. With Dynamic Registration, paste the first one into your LMS; otherwise copy the others into its manual LTI 1.3 form, then register the LMS's values with <code>laurel platform add</code> or <code>POST /admin/api/platforms</code>. Step-by-step guides: <code>plugin/&lt;lms&gt;/README.md</code>.</p><table class="stack"><tbody>${items}</tbody></table></main>`,
  });
}
