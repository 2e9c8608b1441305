import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { checkOutboundUrl, outboundPolicy } from '../net/guarded-fetch.js';
import {
  findPlatformById,
  insertPlatform,
  listDeployments,
  listPlatforms,
  type Platform,
  recordDeployment,
  setStrictDeployments,
} from '../store/platforms.js';
import { transaction } from '../store/pool.js';

/**
 * Manual installation, for platforms without Dynamic Registration: what an administrator copies from the
 * LMS (`laurel platform add`, `POST /admin/api/platforms`).
 */
const newPlatformSchema = z.strictObject({
  issuer: z.url(),
  clientId: z.string().min(1).max(255),
  authLoginUrl: z.url(),
  authTokenUrl: z.url(),
  authTokenAudience: z.string().min(1).max(2000).optional(),
  jwksUrl: z.url(),
  deploymentId: z.string().min(1).max(255).optional(),
  name: z.string().max(200).optional(),
  productFamilyCode: z.string().min(1).max(100).optional(),
  // Refuse launches from deployments not recorded (by this add, by Dynamic Registration or by hand).
  strictDeployments: z.boolean().optional(),
});

export type NewPlatformInput = z.infer<typeof newPlatformSchema>;

export interface PlatformWithDeployments extends Platform {
  deploymentIds: string[];
}

/**
 * Validates a manual registration: every URL must be one Laurel may fetch under the outbound policy.
 * @throws AppError ERR_VALIDATION naming the field.
 */
export function parseNewPlatform(
  input: unknown,
  config: Pick<AppContext['config'], 'production' | 'outboundAllowPrivate'>,
): NewPlatformInput {
  const result = newPlatformSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.join('.') || '(body)';
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    throw new AppError('ERR_VALIDATION', `${path}: ${missing ? 'is required' : issue.message}`, {
      details: { path },
    });
  }
  const policy = outboundPolicy(config);
  for (const field of ['issuer', 'authLoginUrl', 'authTokenUrl', 'jwksUrl'] as const) {
    try {
      checkOutboundUrl(result.data[field], policy);
    } catch (error) {
      throw new AppError('ERR_VALIDATION', `${field}: ${(error as Error).message}`, {
        details: { path: field },
        cause: error,
      });
    }
  }
  return result.data;
}

/**
 * Registers a platform by hand, with its first deployment when given.
 * @throws AppError ERR_VALIDATION, ERR_LTI_PLATFORM_EXISTS when (issuer, clientId) is registered already.
 */
export async function addPlatform(
  ctx: Pick<AppContext, 'pool' | 'newId' | 'config'>,
  input: unknown,
): Promise<PlatformWithDeployments> {
  const data = parseNewPlatform(input, ctx.config);
  return transaction(ctx.pool, async (client) => {
    const platform = await insertPlatform(client, {
      id: ctx.newId(),
      issuer: data.issuer,
      clientId: data.clientId,
      name: data.name ?? '',
      authLoginUrl: data.authLoginUrl,
      authTokenUrl: data.authTokenUrl,
      authTokenAudience: data.authTokenAudience ?? null,
      jwksUrl: data.jwksUrl,
      productFamilyCode: data.productFamilyCode ?? null,
      strictDeployments: data.strictDeployments ?? false,
    });
    if (!platform) {
      throw new AppError(
        'ERR_LTI_PLATFORM_EXISTS',
        `A platform with issuer ${data.issuer} and client_id ${data.clientId} is already registered`,
      );
    }
    if (data.deploymentId) await recordDeployment(client, platform.id, data.deploymentId);
    return { ...platform, deploymentIds: data.deploymentId ? [data.deploymentId] : [] };
  });
}

/**
 * Switches strict deployments for a platform.
 * @throws AppError ERR_NOT_FOUND when there is no platform with this id.
 */
export async function setPlatformStrict(
  ctx: Pick<AppContext, 'pool'>,
  id: string,
  strict: boolean,
): Promise<Platform> {
  const platform = /^[0-9a-f-]{36}$/i.test(id) ? await setStrictDeployments(ctx.pool, id, strict) : undefined;
  if (!platform) throw new AppError('ERR_NOT_FOUND', `No platform ${id}`);
  return platform;
}

/**
 * One platform with its deployment ids.
 * @throws AppError ERR_NOT_FOUND.
 */
export async function getPlatformWithDeployments(
  ctx: Pick<AppContext, 'pool'>,
  id: string,
): Promise<PlatformWithDeployments> {
  const platform = /^[0-9a-f-]{36}$/i.test(id) ? await findPlatformById(ctx.pool, id) : undefined;
  if (!platform) throw new AppError('ERR_NOT_FOUND', `No platform ${id}`);
  return { ...platform, deploymentIds: await listDeployments(ctx.pool, platform.id) };
}

/** Every registered platform with its recorded deployment ids. */
export async function listPlatformsWithDeployments(
  ctx: Pick<AppContext, 'pool'>,
): Promise<PlatformWithDeployments[]> {
  const platforms = await listPlatforms(ctx.pool);
  return Promise.all(
    platforms.map(async (platform) => ({
      ...platform,
      deploymentIds: await listDeployments(ctx.pool, platform.id),
    })),
  );
}
