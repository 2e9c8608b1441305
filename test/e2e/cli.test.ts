import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../src/store/index.js';

const root = path.resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const main = path.join(root, 'dist/main.js');
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // Test what `npm start` runs: the build of the current sources (incremental, well under a second).
  execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'laurel-cli-'));
  await chmod(dataDir, 0o711);
}, 120000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(children.map(exited));
  await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** The environment of a `laurel` process on the embedded PostgreSQL under the test's DATA_DIR. */
function laurelEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, DATA_DIR: dataDir, ...extra } as NodeJS.ProcessEnv;
  delete env.DATABASE_URL;
  delete env.LAUREL_SECRET;
  delete env.NODE_OPTIONS;
  return env;
}

async function startLaurel(): Promise<Started> {
  const port = await freePort();
  const env = laurelEnv({ PORT: String(port), LOG_LEVEL: 'info' });
  const child = spawn(process.execPath, [main, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) return { child, base, output: () => output };
    } catch {}
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`Laurel did not become ready:\n${output}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.on('exit', resolve),
  );
}

async function instanceOf(base: string): Promise<string> {
  const body = (await (await fetch(`${base}/readyz`)).json()) as { instance: string };
  return body.instance;
}

describe('laurel serve on the embedded PostgreSQL', () => {
  it('serves /healthz, keeps its data across a graceful restart and across SIGKILL, and stops cleanly', async () => {
    const first = await startLaurel();
    expect((await fetch(`${first.base}/healthz`)).status).toBe(200);
    const instance = await instanceOf(first.base);
    expect(instance).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stat(path.join(dataDir, 'secret'))).mode & 0o777).toBe(0o600);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(first.output()).toContain('Laurel stopped');

    const second = await startLaurel();
    expect(await instanceOf(second.base)).toBe(instance);
    // A crash: the postgres child outlives Laurel and holds the data dir; the next start must recover.
    second.child.kill('SIGKILL');
    await exited(second.child);

    const third = await startLaurel();
    expect(await instanceOf(third.base)).toBe(instance);
    third.child.kill('SIGTERM');
    expect(await exited(third.child)).toBe(0);
  }, 120000);

  it('runs a command beside a running server on the same DATA_DIR, sharing its PostgreSQL without stopping it', async () => {
    const server = await startLaurel();
    const env = laurelEnv({ LOG_LEVEL: 'warn' });
    const out = execFileSync(
      process.execPath,
      [
        main,
        'platform',
        'add',
        '--issuer',
        'https://lms.example.edu',
        '--client-id',
        'beside-serve',
        '--auth-login-url',
        'https://lms.example.edu/auth',
        '--auth-token-url',
        'https://lms.example.edu/token',
        '--jwks-url',
        'https://lms.example.edu/jwks',
      ],
      { env, encoding: 'utf8', stdio: 'pipe' },
    );
    expect(out).toContain('beside-serve');
    // The server still reaches its database, and sees what the command wrote.
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    const listed = execFileSync(process.execPath, [main, 'platform', 'list'], { env, encoding: 'utf8' });
    expect(listed).toContain('beside-serve');
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
  }, 120000);

  it('explains its commands', () => {
    const out = execFileSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
    expect(out).toContain('serve');
    expect(out).toContain('migrate');
    const unknown = (() => {
      try {
        execFileSync(process.execPath, [main, 'nonsense'], { encoding: 'utf8', stdio: 'pipe' });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    })();
    expect(unknown).toBe(2);
  });
});
