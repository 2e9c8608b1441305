import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AppError } from '../errors.js';
import { seal } from '../secrets.js';
import { insertLrsKey } from '../store/lrs-keys.js';
import { insertPullSource } from '../store/pull-sources.js';
import { generateCredentials, lrsScopes, parseScopes } from '../xapi/credentials.js';
import { pullSecretPurpose } from '../xapi/pull.js';
import { withCliContext } from './context.js';

export const lrsKeysUsage = `laurel lrs-keys create [--platform P] [--course C] [--scope S ...] [--label L]

Creates an LRS key for HTTP Basic authentication at /xapi and prints the key and the secret
(the secret is shown once; only its hash is stored).
  --platform P  platform id (optional when exactly one platform is registered)
  --course C    course id: statements written with the key belong to that course
  --scope S     ${lrsScopes.join(', ')} (repeatable; default: statements/write and statements/read/mine)
  --label L     a note for admins`;

/** `laurel lrs-keys create`: prints `key`, `secret` and the endpoint, one per line. */
export async function runLrsKeys(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      platform: { type: 'string' },
      course: { type: 'string' },
      scope: { type: 'string', multiple: true },
      label: { type: 'string' },
    },
  });
  if (positionals[0] !== 'create' || positionals.length > 1) {
    console.error(lrsKeysUsage);
    return 2;
  }
  const scopes = parseScopes(values.scope ?? []);
  return withCliContext(async ({ pool, config }) => {
    const platformId = values.platform ?? (await onlyPlatform(pool));
    const credentials = generateCredentials();
    await insertLrsKey(pool, {
      key: credentials.key,
      platformId,
      courseId: values.course ?? null,
      secretSha256: credentials.secretSha256,
      scopes,
      label: values.label ?? '',
    });
    console.log(`key=${credentials.key}`);
    console.log(`secret=${credentials.secret}`);
    console.log(`endpoint=${new URL('/xapi/', config.publicUrl).href}`);
    console.log(`scopes=${scopes.join(' ')}`);
    return 0;
  });
}

async function onlyPlatform(pool: { query: (sql: string) => Promise<{ rows: { id: string }[] }> }) {
  const { rows } = await pool.query('SELECT id FROM platforms ORDER BY created_at LIMIT 2');
  if (rows.length !== 1) {
    throw new AppError(
      'ERR_XAPI_KEY_INVALID',
      rows.length === 0
        ? 'No platform is registered yet'
        : 'Several platforms are registered: pass --platform',
      { details: { path: 'platform' } },
    );
  }
  return rows[0]!.id;
}

export const lrsPullUsage = `laurel lrs-pull add --platform P --endpoint URL --key K --secret S [--course C] [--since T]

Registers an external LRS to pull statements from (polled by the server; the cursor is kept in PostgreSQL).
The secret is stored sealed with LAUREL_SECRET. Prints the source id.
  --endpoint URL  the LRS endpoint (https; ends with /xapi/ or the LRS's own base)
  --key K         Basic auth user of a read key on that LRS
  --secret S      its secret
  --since T       start from statements stored after this ISO 8601 time (default: all)`;

/** `laurel lrs-pull add`: stores a pull source for the platform. */
export async function runLrsPull(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      platform: { type: 'string' },
      course: { type: 'string' },
      endpoint: { type: 'string' },
      key: { type: 'string' },
      secret: { type: 'string' },
      since: { type: 'string' },
    },
  });
  const { key: authKey, secret: secretValue } = values;
  if (positionals[0] !== 'add' || !values.endpoint || !authKey || !secretValue) {
    console.error(lrsPullUsage);
    return 2;
  }
  const endpoint = values.endpoint.endsWith('/') ? values.endpoint : `${values.endpoint}/`;
  if (!/^https?:\/\//.test(endpoint))
    throw new AppError('ERR_XAPI_KEY_INVALID', 'endpoint must be an http(s) URL');
  const since = values.since === undefined ? null : new Date(values.since);
  if (since && Number.isNaN(since.getTime()))
    throw new AppError('ERR_XAPI_KEY_INVALID', 'since must be an ISO 8601 time');
  return withCliContext(async ({ pool, secret }) => {
    const id = randomUUID();
    await insertPullSource(pool, {
      id,
      platformId: values.platform ?? (await onlyPlatform(pool)),
      courseId: values.course ?? null,
      endpoint,
      authKey,
      authSecretSealed: seal(secret, pullSecretPurpose, secretValue),
      xapiVersion: '1.0.3',
      since,
    });
    console.log(`source=${id}`);
    return 0;
  });
}
