import xapiModule from '@xapi/xapi';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { guardedFetch, type OutboundPolicy } from '../net/guarded-fetch.js';
import { unseal } from '../secrets.js';
import {
  failPull,
  finishPull,
  leaseDuePullSources,
  type PullSource,
  savePullProgress,
} from '../store/pull-sources.js';
import { parseTimestamp } from './formats.js';
import { type IngestDeps, storeStatements } from './ingest.js';
import { validateStatement } from './statement.js';
import type { Statement } from './types.js';

// @xapi/xapi ships CommonJS with `export default` types: under NodeNext the class is the `default` member.
const XAPI = xapiModule.default;

/** The adapter shape @xapi/xapi calls for every request. */
type AdapterFunction = (request: {
  url: string;
  method: string;
  headers?: Record<string, string>;
  data?: unknown;
}) => Promise<{ data: unknown; headers: Record<string, unknown>; status: number }>;

const pullPageMaxBytes = 32 * 1024 * 1024;

/** The `seal` purpose of pull sources' secrets. */
export const pullSecretPurpose = 'xapi-pull-source';

export interface PullDeps extends IngestDeps {
  secret: string;
  logger: Logger;
  policy: OutboundPolicy;
  /** Statements per page asked of the source. */
  pageLimit?: number;
  /** Time between successful polls of one source. */
  pollIntervalMs?: number;
  /** First retry delay after a failure; doubles per failure up to an hour. */
  backoffBaseMs?: number;
  /** How long a poll may hold a source before another instance may take it. */
  leaseMs?: number;
}

/** The @xapi/xapi adapter over Laurel's SSRF-guarded fetch: no redirects, no private addresses unless allowed. */
export function guardedAdapter(policy: OutboundPolicy): AdapterFunction {
  return async ({ url, method, headers, data }) => {
    const body = data === undefined ? undefined : typeof data === 'string' ? data : JSON.stringify(data);
    const response = await guardedFetch(
      url,
      {
        method: method === 'POST' ? 'POST' : 'GET',
        headers: headers ?? {},
        ...(body === undefined ? {} : { body }),
      },
      policy,
    );
    if (response.status >= 400) {
      throw new AppError(
        'ERR_OUTBOUND_FAILED',
        `The LRS answered ${response.status} to ${method} ${new URL(url).pathname}`,
        {
          details: { status: response.status },
        },
      );
    }
    let parsed: unknown = response.body;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      // not JSON: keep the text
    }
    return { data: parsed, headers: response.headers, status: response.status };
  };
}

interface StatementsPage {
  statements?: unknown[];
  more?: string;
}

/**
 * One poll of one source: GET statements since the cursor (ascending), store each page with its jobs,
 * follow `more` (saving it after each page, so a restart resumes there), then move the cursor to the
 * source's X-Experience-API-Consistent-Through, never past it. Returns how many statements were stored.
 * @throws whatever the source or the database throws; the cursor and continuation stay where they were.
 */
export async function pullSource(deps: PullDeps, source: PullSource): Promise<number> {
  const xapi = new XAPI({
    endpoint: source.endpoint,
    auth: XAPI.toBasicAuth(source.authKey, unseal(deps.secret, pullSecretPurpose, source.authSecretSealed)),
    // @xapi/xapi 3 speaks 1.0.x; every 2.0 LRS answers 1.0.3 clients too.
    version: '1.0.3',
    // A page of statements can be larger than the default outbound body limit.
    adapter: guardedAdapter({
      ...deps.policy,
      maxBytes: Math.max(deps.policy.maxBytes, pullPageMaxBytes),
    }) as never,
  });
  const writer = {
    platformId: source.platformId,
    courseId: source.courseId,
    lrsKey: null,
    authority: {
      objectType: 'Agent' as const,
      name: 'Pulled from an external LRS',
      account: { homePage: source.endpoint, name: source.authKey },
    },
  };
  type Page = { data: StatementsPage; headers: Record<string, unknown> };
  let response: Page | undefined;
  if (source.more) {
    try {
      response = (await xapi.getMoreStatements({ more: source.more })) as unknown as Page;
    } catch (error) {
      // An expired or refused continuation: start again from the cursor (storing is idempotent).
      deps.logger.warn(
        { source: source.id, err: error },
        'xapi pull: continuation refused, restarting from since',
      );
    }
  }
  let page: Page =
    response ??
    ((await xapi.getStatements({
      ascending: true,
      limit: deps.pageLimit ?? 200,
      ...(source.since ? { since: source.since.toISOString() } : {}),
    })) as unknown as Page);
  let consistentThrough: number | undefined;
  let stored = 0;
  for (;;) {
    const header = page.headers['x-experience-api-consistent-through'];
    const through = typeof header === 'string' ? parseTimestamp(header) : undefined;
    if (through !== undefined) consistentThrough = Math.min(consistentThrough ?? through, through);
    stored += await storePage(deps, writer, source, page.data.statements ?? []);
    const more = page.data.more;
    if (!more) break;
    await savePullProgress(deps.pool, source.id, more);
    page = (await xapi.getMoreStatements({ more })) as unknown as Page;
  }
  const previous = source.since?.getTime() ?? Number.NEGATIVE_INFINITY;
  const next =
    consistentThrough === undefined ? source.since : new Date(Math.max(previous, consistentThrough));
  const nextRunAt = new Date(deps.clock.now().getTime() + (deps.pollIntervalMs ?? 60_000));
  await finishPull(deps.pool, source.id, next, nextRunAt);
  return stored;
}

async function storePage(
  deps: PullDeps,
  writer: Parameters<typeof storeStatements>[1],
  source: PullSource,
  items: unknown[],
): Promise<number> {
  const valid: Statement[] = [];
  for (const item of items) {
    try {
      valid.push(validateStatement(item, { version: '2.0.0' }));
    } catch (error) {
      // One malformed statement at the source must not stop the feed; it is logged and skipped.
      deps.logger.warn({ source: source.id, err: error }, 'xapi pull: skipped an invalid statement');
    }
  }
  if (valid.length === 0) return 0;
  await storeStatements(deps, writer, valid, source.xapiVersion === '2.0.0' ? '2.0.0' : '1.0.3');
  return valid.length;
}

/** Polls every source that is due; failures back off exponentially (up to an hour). Returns sources polled. */
export async function runDuePulls(deps: PullDeps): Promise<number> {
  const sources = await leaseDuePullSources(deps.pool, deps.clock.now(), deps.leaseMs ?? 5 * 60_000, 10);
  for (const source of sources) {
    try {
      const stored = await pullSource(deps, source);
      deps.logger.info({ source: source.id, stored }, 'xapi pull done');
    } catch (error) {
      const delay = Math.min((deps.backoffBaseMs ?? 5000) * 2 ** source.failures, 60 * 60_000);
      const message = error instanceof Error ? error.message : String(error);
      deps.logger.warn({ source: source.id, err: error, retryInMs: delay }, 'xapi pull failed');
      await failPull(deps.pool, source.id, message, new Date(deps.clock.now().getTime() + delay));
    }
  }
  return sources.length;
}

/** Runs `runDuePulls` every `everyMs` until stopped (serve wires it). */
export function createPuller(deps: PullDeps, everyMs = 15_000): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = runDuePulls(deps)
      .catch((error) => deps.logger.error({ err: error }, 'xapi pull loop failed'))
      .finally(() => {
        if (timer) timer = setTimeout(tick, everyMs);
      });
  };
  return {
    start() {
      timer = setTimeout(tick, 0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
