-- OIDC third-party initiated login (LTI 1.3 Core §5.1.1, Security Framework §5.1.1): one row per login,
-- holding the `state` and `nonce` sent to the platform and what binds the launch to the browser that logged in.
CREATE TABLE lti_login_states (
  state text PRIMARY KEY,
  -- A nonce is issued once and can be used by one launch only (the unique key makes replays visible).
  nonce text NOT NULL UNIQUE,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  -- `lti_deployment_id` as sent on login (optional); the launch's deployment_id must equal it when present.
  deployment_id text,
  target_link_uri text NOT NULL,
  -- Random value the browser must give back: in the login cookie, or from the platform's postMessage storage.
  browser_binding text NOT NULL,
  -- `lti_storage_target` when the platform offered LTI Client Side postMessage storage.
  storage_target text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set by the one launch that used this login; a second launch with the same nonce is a replay.
  used_at timestamptz
);
CREATE INDEX lti_login_states_expires_at ON lti_login_states (expires_at);

-- Sessions after a launch. The token travels with the page (X-Laurel-Session header or a form field), never in a
-- URL or a third-party cookie; only its SHA-256 is stored. Scoped to one platform, deployment, context, user, roles.
CREATE TABLE lti_sessions (
  token_hash text PRIMARY KEY,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  course_id uuid REFERENCES courses (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Full LTI role URIs of this launch.
  roles text[] NOT NULL,
  message_type text NOT NULL,
  resource_link_id text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX lti_sessions_expires_at ON lti_sessions (expires_at);
