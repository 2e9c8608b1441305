import { describe, expect, it } from '@jest/globals';
import { fixedClock } from '../../../src/clock.js';
import { isAppError } from '../../../src/errors.js';
import { claim, roleVocab } from '../../../src/lti/claims.js';
import { createPlatformKey } from '../../../src/lti/emulator/index.js';
import { parseLaunchMessage } from '../../../src/lti/message.js';
import { PlatformJwksCache } from '../../../src/lti/platform-jwks.js';
import { normalizeRoles, roleKinds } from '../../../src/lti/roles.js';

describe('normalizeRoles', () => {
  it('keeps full URIs, expands short names and LTI 1.1 URNs, drops empty entries, keeps unknown roles', () => {
    expect(
      normalizeRoles([
        `${roleVocab.membership}Instructor`,
        'Learner',
        'Instructor#TeachingAssistant',
        'urn:lti:role:ims/lis/Mentor',
        'urn:lti:instrole:ims/lis/Administrator',
        '',
        '  ',
        42,
        'http://example.com/roles#Wizard',
        'Learner',
      ]),
    ).toEqual([
      `${roleVocab.membership}Instructor`,
      `${roleVocab.membership}Learner`,
      'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
      `${roleVocab.membership}Mentor`,
      `${roleVocab.institution}Administrator`,
      'http://example.com/roles#Wizard',
    ]);
  });

  it('derives kinds: instructors, TAs, learners, admins; nothing from unknown or institution-only roles', () => {
    expect([...roleKinds(normalizeRoles(['Instructor']))]).toEqual(['instructor']);
    expect([...roleKinds(normalizeRoles(['Instructor#TeachingAssistant']))]).toEqual(['instructor']);
    expect([...roleKinds(normalizeRoles(['Learner']))]).toEqual(['learner']);
    expect([...roleKinds([`${roleVocab.system}Administrator`])]).toEqual(['admin']);
    expect(roleKinds([`${roleVocab.institution}Student`, 'http://example.com/x']).size).toBe(0);
  });
});

const base = {
  sub: '7',
  [claim.version]: '1.3.0',
  [claim.messageType]: 'LtiResourceLinkRequest',
  [claim.deploymentId]: '1',
  [claim.roles]: [],
  [claim.resourceLink]: { id: 'r1', validation_context: null, errors: { errors: {} } },
};

function codeOf(payload: Record<string, unknown>): string | undefined {
  try {
    parseLaunchMessage(payload);
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
}

describe('parseLaunchMessage', () => {
  it('accepts the minimum a resource link launch needs, ignoring unknown fields', () => {
    expect(parseLaunchMessage({ ...base, extra: 1 })).toEqual({
      messageType: 'LtiResourceLinkRequest',
      deploymentId: '1',
      sub: '7',
      roles: [],
      resourceLink: { id: 'r1' },
    });
  });

  it('refuses a context without id, a non-array roles claim, a deployment_id over 255 characters', () => {
    expect(codeOf({ ...base, [claim.context]: { title: 'x' } })).toBe('ERR_LTI_CLAIM_INVALID');
    expect(codeOf({ ...base, [claim.roles]: 'Instructor' })).toBe('ERR_LTI_CLAIM_INVALID');
    expect(codeOf({ ...base, [claim.deploymentId]: 'x'.repeat(256) })).toBe('ERR_LTI_CLAIM_INVALID');
  });

  it('needs an http(s) deep_link_return_url for deep linking', () => {
    const dl = { ...base, [claim.messageType]: 'LtiDeepLinkingRequest' };
    expect(
      codeOf({ ...dl, [claim.deepLinkingSettings]: { deep_link_return_url: 'javascript:alert(1)' } }),
    ).toBe('ERR_LTI_CLAIM_INVALID');
    expect(
      parseLaunchMessage({
        ...dl,
        [claim.deepLinkingSettings]: { deep_link_return_url: 'https://lms.example/r', data: 'd' },
      }).deepLinking,
    ).toEqual({ returnUrl: 'https://lms.example/r', data: 'd', acceptTypes: [] });
  });
});

describe('PlatformJwksCache', () => {
  it('fetches once, refetches an unknown kid only after the cooldown, and refreshes after max age', async () => {
    const clock = fixedClock(new Date('2026-01-01T00:00:00Z'));
    const first = await createPlatformKey('k1');
    const second = await createPlatformKey('k2');
    let published = [first.publicJwk];
    let fetches = 0;
    const cache = new PlatformJwksCache({
      clock,
      refetchCooldownMs: 10_000,
      maxAgeMs: 60_000,
      fetchJwks: async () => {
        fetches++;
        return { keys: published };
      },
    });
    await cache.key('https://p/jwks', 'k1');
    await cache.key('https://p/jwks', 'k1');
    expect(fetches).toBe(1);
    published = [first.publicJwk, second.publicJwk];
    await expect(cache.key('https://p/jwks', 'k2')).rejects.toMatchObject({ code: 'ERR_LTI_KID_UNKNOWN' });
    expect(fetches).toBe(1);
    clock.advance(10_000);
    await cache.key('https://p/jwks', 'k2');
    expect(fetches).toBe(2);
    clock.advance(60_000);
    await cache.key('https://p/jwks', 'k1');
    expect(fetches).toBe(3);
  });

  it('ignores keys that are not RS256 signing keys and reports a JWKS that is not a key set', async () => {
    const clock = fixedClock(new Date());
    const key = await createPlatformKey('enc');
    const cache = new PlatformJwksCache({
      clock,
      fetchJwks: async () => ({ keys: [{ ...key.publicJwk, use: 'enc' }] }),
    });
    await expect(cache.key('https://p/jwks', 'enc')).rejects.toMatchObject({ code: 'ERR_LTI_KID_UNKNOWN' });
    const broken = new PlatformJwksCache({ clock, fetchJwks: async () => ({ nothing: true }) });
    await expect(broken.key('https://p/jwks', 'x')).rejects.toMatchObject({
      code: 'ERR_LTI_JWKS_UNAVAILABLE',
    });
    const down = new PlatformJwksCache({
      clock,
      fetchJwks: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    await expect(down.key('https://p/jwks', 'x')).rejects.toMatchObject({ code: 'ERR_LTI_JWKS_UNAVAILABLE' });
  });
});
