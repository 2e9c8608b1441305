import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { seal, unseal } from '../secrets.js';
import { transaction } from '../store/pool.js';
import {
  insertToolKey,
  listAllToolKeys,
  listLiveToolKeys,
  lockToolKeys,
  retireToolKeys,
  type ToolKeyRecord,
} from '../store/tool-keys.js';
import {
  defaultKeyPolicy,
  isPublished,
  type KeyPolicy,
  type KeyStatus,
  keyStates,
  nextActivation,
} from './keys-policy.js';

/** What the key functions need from the AppContext. */
export type KeyContext = Pick<AppContext, 'pool' | 'clock' | 'secret'>;

export const toolKeyAlg = 'RS256';
const sealPurpose = 'lti-tool-key';

/** The key Laurel signs with now. */
export interface SigningKey {
  kid: string;
  alg: typeof toolKeyAlg;
  privateKey: CryptoKey;
}

// Imported private keys by kid (kid is the RFC 7638 thumbprint of the public key, so it names one key pair).
const imported = new Map<string, Promise<CryptoKey>>();

/** A new key pair, created at `createdAt` (read before generating: generation takes time on a real clock). */
async function createToolKey(ctx: KeyContext, createdAt: Date, activatesAt: Date): Promise<ToolKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair(toolKeyAlg, {
    modulusLength: 2048,
    extractable: true,
  });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  const publicJwk: JWK = { kty: jwk.kty, n: jwk.n, e: jwk.e, kid, alg: toolKeyAlg, use: 'sig' };
  const pem = await exportPKCS8(privateKey);
  return {
    kid,
    alg: toolKeyAlg,
    publicJwk: publicJwk as Record<string, unknown>,
    privateKeySealed: seal(ctx.secret, sealPurpose, pem),
    createdAt,
    activatesAt,
    retiredAt: null,
  };
}

interface LiveKeys {
  keys: ToolKeyRecord[];
  states: KeyStatus[];
}

/**
 * The live keys and their states at the context's clock. Creates the first key when there is none, and marks
 * keys whose time has passed retired (erasing their private halves).
 */
async function liveKeys(ctx: KeyContext, policy: KeyPolicy): Promise<LiveKeys> {
  let keys = await listLiveToolKeys(ctx.pool);
  if (keys.length === 0) keys = await createFirstKey(ctx, policy);
  const now = ctx.clock.now();
  const states = keyStates(keys, now, policy);
  const retired = states.filter((key) => key.state === 'retired').map((key) => key.kid);
  if (retired.length > 0) {
    await retireToolKeys(ctx.pool, retired, now);
    for (const kid of retired) imported.delete(kid);
  }
  return {
    keys: keys.filter((key) => !retired.includes(key.kid)),
    states: states.filter((key) => !retired.includes(key.kid)),
  };
}

async function createFirstKey(ctx: KeyContext, policy: KeyPolicy): Promise<ToolKeyRecord[]> {
  return transaction(ctx.pool, async (client) => {
    await lockToolKeys(client);
    const existing = await listLiveToolKeys(client);
    if (existing.length > 0) return existing;
    const now = ctx.clock.now();
    const key = await createToolKey(ctx, now, nextActivation([], now, policy)!);
    await insertToolKey(client, key);
    return [key];
  });
}

/**
 * The key to sign with now (created at first need).
 * @throws AppError ERR_INTERNAL when the stored key cannot be opened with this LAUREL_SECRET.
 */
export async function signingKey(ctx: KeyContext, policy: KeyPolicy = defaultKeyPolicy): Promise<SigningKey> {
  const { keys, states } = await liveKeys(ctx, policy);
  const active = states.find((key) => key.state === 'active');
  const record = keys.find((key) => key.kid === active?.kid);
  if (!record?.privateKeySealed) throw new AppError('ERR_INTERNAL', 'No active tool key can sign');
  let key = imported.get(record.kid);
  if (!key) {
    const pem = unseal(ctx.secret, sealPurpose, record.privateKeySealed);
    key = importPKCS8(pem, toolKeyAlg);
    imported.set(record.kid, key);
    key.catch(() => imported.delete(record.kid));
  }
  return { kid: record.kid, alg: toolKeyAlg, privateKey: await key };
}

