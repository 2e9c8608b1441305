-- Open Badges 3.0 credentials: issuers and their Ed25519 keys, Bitstring Status Lists, issued credentials.

CREATE TABLE issuers (
  id uuid PRIMARY KEY,
  -- One issuer Profile per platform; NULL for an instance-wide issuer.
  platform_id uuid REFERENCES platforms (id) ON DELETE RESTRICT,
  name text NOT NULL,
  url text,
  email text,
  image text,
  description text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX issuers_platform ON issuers (platform_id) WHERE platform_id IS NOT NULL;

-- Rotated keys stay (rotated_at set) so the DID document keeps listing them and old credentials verify.
CREATE TABLE issuer_keys (
  id uuid PRIMARY KEY,
  issuer_id uuid NOT NULL REFERENCES issuers (id) ON DELETE CASCADE,
  public_key_multibase text NOT NULL,
  -- secrets.ts seal(secret, 'issuer-key', secretKeyMultibase)
  secret_key_sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  rotated_at timestamptz,
  UNIQUE (issuer_id, public_key_multibase)
);
CREATE UNIQUE INDEX issuer_keys_current ON issuer_keys (issuer_id) WHERE rotated_at IS NULL;

-- One Bitstring Status List per issuer and purpose (more when one fills up); `bits` is the uncompressed list.
CREATE TABLE status_lists (
  id uuid PRIMARY KEY,
  issuer_id uuid NOT NULL REFERENCES issuers (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
  length integer NOT NULL CHECK (length > 0 AND length % 8 = 0),
  bits bytea NOT NULL,
  used integer NOT NULL DEFAULT 0,
  -- The signed BitstringStatusListCredential as served at /status/<id>, re-signed on every change.
  document jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE credentials (
  id uuid PRIMARY KEY,
  issuer_id uuid NOT NULL REFERENCES issuers (id) ON DELETE RESTRICT,
  -- One credential per award version: the issuing job's idempotency key.
  award_key text NOT NULL UNIQUE,
  achievement_key text NOT NULL,
  status_list_id uuid NOT NULL REFERENCES status_lists (id),
  status_index integer NOT NULL,
  document jsonb NOT NULL,
  revoked_at timestamptz,
  revocation_reason text,
  created_at timestamptz NOT NULL,
  -- Random indexes: a collision is retried, never shared.
  UNIQUE (status_list_id, status_index)
);

-- The Achievement as embedded in credentials, served at /achievements/<key>.
CREATE TABLE credential_achievements (
  key text PRIMARY KEY,
  document jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Who revoked/suspended what and why.
CREATE TABLE credential_status_events (
  id bigserial PRIMARY KEY,
  credential_id uuid NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
  action text NOT NULL CHECK (action IN ('revoke', 'suspend', 'unsuspend')),
  reason text NOT NULL,
  created_at timestamptz NOT NULL
);
