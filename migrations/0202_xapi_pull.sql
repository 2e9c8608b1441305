-- Pulling statements from an institution's existing LRS (per platform), with the cursor kept here so a
-- restart resumes where the last poll stopped.
CREATE TABLE xapi_pull_sources (
  id uuid PRIMARY KEY,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  course_id uuid REFERENCES courses (id) ON DELETE SET NULL,
  -- The external LRS endpoint (ends with /), its Basic credentials (secret sealed with LAUREL_SECRET).
  endpoint text NOT NULL,
  auth_key text NOT NULL,
  auth_secret_sealed text NOT NULL,
  xapi_version text NOT NULL DEFAULT '1.0.3',
  -- Statements stored at or before `since` have been pulled; it never passes the source's
  -- X-Experience-API-Consistent-Through. `more` is the continuation of the poll in progress.
  since timestamptz,
  more text,
  next_run_at timestamptz NOT NULL DEFAULT now(),
  -- A poll in progress holds the source until then (another instance skips it).
  leased_until timestamptz,
  failures integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform_id, endpoint, auth_key)
);
