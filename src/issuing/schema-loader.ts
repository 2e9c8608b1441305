import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../context.js';
import type { SchemaLoader } from '../credentials/index.js';
import { guardedFetch, outboundPolicy, parseJsonObject } from '../net/guarded-fetch.js';

type Deps = Pick<AppContext, 'config' | 'clock'>;

const MAX_REDIRECTS = 3;
/** A schema that could not be fetched is not asked for again before this (each /verify would wait for it). */
export const SCHEMA_RETRY_AFTER_MS = 10 * 60 * 1000;

/**
 * Loads the JSON Schemas credentials name (`credentialSchema`, OB 3.0 §8.2): from `OB_SCHEMA_DIR` first (by
 * the URL's last segment, or by the file's `$id`), else over https from a host listed in
 * `SCHEMA_FETCH_HOSTS`, through the SSRF guard, following redirects only to listed hosts. Any other URL is
 * refused without a request: a credential must not make Laurel fetch what it names.
 */
export function createSchemaLoader(deps: Deps): SchemaLoader {
  const { obSchemaDir, schemaFetchHosts } = deps.config;
  let folder: Promise<Map<string, object>> | undefined;
  const failures = new Map<string, { at: number; message: string }>();
  const policy = outboundPolicy(deps.config, { maxBytes: 2 * 1024 * 1024, timeoutMs: 5_000 });

  return async (url) => {
    if (obSchemaDir) {
      folder ??= readSchemaFolder(obSchemaDir);
      const index = await folder;
      const local = index.get(url) ?? index.get(lastSegment(url));
      if (local) return local;
    }
    if (!allowedHost(url, schemaFetchHosts)) {
      throw new Error(
        `it is not in OB_SCHEMA_DIR and its host is not in SCHEMA_FETCH_HOSTS (${schemaFetchHosts.join(', ') || 'none'})`,
      );
    }
    const now = deps.clock.now().getTime();
    const failed = failures.get(url);
    if (failed && now - failed.at < SCHEMA_RETRY_AFTER_MS) throw new Error(failed.message);
    try {
      const schema = await fetchSchema(url, schemaFetchHosts, policy);
      failures.delete(url);
      return schema;
    } catch (error) {
      // The check's message names the URL already: keep only why the request failed.
      const message = ((error as Error)?.message ?? String(error)).replace(
        /^Outbound request to \S+ (?:failed|refused): /,
        '',
      );
      if (failures.size >= 64) failures.clear();
      failures.set(url, { at: now, message });
      throw new Error(message);
    }
  };
}

async function fetchSchema(
  first: string,
  hosts: readonly string[],
  policy: ReturnType<typeof outboundPolicy>,
): Promise<object> {
  let url = first;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await guardedFetch(
      url,
      { headers: { accept: 'application/schema+json, application/json' }, redirects: 'return' },
      policy,
    );
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.location;
      if (!location) throw new Error(`${url} answered ${response.status} without a location`);
      const next = new URL(location, url).href;
      if (!allowedHost(next, hosts))
        throw new Error(`${url} redirects to ${next}, whose host is not allowed`);
      url = next;
      continue;
    }
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    const schema = parseJsonObject(response.body);
    if (!schema) throw new Error(`${url} did not answer a JSON object`);
    return schema;
  }
  throw new Error(`${first}: more than ${MAX_REDIRECTS} redirects`);
}

function allowedHost(url: string, hosts: readonly string[]): boolean {
  try {
    return hosts.includes(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

function lastSegment(url: string): string {
  try {
    return path.posix.basename(new URL(url).pathname);
  } catch {
    return url;
  }
}

/** Every *.json file of the folder, by file name and by its `$id`; unreadable files are left out. */
async function readSchemaFolder(folder: string): Promise<Map<string, object>> {
  const index = new Map<string, object>();
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
  } catch {
    return index;
  }
  for (const name of names) {
    const schema = parseJsonObject(await readFile(path.join(folder, name), 'utf8').catch(() => ''));
    if (!schema) continue;
    index.set(name, schema);
    if (typeof schema.$id === 'string') index.set(schema.$id, schema);
  }
  return index;
}
