import path from 'node:path';
import { AppError } from './errors.js';

/**
 * Laurel's configuration: every setting, its default and its meaning. This table is the configuration
 * reference; README's configuration table is kept in step with it by a test. Nothing else reads process.env.
 */
export const settings = {
  PORT: { default: '3000', doc: 'HTTP port to listen on.' },
  HOST: {
    default: '127.0.0.1',
    doc: 'Address to bind; `0.0.0.0` to accept connections from other hosts (Docker sets it).',
  },
  PUBLIC_URL: {
    default: 'http://localhost:${PORT}',
    doc: 'The URL learners, LMSs and verifiers reach Laurel at (https in production); ids and LTI URLs derive from it.',
  },
  DATABASE_URL: {
    default: '',
    doc: 'PostgreSQL connection string. Unset: Laurel starts its own embedded PostgreSQL with data under `DATA_DIR`.',
  },
  DATA_DIR: { default: './data', doc: 'Where the embedded PostgreSQL and the generated secret live.' },
  LOG_LEVEL: { default: 'info', doc: 'One of `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`.' },
  LAUREL_SECRET: {
    default: '',
    doc: 'At least 32 characters; encrypts private keys at rest. Unset: generated once into `DATA_DIR/secret` (mode 0600). Required when `NODE_ENV=production`.',
  },
  FRAME_ANCESTORS: {
    default: "'self' https: http://localhost:* http://127.0.0.1:*",
    doc: 'CSP `frame-ancestors`: which sites may frame Laurel (the LMSs it is installed in).',
  },
  BODY_LIMIT_BYTES: { default: '5242880', doc: 'Largest request body accepted; larger ones answer 413.' },
  DB_POOL_MAX: { default: '10', doc: 'Largest number of PostgreSQL connections in the pool.' },
  SIGNING_THREADS: {
    default: '1',
    doc: 'Worker threads that sign credentials; `0` signs on the main thread. One thread takes signing and its garbage collection off the HTTP event loop, for a round trip per credential. The issue queue signs one credential at a time per process, so more threads only help concurrent issuing (admin API): scale with `laurel worker` processes (see docs/credentials.md).',
  },
  CREDENTIAL_SUSPENSION: {
    default: 'false',
    doc: '`true`: credentials issued from now on can be suspended and unsuspended as well as revoked. They carry one Bitstring Status List entry of purpose `message` (2 bits: valid, revoked, suspended) instead of a 1-bit `revocation` entry, since OB 3.0 allows one `credentialStatus`. Verifiers that follow Bitstring Status List read both; some wallets read only `revocation` lists (see docs/credentials.md).',
  },
  SHUTDOWN_GRACE_MS: {
    default: '10000',
    doc: 'On SIGTERM, how long in-flight requests may take before connections are closed.',
  },
  ADMIN_TOKEN: {
    default: '',
    doc: 'At least 32 characters; the bearer token of the admin API (`/admin/api/*`). Unset: the admin API answers 403.',
  },
  OUTBOUND_ALLOW_PRIVATE: {
    default: 'false',
    doc: '`true` lets outbound requests (OpenID configuration, JWKS) reach private, loopback and link-local addresses: for LMSs on an internal network, development and tests.',
  },
  OB_SCHEMA_DIR: {
    default: '',
    doc: "A folder of JSON Schema files for the `schema` check of `/verify` (the schemas a credential names in `credentialSchema`), found by file name (the URL's last segment, as a download saves it) or by `$id`; read before fetching. Unset: none.",
  },
  SCHEMA_FETCH_HOSTS: {
    default: 'purl.imsglobal.org',
    doc: "Comma-separated hosts from which `/verify` fetches the JSON Schemas credentials name (https through the SSRF guard; redirects followed only to these hosts; kept for the process's life). `none`: never fetched.",
  },
  SANDBOX: {
    default: 'auto',
    doc: '`/sandbox`: an emulated LMS inside Laurel to launch a demo course as instructor or learner. `auto` turns it on with the embedded PostgreSQL (no `DATABASE_URL`) outside production; `true` or `false` decide.',
  },
  XAPI_DEFAULT_VERSION: {
    default: '2.0.0',
    doc: 'The `X-Experience-API-Version` the LRS answers a request that sent none (which it refuses with 400): `2.0.0` or `1.0.3`.',
  },
  NODE_ENV: { default: 'development', doc: '`production` makes `LAUREL_SECRET` required.' },
} as const;

export type SettingName = keyof typeof settings;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly laurelSecret: string | undefined;
  readonly frameAncestors: readonly string[];
  readonly bodyLimitBytes: number;
  readonly dbPoolMax: number;
  readonly signingThreads: number;
  /** New credentials carry a `message` status entry (revoked or suspended) instead of a `revocation` one. */
  readonly credentialSuspension: boolean;
  readonly shutdownGraceMs: number;
  readonly production: boolean;
  readonly adminToken: string | undefined;
  readonly outboundAllowPrivate: boolean;
  readonly obSchemaDir: string | undefined;
  readonly schemaFetchHosts: readonly string[];
  readonly sandbox: boolean;
  readonly xapiDefaultVersion: '1.0.3' | '2.0.0';
}

type Env = Readonly<Record<string, string | undefined>>;

