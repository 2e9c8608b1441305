import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../serve.js';
import { migrate, readMigrations } from '../store/index.js';
import { insertLrsKey } from '../store/lrs-keys.js';
import { generateCredentials, lrsScopes, parseScopes } from '../xapi/credentials.js';

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
  const config = loadConfig();
  const db = await openDatabase(config, createLogger(config.logLevel));
  try {
    await migrate(db.pool, await readMigrations());
    const platformId = values.platform ?? (await onlyPlatform(db.pool));
    const credentials = generateCredentials();
    await insertLrsKey(db.pool, {
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
  } finally {
    await db.close();
  }
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
