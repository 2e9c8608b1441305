-- Bearer tokens for automation on the badges API (/api/...): a course token acts as an instructor of that course,
-- a platform token (course_id NULL) as a platform admin. The token is shown once; only its SHA-256 is kept (a
-- 256-bit random secret cannot be guessed from its hash).
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  token_sha256 text NOT NULL UNIQUE,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  course_id uuid REFERENCES courses (id) ON DELETE CASCADE,
  label text NOT NULL DEFAULT '',
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_platform ON api_tokens (platform_id);