/** The public JWKS: pending, active and retiring keys (LTI 1.3 Core §6.3 `jwks_uri`). */
export async function publicJwks(
  ctx: KeyContext,
  policy: KeyPolicy = defaultKeyPolicy,
): Promise<JSONWebKeySet> {
  const { keys, states } = await liveKeys(ctx, policy);
  const published = new Set(states.filter((key) => isPublished(key.state)).map((key) => key.kid));
  return { keys: keys.filter((key) => published.has(key.kid)).map((key) => key.publicJwk as JWK) };
}

export interface SignJwtOptions {
  /** Seconds from now to `exp`; at most the policy's maxTokenLifetimeSeconds. Default 300. */
  lifetimeSeconds?: number;
  /** JOSE header `typ`; default `JWT`. */
  typ?: string;
  policy?: KeyPolicy;
}

/**
 * Signs `payload` with the current tool key (RS256, header `kid`), setting `iat` and `exp` from the clock.
 * Used for Deep Linking responses (Deep Linking 2.0 §4.5) and client assertions (Security Framework §4.1.1).
 * @throws AppError ERR_INTERNAL when the lifetime exceeds the key policy (a retired key could still be needed).
 */
export async function signJwt(
  ctx: KeyContext,
  payload: JWTPayload,
  options: SignJwtOptions = {},
): Promise<string> {
  const policy = options.policy ?? defaultKeyPolicy;
  const lifetime = options.lifetimeSeconds ?? 300;
  if (!(lifetime > 0 && lifetime <= policy.maxTokenLifetimeSeconds)) {
    throw new AppError(
      'ERR_INTERNAL',
      `Token lifetime must be between 1 and ${policy.maxTokenLifetimeSeconds} seconds (got ${lifetime})`,
    );
  }
  const key = await signingKey(ctx, policy);
  const iat = Math.floor(ctx.clock.now().getTime() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: options.typ ?? 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .sign(key.privateKey);
}

export interface RotationResult {
  kid: string;
  activatesAt: Date;
}

/**
 * Creates a new key, published now and signing after the publish lead (at once when none is active).
 * @throws AppError ERR_LTI_KEY_ROTATION_PENDING when a rotated key is still waiting to sign.
 */
export async function rotateToolKeys(
  ctx: KeyContext,
  policy: KeyPolicy = defaultKeyPolicy,
): Promise<RotationResult> {
  return transaction(ctx.pool, async (client) => {
    await lockToolKeys(client);
    const now = ctx.clock.now();
    const keys = await listLiveToolKeys(client);
    const activatesAt = nextActivation(keys, now, policy);
    if (!activatesAt) {
      const pending = keyStates(keys, now, policy).find((key) => key.state === 'pending')!;
      throw new AppError(
        'ERR_LTI_KEY_ROTATION_PENDING',
        `Key ${pending.kid} is published and becomes the signing key at ${pending.signsFrom.toISOString()}; rotate again after that`,
      );
    }
    const key = await createToolKey(ctx, now, activatesAt);
    await insertToolKey(client, key);
    return { kid: key.kid, activatesAt };
  });
}

export interface ToolKeySummary extends KeyStatus {
  createdAt: Date;
}

/** Every key ever made with its state now (retired ones included), for `laurel keys list`. */
export async function listToolKeys(
  ctx: KeyContext,
  policy: KeyPolicy = defaultKeyPolicy,
): Promise<ToolKeySummary[]> {
  await liveKeys(ctx, policy);
  const all = await listAllToolKeys(ctx.pool);
  const created = new Map(all.map((key) => [key.kid, key.createdAt]));
  return keyStates(all, ctx.clock.now(), policy).map((status) => ({
    ...status,
    createdAt: created.get(status.kid)!,
  }));
}
