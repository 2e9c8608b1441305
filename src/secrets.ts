import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';
import { AppError } from './errors.js';

/**
 * The instance secret: LAUREL_SECRET when set, otherwise one generated once into DATA_DIR/secret (mode 0600).
 * @throws AppError ERR_CONFIG_INVALID when the stored secret file is unreadable or too short.
 */
export async function resolveSecret(config: Pick<Config, 'laurelSecret' | 'dataDir'>): Promise<string> {
  if (config.laurelSecret) return config.laurelSecret;
  const file = path.join(config.dataDir, 'secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length < 32)
      throw new AppError('ERR_CONFIG_INVALID', `${file} must hold at least 32 characters`);
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' fails if another process wrote it first; then use theirs.
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
}

function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'laurel', `laurel ${purpose} v1`, 32));
}

/** Encrypts `plaintext` with AES-256-GCM under a key derived from `secret`; `purpose` binds it to its use. */
export function seal(secret: string, purpose: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

/**
 * Decrypts what `seal` produced.
 * @throws AppError ERR_INTERNAL when the value was tampered with or sealed under another secret.
 */
export function unseal(secret: string, purpose: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined)
    throw new AppError('ERR_INTERNAL', 'Sealed value has an unknown format');
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveKey(secret, purpose),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw new AppError('ERR_INTERNAL', 'Sealed value cannot be opened with this LAUREL_SECRET', {
      cause: error,
    });
  }
}