function invalid(key: SettingName, rule: string, value: string): never {
  throw new AppError(
    'ERR_CONFIG_INVALID',
    `${key} ${rule} (got ${JSON.stringify(key === 'LAUREL_SECRET' || key === 'DATABASE_URL' || key === 'ADMIN_TOKEN' ? '<redacted>' : value)})`,
    {
      details: { key },
    },
  );
}

function integer(env: Env, key: SettingName, min: number, max: number): number {
  const raw = read(env, key);
  if (!/^\d+$/.test(raw)) invalid(key, 'must be a whole number', raw);
  const value = Number(raw);
  if (value < min || value > max) invalid(key, `must be between ${min} and ${max}`, raw);
  return value;
}

function read(env: Env, key: SettingName): string {
  const value = env[key];
  return value === undefined || value === '' ? settings[key].default : value;
}

function httpUrl(key: SettingName, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid(key, 'must be an absolute URL', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid(key, 'must be an http(s) URL', raw);
  if (url.search || url.hash) invalid(key, 'must not have a query or fragment', raw);
  return url.href.replace(/\/$/, '');
}

/**
 * Reads and validates the environment once and returns a frozen Config.
 * @throws AppError ERR_CONFIG_INVALID naming the bad key.
 */
export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 0, 65535);
  const host = read(env, 'HOST');
  const publicUrl = httpUrl('PUBLIC_URL', read(env, 'PUBLIC_URL').replace('${PORT}', String(port)));

  const databaseUrl = read(env, 'DATABASE_URL') || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    invalid('DATABASE_URL', 'must start with postgres:// or postgresql://', databaseUrl);
  }

  const logLevel = read(env, 'LOG_LEVEL');
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    invalid('LOG_LEVEL', `must be one of ${logLevels.join(', ')}`, logLevel);
  }

  const nodeEnv = read(env, 'NODE_ENV');
  const production = nodeEnv === 'production';
  const laurelSecret = read(env, 'LAUREL_SECRET') || undefined;
  if (laurelSecret !== undefined && laurelSecret.length < 32) {
    invalid('LAUREL_SECRET', 'must be at least 32 characters', laurelSecret);
  }
  if (laurelSecret === undefined && production) {
    invalid('LAUREL_SECRET', 'is required when NODE_ENV=production', '');
  }

  const adminToken = read(env, 'ADMIN_TOKEN') || undefined;
  if (adminToken !== undefined && adminToken.length < 32) {
    invalid('ADMIN_TOKEN', 'must be at least 32 characters', adminToken);
  }
  const outboundAllowPrivate = read(env, 'OUTBOUND_ALLOW_PRIVATE');
  if (outboundAllowPrivate !== 'true' && outboundAllowPrivate !== 'false') {
    invalid('OUTBOUND_ALLOW_PRIVATE', 'must be true or false', outboundAllowPrivate);
  }

  const credentialSuspension = read(env, 'CREDENTIAL_SUSPENSION');
  if (credentialSuspension !== 'true' && credentialSuspension !== 'false') {
    invalid('CREDENTIAL_SUSPENSION', 'must be true or false', credentialSuspension);
  }

  const sandbox = read(env, 'SANDBOX');
  if (sandbox !== 'auto' && sandbox !== 'true' && sandbox !== 'false') {
    invalid('SANDBOX', 'must be auto, true or false', sandbox);
  }

  const xapiDefaultVersion = read(env, 'XAPI_DEFAULT_VERSION');
  if (xapiDefaultVersion !== '1.0.3' && xapiDefaultVersion !== '2.0.0') {
    invalid('XAPI_DEFAULT_VERSION', 'must be 1.0.3 or 2.0.0', xapiDefaultVersion);
  }

  const obSchemaDir = read(env, 'OB_SCHEMA_DIR') || undefined;
  const schemaFetchHosts = read(env, 'SCHEMA_FETCH_HOSTS')
    .replace(/^none$/, '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  const badHost = schemaFetchHosts.find((host) => !/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(host));
  if (badHost !== undefined)
    invalid('SCHEMA_FETCH_HOSTS', 'must list host names, without scheme or port', badHost);

  const frameAncestors = read(env, 'FRAME_ANCESTORS').split(/\s+/).filter(Boolean);
  if (frameAncestors.length === 0) invalid('FRAME_ANCESTORS', 'must list at least one source', '');

  return Object.freeze({
    port,
    host,
    publicUrl,
    databaseUrl,
    dataDir: path.resolve(read(env, 'DATA_DIR')),
    logLevel: logLevel as LogLevel,
    laurelSecret,
    frameAncestors: Object.freeze(frameAncestors),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024, 1024 * 1024 * 1024),
    dbPoolMax: integer(env, 'DB_POOL_MAX', 1, 1000),
    signingThreads: integer(env, 'SIGNING_THREADS', 0, 64),
    credentialSuspension: credentialSuspension === 'true',
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 0, 10 * 60 * 1000),
    production,
    adminToken,
    outboundAllowPrivate: outboundAllowPrivate === 'true',
    obSchemaDir: obSchemaDir === undefined ? undefined : path.resolve(obSchemaDir),
    schemaFetchHosts: Object.freeze(schemaFetchHosts),
    sandbox: sandbox === 'auto' ? databaseUrl === undefined && !production : sandbox === 'true',
    xapiDefaultVersion,
  });
}
