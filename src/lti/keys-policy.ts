/**
 * When a tool key is published, signs, and is retired. Pure: the clock is an argument.
 *
 * Timeline of a rotation at time R (LTI Security Framework §6.3: verifiers fetch our JWKS by URL and may cache it):
 *   R                       the new key is created and published in the JWKS (state `pending`);
 *   R + publishLead         it becomes the signing key (`active`); the previous key stops signing (`retiring`);
 *   + maxTokenLifetime      every token the previous key signed has expired ...
 *   + verifierSkew          ... even for a verifier whose clock runs late: the previous key is `retired`
 *                           (left out of the JWKS, its private half erased).
 * publishLead is two JWKS cache lifetimes, so a verifier that cached the JWKS just before R has refetched it
 * (and sees the new key) before the first token signed with the new key reaches it.
 * The first key of an installation is active at once: no verifier can hold an older copy of an empty JWKS.
 */
export interface KeyPolicy {
  /** `Cache-Control: max-age` of `/.well-known/jwks.json`. */
  readonly jwksMaxAgeSeconds: number;
  /** How long a rotated key is published before it signs. */
  readonly publishLeadSeconds: number;
  /** The longest `exp - iat` `signJwt` accepts. */
  readonly maxTokenLifetimeSeconds: number;
  /** Clock skew allowed to verifiers, added before retiring a key. */
  readonly verifierSkewSeconds: number;
}

export const defaultKeyPolicy: KeyPolicy = Object.freeze({
  jwksMaxAgeSeconds: 3600,
  publishLeadSeconds: 7200,
  maxTokenLifetimeSeconds: 3600,
  verifierSkewSeconds: 300,
});

export type KeyState = 'pending' | 'active' | 'retiring' | 'retired';

export interface KeyTimes {
  kid: string;
  createdAt: Date;
  activatesAt: Date;
}

export interface KeyStatus {
  kid: string;
  state: KeyState;
  /** When it signs from (its `activatesAt`). */
  signsFrom: Date;
  /** When a newer key took (or takes) over signing; undefined while it is the newest. */
  signsUntil: Date | undefined;
  /** When it leaves the JWKS; undefined while no newer key has taken over. */
  retiresAt: Date | undefined;
}

const second = 1000;

/** The state of each key at `now`, oldest activation first. */
export function keyStates(
  keys: readonly KeyTimes[],
  now: Date,
  policy: KeyPolicy = defaultKeyPolicy,
): KeyStatus[] {
  const sorted = [...keys].sort(
    (a, b) => a.activatesAt.getTime() - b.activatesAt.getTime() || a.kid.localeCompare(b.kid),
  );
  const keep = (policy.maxTokenLifetimeSeconds + policy.verifierSkewSeconds) * second;
  return sorted.map((key, index) => {
    const next = sorted[index + 1];
    const signsUntil = next?.activatesAt;
    const retiresAt = signsUntil && new Date(signsUntil.getTime() + keep);
    let state: KeyState;
    // The first key has no predecessor to wait for: it signs at once, even for an instance whose clock lags.
    if (key.activatesAt > now && index > 0) state = 'pending';
    else if (!signsUntil || signsUntil > now) state = 'active';
    else if (retiresAt && retiresAt > now) state = 'retiring';
    else state = 'retired';
    return { kid: key.kid, state, signsFrom: key.activatesAt, signsUntil, retiresAt };
  });
}

/** True for the states whose public key belongs in the JWKS. */
export function isPublished(state: KeyState): boolean {
  return state !== 'retired';
}

/**
 * When a key created at `now` starts signing: at once when no key is active yet, else after the publish lead.
 * Returns undefined when a rotated key is still pending (rotating again would skip its publication).
 */
export function nextActivation(
  keys: readonly KeyTimes[],
  now: Date,
  policy: KeyPolicy = defaultKeyPolicy,
): Date | undefined {
  const states = keyStates(keys, now, policy);
  if (states.some((key) => key.state === 'pending')) return undefined;
  if (!states.some((key) => key.state === 'active')) return now;
  return new Date(now.getTime() + policy.publishLeadSeconds * second);
}
