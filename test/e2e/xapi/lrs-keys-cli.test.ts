import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

const root = path.resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');
const main = path.join(root, 'dist/main.js');
let database: TestDatabase;
let client: pg.Client;
const platformId = randomUUID();

function laurel(args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    LAUREL_SECRET: 'x'.repeat(40),
  };
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, [main, ...args], { env, encoding: 'utf8' });
}

beforeAll(async () => {
  execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  database = await createTestDatabase();
  expect(laurel(['migrate']).status).toBe(0);
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(
    `INSERT INTO platforms (id, issuer, client_id, auth_login_url, auth_token_url, jwks_url)
     VALUES ($1, 'https://moodle.example.edu', 'c', 'https://m/a', 'https://m/t', 'https://m/j')`,
    [platformId],
  );
}, 120000);

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('laurel lrs-keys create', () => {
  it('prints a key and secret; only the SHA-256 of the secret is stored, with the scopes', async () => {
    const run = laurel(['lrs-keys', 'create', '--scope', 'statements/write', '--scope', 'all/read']);
    expect(run.status).toBe(0);
    const out = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    expect(out.key).toMatch(/^lrs_/);
    expect(out.secret.length).toBeGreaterThanOrEqual(43);
    const { rows } = await client.query(
      'SELECT platform_id, course_id, secret_sha256, scopes FROM lrs_keys WHERE key = $1',
      [out.key],
    );
    expect(rows[0].platform_id).toBe(platformId);
    expect(rows[0].course_id).toBeNull();
    expect(rows[0].scopes).toEqual(['statements/write', 'all/read']);
    expect(Buffer.from(rows[0].secret_sha256).equals(createHash('sha256').update(out.secret).digest())).toBe(
      true,
    );
    expect(JSON.stringify(rows)).not.toContain(out.secret);
  });

  it('refuses an unknown scope, an unknown course, and a missing subcommand', () => {
    expect(laurel(['lrs-keys', 'create', '--scope', 'everything']).status).not.toBe(0);
    const course = laurel(['lrs-keys', 'create', '--platform', platformId, '--course', randomUUID()]);
    expect(course.status).not.toBe(0);
    expect(course.stderr).toContain('ERR_XAPI_KEY_INVALID');
    expect(laurel(['lrs-keys']).status).toBe(2);
  });

  it('lrs-pull add stores a pull source with the secret sealed', async () => {
    const run = laurel([
      'lrs-pull',
      'add',
      '--platform',
      platformId,
      '--endpoint',
      'https://lrs.example.edu/xapi',
      '--key',
      'reader',
      '--secret',
      'pull-secret-value',
    ]);
    expect(run.status).toBe(0);
    const id = run.stdout.trim().replace('source=', '');
    const { rows } = await client.query(
      'SELECT endpoint, auth_key, auth_secret_sealed FROM xapi_pull_sources WHERE id = $1',
      [id],
    );
    expect(rows[0].endpoint).toBe('https://lrs.example.edu/xapi/');
    expect(rows[0].auth_key).toBe('reader');
    expect(rows[0].auth_secret_sealed).not.toContain('pull-secret-value');
    expect(laurel(['lrs-pull', 'add', '--endpoint', 'https://x.example/']).status).toBe(2);
  });
});
