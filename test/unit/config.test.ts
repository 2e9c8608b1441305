import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadConfig, settings } from '../../src/config.js';
import type { AppError } from '../../src/errors.js';

function configError(env: Record<string, string>): AppError {
  try {
    loadConfig(env);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('gives working defaults for the embedded mode', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.logLevel).toBe('info');
    expect(config.frameAncestors).toContain("'self'");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the schema settings: hosts listed, `none` for none', () => {
    expect(loadConfig({}).schemaFetchHosts).toEqual(['purl.imsglobal.org']);
    expect(loadConfig({ SCHEMA_FETCH_HOSTS: 'none' }).schemaFetchHosts).toEqual([]);
    const config = loadConfig({ SCHEMA_FETCH_HOSTS: 'A.example, b.example', OB_SCHEMA_DIR: '/srv/schemas' });
    expect(config.schemaFetchHosts).toEqual(['a.example', 'b.example']);
    expect(config.obSchemaDir).toBe('/srv/schemas');
  });

  it('reads CREDENTIAL_SUSPENSION: off by default, true or false', () => {
    expect(loadConfig({}).credentialSuspension).toBe(false);
    expect(loadConfig({ CREDENTIAL_SUSPENSION: 'true' }).credentialSuspension).toBe(true);
    expect(configError({ CREDENTIAL_SUSPENSION: 'yes' }).details).toEqual({ key: 'CREDENTIAL_SUSPENSION' });
  });

  it('reads SIGNING_THREADS: one thread by default, 0 for the main thread, at most 64', () => {
    expect(loadConfig({}).signingThreads).toBe(1);
    expect(loadConfig({ SIGNING_THREADS: '0' }).signingThreads).toBe(0);
    expect(configError({ SIGNING_THREADS: '65' }).details).toEqual({ key: 'SIGNING_THREADS' });
    expect(configError({ SIGNING_THREADS: 'two' }).code).toBe('ERR_CONFIG_INVALID');
  });

  it('reads every key', () => {
    const config = loadConfig({
      PORT: '8080',
      PUBLIC_URL: 'https://badges.example.edu/',
      DATABASE_URL: 'postgres://u@db:5432/laurel',
      DATA_DIR: '/var/lib/laurel',
      LOG_LEVEL: 'debug',
      LAUREL_SECRET: 'x'.repeat(32),
      FRAME_ANCESTORS: 'https://moodle.example.edu https://canvas.example.edu',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: 'https://badges.example.edu',
      databaseUrl: 'postgres://u@db:5432/laurel',
      dataDir: '/var/lib/laurel',
      logLevel: 'debug',
      frameAncestors: ['https://moodle.example.edu', 'https://canvas.example.edu'],
      production: true,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://x.test' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LAUREL_SECRET: 'short' }, 'LAUREL_SECRET'],
    [{ NODE_ENV: 'production' }, 'LAUREL_SECRET'],
    [{ BODY_LIMIT_BYTES: '-1' }, 'BODY_LIMIT_BYTES'],
    [{ SCHEMA_FETCH_HOSTS: 'https://purl.imsglobal.org' }, 'SCHEMA_FETCH_HOSTS'],
    [{ SCHEMA_FETCH_HOSTS: 'purl.imsglobal.org:443' }, 'SCHEMA_FETCH_HOSTS'],
  ])('fails fast on %j naming %s', (env, key) => {
    const error = configError(env);
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message.startsWith(key)).toBe(true);
  });

  it('never echoes a secret in its error', () => {
    expect(configError({ LAUREL_SECRET: 'hunter2-secret' }).message).not.toContain('hunter2');
    expect(configError({ DATABASE_URL: 'mysql://u:pw-secret@x' }).message).not.toContain('pw-secret');
  });
});

describe('README configuration table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  const rows = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);

  it('lists exactly the settings the loader reads, in the same order', () => {
    expect(rows).toEqual(Object.keys(settings));
  });
});
