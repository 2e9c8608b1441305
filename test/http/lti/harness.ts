import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { type Clock, fixedClock } from '../../../src/clock.js';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { createLogger } from '../../../src/log.js';
import {
  type PlatformEmulator as Emulator,
  PlatformEmulator,
  type PlatformFamily,
  type PreparedLaunch,
  platformRouter,
} from '../../../src/lti/emulator/index.js';
import { insertPlatform, type Platform } from '../../../src/store/platforms.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

/** Laurel and a platform host, each on its own loopback port, sharing one advanceable clock. */
export interface LtiHarness {
  db: TestSchema;
  ctx: AppContext;
  clock: Clock & { advance(ms: number): void };
  toolUrl: string;
  platformHostUrl: string;
  /** Adds an emulated platform under /<name> on the platform host, registered in Laurel unless `register: false`. */
  addPlatform(
    name: string,
    family: PlatformFamily,
    options?: {
      register?: boolean;
      strictDeployments?: boolean;
      issuer?: string;
      clientId?: string;
      deploymentId?: string;
    },
  ): Promise<{ platform: Emulator; registration: Platform | undefined }>;
  register(
    platform: Emulator,
    options?: { strictDeployments?: boolean; clientId?: string },
  ): Promise<Platform>;
  close(): Promise<void>;
}

function listen(server: http.Server, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`));
  });
}

/** `toolHost: 'localhost'` puts Laurel on another site than the platforms (127.0.0.1), as in production. */
export async function startHarness(
  options: { toolHost?: string; logLines?: string[] } = {},
): Promise<LtiHarness> {
  const db = await createTestSchema();
  const clock = fixedClock(new Date());
  const toolServer = http.createServer();
  const toolUrl = await listen(toolServer, options.toolHost);
  const ctx = await testContext(db, {
    clock,
    config: testConfig({ PUBLIC_URL: toolUrl, OUTBOUND_ALLOW_PRIVATE: 'true' }),
  });
  const logLines = options.logLines;
  const app = createApp(
    logLines
      ? {
          ...ctx,
          logger: createLogger(
            'debug',
            new Writable({
              write(chunk, _encoding, callback) {
                logLines.push(String(chunk));
                callback();
              },
            }),
          ),
        }
      : ctx,
  );
  toolServer.on('request', app);
  const host = express();
  const platformServer = http.createServer(host);
  const platformHostUrl = await listen(platformServer);

  const register = async (
    platform: Emulator,
    options: { strictDeployments?: boolean; clientId?: string } = {},
  ) => {
    const registration = await insertPlatform(db.pool, {
      id: ctx.newId(),
      ...platform.registration(),
      ...(options.clientId ? { clientId: options.clientId } : {}),
      strictDeployments: options.strictDeployments ?? false,
    });
    if (!registration) throw new Error('platform already registered');
    return registration;
  };

  return {
    db,
    ctx,
    clock,
    toolUrl,
    platformHostUrl,
    register,
    async addPlatform(name, family, options = {}) {
      const platform = await PlatformEmulator.create({
        family,
        baseUrl: `${platformHostUrl}/${name}`,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        clientId: options.clientId ?? `client-${name}`,
        deploymentId: options.deploymentId ?? (family === 'moodle' ? '1' : `1:${name}`),
        tool: {
          loginUrl: `${toolUrl}/lti/login`,
          redirectUris: [`${toolUrl}/lti/launch`],
          targetLinkUri: `${toolUrl}/lti/launch`,
          jwksUrl: `${toolUrl}/.well-known/jwks.json`,
        },
        clock,
      });
      host.use(`/${name}`, platformRouter(platform));
      const registration =
        options.register === false
          ? undefined
          : await register(platform, options.strictDeployments ? { strictDeployments: true } : {});
      return { platform, registration };
    },
    async close() {
      toolServer.closeAllConnections();
      platformServer.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => toolServer.close(resolve)),
        new Promise((resolve) => platformServer.close(resolve)),
      ]);
      await db.drop();
    },
  };
}

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
const decodeEntities = (value: string) =>
  value.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity]!);

/** The hidden fields and action of the first form of an HTML page. */
export function readForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form in page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decodeEntities(match[1]!)] = decodeEntities(match[2]!);
  }
  return { action: decodeEntities(action), fields };
}

export function readMeta(html: string, name: string): string | undefined {
  const value = new RegExp(`<meta name="${name}" content="([^"]*)">`).exec(html)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A browser: a cookie jar (ignoring Secure and Path, as the loopback tool is http) and no redirects followed. */
export class Browser {
  readonly cookies = new Map<string, string>();

  async send(
    url: string,
    init: { method?: string; form?: Record<string, string>; accept?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (/Max-Age=0/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, text, json };
  }
}

export interface LaunchTrace {
  browser: Browser;
  login: Answer;
  /** The authentication request URL the tool sent the browser to. */
  authUrl?: URL;
  /** The platform's form_post. */
  form?: { action: string; fields: Record<string, string> };
  launch?: Answer;
  /** The storage value the login page put in the platform's postMessage storage (Canvas-like platforms). */
  stored?: { key: string; value: string };
}

/**
 * A whole launch through real HTTP: login initiation (GET, or POST with `method: 'POST'`), the platform's
 * authorization endpoint, and the form_post to Laurel. Stops at the first step that does not go on.
 */
export async function launchThrough(
  harnessOrUrl: { toolUrl: string },
  platform: Emulator,
  prepared: PreparedLaunch,
  options: { browser?: Browser; method?: 'GET' | 'POST'; launchBrowser?: Browser } = {},
): Promise<LaunchTrace> {
  const browser = options.browser ?? new Browser();
  const params = platform.prepareLaunch(prepared);
  const loginUrl = `${harnessOrUrl.toolUrl}/lti/login`;
  const login =
    options.method === 'POST'
      ? await browser.send(loginUrl, { form: params })
      : await browser.send(`${loginUrl}?${new URLSearchParams(params)}`);
  const trace: LaunchTrace = { browser, login };
  let next: string | undefined;
  if (login.status === 302) next = login.headers.get('location') ?? undefined;
  else if (login.status === 200) {
    next = readMeta(login.text, 'lti-next');
    trace.stored = {
      key: readMeta(login.text, 'lti-storage-key')!,
      value: readMeta(login.text, 'lti-storage-value')!,
    };
  }
  if (!next) return trace;
  trace.authUrl = new URL(next);
  const auth = await browser.send(next, { accept: 'text/html' });
  if (auth.status !== 200) throw new Error(`platform refused the authentication request: ${auth.text}`);
  trace.form = readForm(auth.text);
  trace.launch = await (options.launchBrowser ?? browser).send(trace.form.action, {
    form: trace.form.fields,
  });
  return trace;
}
