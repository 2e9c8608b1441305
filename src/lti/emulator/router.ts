import express, { type Request, type Response, Router } from 'express';
import { autoPostForm, escapeHtml, htmlDocument } from '../../ui/html.js';
import { EmulatorError, type PlatformEmulator } from './platform.js';

/** Submits the page's `form[data-autopost]` once loaded. */
export const emulatorAutopostScript = `document.querySelector('form[data-autopost]')?.submit();\n`;

/**
 * The platform's storage frame of LTI Client Side postMessages (1EdTech): answers lti.capabilities, lti.put_data and
 * lti.get_data from tools framed beside it, keeping values per tool origin (as Canvas's post_message_forwarding).
 */
export const emulatorStorageScript = `(() => {
  const store = new Map();
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || typeof data !== 'object' || typeof data.subject !== 'string' || !event.source) return;
    const reply = (body) =>
      event.source.postMessage({ ...body, subject: data.subject + '.response', message_id: data.message_id }, event.origin);
    const key = event.origin + ' ' + data.key;
    if (data.subject === 'lti.capabilities') {
      reply({ supported_messages: [{ subject: 'lti.put_data' }, { subject: 'lti.get_data' }] });
    } else if (data.subject === 'lti.put_data' && typeof data.key === 'string') {
      store.set(key, data.value);
      reply({ key: data.key, value: data.value });
    } else if (data.subject === 'lti.get_data' && typeof data.key === 'string') {
      if (store.has(key)) reply({ key: data.key, value: store.get(key) });
      else reply({ key: data.key, error: { code: 'bad_request', message: 'no value for this key' } });
    }
  });
})();
`;

function params(req: Request): Record<string, string | undefined> {
  const source = {
    ...(req.query as Record<string, unknown>),
    ...((req.body ?? {}) as Record<string, unknown>),
  };
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(source)) if (typeof value === 'string') out[key] = value;
  return out;
}

function sendOidcError(res: Response, error: unknown): void {
  if (!(error instanceof EmulatorError)) throw error;
  res.status(400).json({ error: error.error, error_description: error.description });
}

/**
 * The emulated platform's HTTP face, mounted at the path of `platform.baseUrl`: JWKS, OIDC authorization
 * (auto-posting the id_token), Deep Linking return. The AGS, NRPS and token endpoints go here too.
 */
export function platformRouter(platform: PlatformEmulator): Router {
  const router = Router();
  const { paths } = platform.profile;
  const scriptPath = '/emulator/autopost.js';
  const base = new URL(platform.baseUrl).pathname.replace(/\/$/, '');
  const scriptUrl = base + scriptPath;
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  router.get(paths.jwks, (_req, res) => {
    platform.jwksRequests++;
    res.set('Cache-Control', 'max-age=300').json(platform.jwks());
  });

  router.get(scriptPath, (_req, res) => {
    res.type('text/javascript').send(emulatorAutopostScript);
  });
  router.get('/emulator/storage.js', (_req, res) => {
    res.type('text/javascript').send(emulatorStorageScript);
  });
  router.get('/emulator/storage.html', (_req, res) => {
    res
      .type('html')
      .send(htmlDocument({ title: 'LTI storage', body: '', scripts: [`${base}/emulator/storage.js`] }));
  });
  // A course page of the platform: the tool framed beside the platform's storage frame (named as in Canvas), the
  // frame's source being the tool's login initiation with the query's parameters.
  router.get('/emulator/frame', (req, res) => {
    const login = `${platform.tool.loginUrl}?${new URLSearchParams(params(req) as Record<string, string>)}`;
    const storage = platform.storageTarget
      ? `<iframe name="${escapeHtml(platform.storageTarget)}" src="${escapeHtml(`${base}/emulator/storage.html`)}" hidden></iframe>`
      : '';
    res.type('html').send(
      htmlDocument({
        title: `Emulated ${platform.family} course`,
        body: `${storage}<iframe name="tool" title="Laurel" src="${escapeHtml(login)}" width="800" height="600"></iframe>`,
      }),
    );
  });

  router.all(paths.auth, async (req, res) => {
    try {
      const { action, fields } = await platform.authorize(params(req));
      res
        .type('html')
        .send(
          htmlDocument({ title: 'Launching…', body: autoPostForm(action, fields), scripts: [scriptUrl] }),
        );
    } catch (error) {
      sendOidcError(res, error);
    }
  });

  router.post(paths.deepLinkReturn, async (req, res) => {
    try {
      const jwt = params(req).JWT;
      if (!jwt) throw new EmulatorError('invalid_request', 'JWT is required');
      const payload = await platform.receiveDeepLinkingResponse(jwt);
      const items = (payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] ??
        []) as unknown[];
      res.type('html').send(
        htmlDocument({
          title: 'Content added',
          body: `<p>Received ${escapeHtml(String(items.length))} item(s).</p>`,
        }),
      );
    } catch (error) {
      sendOidcError(res, error);
    }
  });

  return router;
}
