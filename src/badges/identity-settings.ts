import { z } from 'zod';
import { AppError } from '../errors.js';
import type { MappingRule } from './identity.js';

const homePage = z.url({ protocol: /^https?$/ }).max(2048);

const settings = z.strictObject({
  accountHomePages: z.array(homePage).max(20).default([]),
  mappings: z
    .array(
      z.union([
        z.strictObject({ account: z.strictObject({ homePage, name: z.enum(['sub', 'email']) }) }),
        z.strictObject({
          openid: z.strictObject({ prefix: z.string().min(1).max(2048), name: z.literal('sub') }),
        }),
      ]),
    )
    .max(20)
    .default([]),
});

/**
 * Parses a platform's identity settings (docs/rules.md "Learner identity"): extra account homePages whose names are
 * the LTI `sub`, and mapping rules. Unknown keys refused.
 * @throws ERR_VALIDATION naming the path of the first bad field.
 */
export function parseIdentitySettings(input: unknown): {
  accountHomePages: string[];
  mappings: MappingRule[];
} {
  const result = settings.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = `/${issue.path.map(String).join('/')}`;
  throw new AppError('ERR_VALIDATION', `identity settings ${path}: ${issue.message}`, { details: { path } });
}
