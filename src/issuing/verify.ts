import type { AppContext } from '../context.js';
import {
  createSchemaCheck,
  type FetchJson,
  type VerificationReport,
  verifyCredential,
} from '../credentials/index.js';
import { guardedFetch, outboundPolicy, parseJsonObject } from '../net/guarded-fetch.js';
import { findStatusList } from '../store/credentials.js';
import { issuerDidDocument } from './issuers.js';
import { createSchemaLoader } from './schema-loader.js';

type Deps = Pick<AppContext, 'pool' | 'clock' | 'config'>;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** host + path of a URL, ignoring the scheme (did:web always says https; a development PUBLIC_URL may be http). */
function hostPath(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

/**
 * Fetches JSON through the SSRF guard (src/net/guarded-fetch.ts): https only in production, no private
 * addresses, no redirects, size and time limits. Laurel's own DID documents and status lists are read from
 * the database instead of over the network.
 */
export function createVerifyFetchers(deps: Deps): {
  fetchDidDocument: FetchJson;
  fetchStatusList: FetchJson;
} {
  const policy = outboundPolicy(deps.config, { maxBytes: 512 * 1024 });
  const own = hostPath(deps.config.publicUrl);
  const remote: FetchJson = async (url) => {
    const response = await guardedFetch(url, { headers: { accept: 'application/json' } }, policy);
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    const json = parseJsonObject(response.body);
    if (!json) throw new Error(`${url} did not answer a JSON object`);
    return json;
  };
  return {
    fetchDidDocument: async (url) => {
      const match = new RegExp(`^${escapeRegExp(own)}/issuers/(${UUID})/did\\.json$`).exec(hostPath(url));
      if (!match) return remote(url);
      const document = await issuerDidDocument(deps, deps.pool, match[1]!);
      if (!document) throw new Error(`${url} does not exist`);
      return document;
    },
    fetchStatusList: async (url) => {
      const match = new RegExp(`^${escapeRegExp(own)}/status/(${UUID})$`).exec(hostPath(url));
      if (!match) return remote(url);
      const list = await findStatusList(deps.pool, match[1]!);
      if (!list) throw new Error(`${url} does not exist`);
      return list.document;
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A verifier for this instance: the guarded fetchers, and a schema check whose schemas (OB_SCHEMA_DIR,
 * SCHEMA_FETCH_HOSTS) are loaded and compiled once for its life. Create one per process part (routes, CLI).
 */
export function createVerifier(deps: Deps): (input: unknown) => Promise<VerificationReport> {
  const fetchers = createVerifyFetchers(deps);
  const schemaCheck = createSchemaCheck(createSchemaLoader(deps));
  return (input) => verifyCredential(input, { now: deps.clock.now(), ...fetchers, schemaCheck });
}
