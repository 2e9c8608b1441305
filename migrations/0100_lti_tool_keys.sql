-- Laurel's own RS256 key pairs (LTI 1.3 Core §6: the tool's JWKS; Security Framework §6.3 key rotation).
-- A key's state follows from its timestamps and the policy in src/lti/keys-policy.ts:
-- published from `created_at`, signing from `activates_at` until a newer key activates, then published
-- until every token it signed has expired, then retired (left out of the JWKS, private key erased).
CREATE TABLE lti_tool_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL DEFAULT 'RS256',
  -- The public JWK as published (kty, n, e, kid, alg, use).
  public_jwk jsonb NOT NULL,
  -- PKCS#8 PEM sealed with src/secrets.ts seal(secret, 'lti-tool-key', pem); NULL once retired.
  private_key_sealed text,
  created_at timestamptz NOT NULL,
  activates_at timestamptz NOT NULL,
  retired_at timestamptz,
  CHECK (activates_at >= created_at)
);
CREATE INDEX lti_tool_keys_activates_at ON lti_tool_keys (activates_at);
