-- Tenancy: the platforms (LMS registrations) Laurel is installed in, their deployments, courses,
-- users and enrolments. Every statement, achievement and credential belongs to one platform.

CREATE TABLE platforms (
  id uuid PRIMARY KEY,
  -- OIDC issuer of the platform's id_tokens and the client_id it gave Laurel (LTI 1.3 Core §5.1.2).
  issuer text NOT NULL,
  client_id text NOT NULL,
  name text NOT NULL DEFAULT '',
  auth_login_url text NOT NULL,
  auth_token_url text NOT NULL,
  jwks_url text NOT NULL,
  -- `product_family_code` from the platform's OpenID configuration or launches (moodle, canvas, desire2learn, ...).
  product_family_code text,
  -- When true, a launch from a deployment not yet recorded is refused instead of recorded.
  strict_deployments boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issuer, client_id)
);

CREATE TABLE deployments (
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform_id, deployment_id)
);

CREATE TABLE courses (
  id uuid PRIMARY KEY,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  -- LTI context.id
  context_id text NOT NULL,
  title text,
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform_id, context_id)
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  -- LTI `sub`: stable per platform (Moodle sends the numeric user id).
  sub text NOT NULL,
  name text,
  given_name text,
  family_name text,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform_id, sub)
);
CREATE INDEX users_email ON users (platform_id, lower(email)) WHERE email IS NOT NULL;

CREATE TABLE enrollments (
  course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Full LTI role URIs as launched or listed by NRPS.
  roles text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, user_id)
);
