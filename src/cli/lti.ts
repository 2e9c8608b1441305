import { parseArgs } from 'node:util';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { listToolKeys, rotateToolKeys } from '../lti/keys.js';
import { addPlatform, listPlatformsWithDeployments, setPlatformStrict } from '../lti/platforms.js';
import type { Print } from './context.js';

function usageError(message: string): AppError {
  return new AppError('ERR_VALIDATION', message);
}

export const keysUsage = `laurel keys list
laurel keys rotate

list    Every tool key with its state: pending (published, not signing yet), active (signing),
        retiring (published until the tokens it signed have expired), retired.
rotate  Creates a key that is published now and becomes the signing key after the publish lead
        (two JWKS cache lifetimes); the current key stays published until its tokens have expired.`;

/** `laurel keys list|rotate`. */
export async function keysCommand(ctx: AppContext, args: string[], print: Print): Promise<number> {
  const [action] = args;
  if (action === 'list') {
    for (const key of await listToolKeys(ctx)) {
      const parts = [key.kid, key.state.padEnd(8), `signs from ${key.signsFrom.toISOString()}`];
      if (key.signsUntil) parts.push(`until ${key.signsUntil.toISOString()}`);
      if (key.retiresAt) parts.push(`retires ${key.retiresAt.toISOString()}`);
      print(parts.join('  '));
    }
    return 0;
  }
  if (action === 'rotate') {
    const result = await rotateToolKeys(ctx);
    print(`Published key ${result.kid}; it becomes the signing key at ${result.activatesAt.toISOString()}.`);
    return 0;
  }
  throw usageError(`Unknown keys action ${JSON.stringify(action ?? '')}; use list or rotate`);
}

export const platformUsage = `laurel platform add --issuer URL --client-id ID --auth-login-url URL --auth-token-url URL
                    --jwks-url URL [--deployment-id ID] [--name TEXT] [--product-family CODE]
                    [--auth-token-audience AUD] [--strict-deployments]
laurel platform list
laurel platform strict <platform id> on|off

add     Registers an LMS by hand (for LMSs without Dynamic Registration): copy the values from the LMS's
        LTI 1.3 tool form. The URLs must be https in production; private addresses need OUTBOUND_ALLOW_PRIVATE.
        --auth-token-audience: the aud of client assertions when the LMS names one other than its token URL
        (Brightspace: https://api.brightspace.com/auth/token).
list    Every registered platform with its deployment ids.
strict  on: refuse launches from deployments not recorded yet (by Dynamic Registration, --deployment-id or
        an earlier launch while off); off (the default): record a new deployment at its first launch.`;

/** `laurel platform add|list|strict`. */
export async function platformCommand(ctx: AppContext, args: string[], print: Print): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'list') {
    for (const p of await listPlatformsWithDeployments(ctx)) {
      print(
        [
          p.id,
          p.issuer,
          `client_id=${p.clientId}`,
          `deployments=${p.deploymentIds.join(',') || '-'}${p.strictDeployments ? ' (strict)' : ''}`,
          p.name,
        ]
          .filter(Boolean)
          .join('  '),
      );
    }
    return 0;
  }
  if (action === 'add') {
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args: rest,
        strict: true,
        options: {
          issuer: { type: 'string' },
          'client-id': { type: 'string' },
          'auth-login-url': { type: 'string' },
          'auth-token-url': { type: 'string' },
          'auth-token-audience': { type: 'string' },
          'jwks-url': { type: 'string' },
          'deployment-id': { type: 'string' },
          name: { type: 'string' },
          'product-family': { type: 'string' },
          'strict-deployments': { type: 'boolean' },
        },
      }).values;
    } catch (error) {
      throw usageError((error as Error).message);
    }
    const input = Object.fromEntries(
      Object.entries({
        issuer: values.issuer,
        clientId: values['client-id'],
        authLoginUrl: values['auth-login-url'],
        authTokenUrl: values['auth-token-url'],
        authTokenAudience: values['auth-token-audience'],
        jwksUrl: values['jwks-url'],
        deploymentId: values['deployment-id'],
        name: values.name,
        productFamilyCode: values['product-family'],
        strictDeployments: values['strict-deployments'],
      }).filter(([, value]) => value !== undefined),
    );
    const platform = await addPlatform(ctx, input);
    print(`Added platform ${platform.id} (${platform.issuer}, client_id ${platform.clientId}).`);
    return 0;
  }
  if (action === 'strict') {
    const [id, value] = rest;
    if (!id || (value !== 'on' && value !== 'off'))
      throw usageError('Use: laurel platform strict <platform id> on|off');
    const platform = await setPlatformStrict(ctx, id, value === 'on');
    print(`Platform ${platform.id}: strict deployments ${value}.`);
    return 0;
  }
  throw usageError(`Unknown platform action ${JSON.stringify(action ?? '')}; use add, list or strict`);
}
