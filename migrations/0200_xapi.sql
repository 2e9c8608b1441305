-- xAPI: LRS credentials, statements, attachments and documents (xAPI 1.0.3 / 2.0, IEEE 9274.1.1).

-- HTTP Basic credentials for the LRS. `key` is the public half (the Basic user name). The secret is
-- 32 random bytes shown once; only its SHA-256 is kept: a high-entropy random secret cannot be guessed
-- from its hash, so a slow KDF (scrypt) would add ~50 ms of CPU per request and protect nothing more.
CREATE TABLE lrs_keys (
  key text PRIMARY KEY,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  -- A course key scopes what it writes (statements get the course) and what it may read.
  course_id uuid REFERENCES courses (id) ON DELETE CASCADE,
  secret_sha256 bytea NOT NULL,
  scopes text[] NOT NULL CHECK (
    cardinality(scopes) > 0
    AND scopes <@ ARRAY['statements/write', 'statements/read/mine', 'all/read']::text[]
  ),
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX lrs_keys_platform ON lrs_keys (platform_id);

CREATE TABLE xapi_statements (
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- Insertion order: ties on `stored` and the `more` cursor are broken by it.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  course_id uuid REFERENCES courses (id) ON DELETE SET NULL,
  -- The key that wrote it (statements/read/mine reads these only).
  lrs_key text,
  -- The statement as stored: id, timestamp, stored, authority and version filled in.
  statement jsonb NOT NULL,
  stored timestamptz NOT NULL,
  verb_id text NOT NULL,
  registration uuid,
  -- For a voiding statement, the id it voids; `voided` is set on the target.
  voids uuid,
  voided boolean NOT NULL DEFAULT false,
  -- IFI keys of the actor and object (agent=), and of every agent in the statement (related_agents=true).
  agents text[] NOT NULL,
  related_agents text[] NOT NULL,
  -- Activity ids of the object (activity=), and of every activity in the statement (related_activities=true).
  activities text[] NOT NULL,
  related_activities text[] NOT NULL,
  PRIMARY KEY (platform_id, id)
);
CREATE INDEX xapi_statements_stored ON xapi_statements (platform_id, stored, seq);
CREATE INDEX xapi_statements_verb ON xapi_statements (platform_id, verb_id, stored);
CREATE INDEX xapi_statements_registration ON xapi_statements (platform_id, registration) WHERE registration IS NOT NULL;
CREATE INDEX xapi_statements_voids ON xapi_statements (platform_id, voids) WHERE voids IS NOT NULL;
CREATE INDEX xapi_statements_agents ON xapi_statements USING gin (agents);
CREATE INDEX xapi_statements_activities ON xapi_statements USING gin (activities);

-- Attachment content, by its SHA-2 (statements refer to it by `sha2`).
CREATE TABLE xapi_attachments (
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  sha2 text NOT NULL,
  content_type text NOT NULL,
  content bytea NOT NULL,
  PRIMARY KEY (platform_id, sha2)
);

-- State, Activity Profile and Agent Profile documents. Unused parts of the key are ''.
CREATE TABLE xapi_documents (
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('state', 'activity_profile', 'agent_profile')),
  activity_id text NOT NULL DEFAULT '',
  agent text NOT NULL DEFAULT '',
  registration text NOT NULL DEFAULT '',
  document_id text NOT NULL,
  content bytea NOT NULL,
  content_type text NOT NULL,
  etag text NOT NULL,
  updated timestamptz NOT NULL,
  PRIMARY KEY (platform_id, kind, activity_id, agent, registration, document_id)
);
