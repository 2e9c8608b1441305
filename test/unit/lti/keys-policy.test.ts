import { describe, expect, it } from '@jest/globals';
import { defaultKeyPolicy, type KeyPolicy, keyStates, nextActivation } from '../../../src/lti/keys-policy.js';

const policy: KeyPolicy = {
  jwksMaxAgeSeconds: 3600,
  publishLeadSeconds: 7200,
  maxTokenLifetimeSeconds: 3600,
  verifierSkewSeconds: 300,
};
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('tool key policy', () => {
  it('publishes a rotated key a whole lead before it signs, and keeps the old one until its tokens expired', () => {
    const first = { kid: 'a', createdAt: t0, activatesAt: t0 };
    expect(nextActivation([], t0, policy)).toEqual(t0);
    const rotatedAt = at(86400);
    const activatesAt = nextActivation([first], rotatedAt, policy)!;
    expect(activatesAt).toEqual(at(86400 + 7200));
    const second = { kid: 'b', createdAt: rotatedAt, activatesAt };
    const keys = [second, first];
    const state = (seconds: number) => keyStates(keys, at(seconds), policy).map((k) => `${k.kid}:${k.state}`);

    expect(state(86400)).toEqual(['a:active', 'b:pending']);
    expect(state(86400 + 7199)).toEqual(['a:active', 'b:pending']);
    expect(state(86400 + 7200)).toEqual(['a:retiring', 'b:active']);
    // a signed its last token just before 86400+7200; it lives up to maxTokenLifetime, plus skew.
    expect(state(86400 + 7200 + 3600 + 299)).toEqual(['a:retiring', 'b:active']);
    expect(state(86400 + 7200 + 3600 + 300)).toEqual(['a:retired', 'b:active']);

    const [a] = keyStates(keys, at(86400 + 7200), policy);
    expect(a).toMatchObject({ signsUntil: at(86400 + 7200), retiresAt: at(86400 + 7200 + 3900) });
  });

  it('refuses a second rotation while a key is pending, allows it once that key signs', () => {
    const keys = [
      { kid: 'a', createdAt: t0, activatesAt: t0 },
      { kid: 'b', createdAt: at(10), activatesAt: at(10 + 7200) },
    ];
    expect(nextActivation(keys, at(20), policy)).toBeUndefined();
    expect(nextActivation(keys, at(10 + 7200), policy)).toEqual(at(10 + 7200 + 7200));
  });

  it('the first key signs at once, even on a clock that lags behind the one that created it', () => {
    const first = { kid: 'a', createdAt: at(10), activatesAt: at(10) };
    expect(keyStates([first], at(8), policy).map((k) => k.state)).toEqual(['active']);
  });

  it('the default lead is at least one JWKS cache lifetime and tokens cannot outlive their key', () => {
    expect(defaultKeyPolicy.publishLeadSeconds).toBeGreaterThanOrEqual(defaultKeyPolicy.jwksMaxAgeSeconds);
    expect(defaultKeyPolicy.maxTokenLifetimeSeconds).toBeGreaterThan(0);
  });
});
