-- Badges: achievements (OB 3.0 Achievement), award rules, awards with their evidence, and the link from xAPI
-- actors to learners (docs/rules.md "Proposed storage", reviewed). Uniqueness and idempotency live here.

-- Achievements, owned by a course, or by the platform as a reusable library (course_id NULL).
CREATE TABLE achievements (
  id uuid PRIMARY KEY,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  course_id uuid REFERENCES courses (id) ON DELETE CASCADE,
  current_version integer NOT NULL DEFAULT 1 CHECK (current_version > 0),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  archived_at timestamptz
);
CREATE INDEX achievements_owner ON achievements (platform_id, course_id);

-- Immutable versions: a credential keeps the version it was issued under.
CREATE TABLE achievement_versions (
  achievement_id uuid NOT NULL REFERENCES achievements (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version > 0),
  -- name, description, criteria {narrative, id}, image {id, type}, tags, alignment, achievementType, creator
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (achievement_id, version)
);

-- Uploaded images (PNG, sanitised SVG), content-addressed: a version's body names one by its SHA-256.
CREATE TABLE achievement_images (
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  sha256 text NOT NULL,
  media_type text NOT NULL CHECK (media_type IN ('image/png', 'image/svg+xml')),
  content bytea NOT NULL,
  PRIMARY KEY (platform_id, sha256)
);
-- Served publicly by hash (/badges/images/<sha256>.<ext>): issued credentials link to them.
CREATE INDEX achievement_images_sha256 ON achievement_images (sha256);

-- Award rules: the parsed rule (IRIs expanded) and its relevance, indexed for the per-statement skip.
CREATE TABLE award_rules (
  id uuid PRIMARY KEY,
  achievement_id uuid NOT NULL REFERENCES achievements (id) ON DELETE CASCADE,
  revision integer NOT NULL CHECK (revision > 0),
  rule jsonb NOT NULL,
  relevance jsonb NOT NULL,
  verbs text[],                 -- NULL: any verb
  activity_ids text[],          -- NULL: any activity
  activity_id_prefixes text[] NOT NULL DEFAULT '{}',
  line_item_ids text[] NOT NULL DEFAULT '{}',
  -- What to do with an award whose evidence is all voided.
  on_void text NOT NULL DEFAULT 'revoke' CHECK (on_void IN ('revoke', 'keep')),
  active boolean NOT NULL DEFAULT true,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (achievement_id, revision)
);
CREATE UNIQUE INDEX award_rules_one_active ON award_rules (achievement_id) WHERE active;
CREATE INDEX award_rules_verbs ON award_rules USING gin (verbs) WHERE active;
CREATE INDEX award_rules_activities ON award_rules USING gin (activity_ids) WHERE active;

-- One award per learner and achievement, enforced here: INSERT ... ON CONFLICT DO NOTHING.
CREATE TABLE awards (
  id uuid PRIMARY KEY,
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  achievement_id uuid NOT NULL,
  achievement_version integer NOT NULL,
  rule_id uuid REFERENCES award_rules (id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('rule', 'manual')),
  awarded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  awarded_at timestamptz NOT NULL,
  explain jsonb,
  revoked_at timestamptz,
  revocation_reason text,
  UNIQUE (user_id, achievement_id),
  FOREIGN KEY (achievement_id, achievement_version) REFERENCES achievement_versions (achievement_id, version)
    ON DELETE CASCADE
);
CREATE INDEX awards_achievement ON awards (achievement_id);

CREATE TABLE award_evidence (
  award_id uuid NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
  platform_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('statement', 'grade', 'manual')),
  ref text NOT NULL,            -- statement id (lower case), grade ref, manual mark
  voided boolean NOT NULL DEFAULT false,
  PRIMARY KEY (award_id, kind, ref)
);
-- A voiding statement finds the awards that used its target.
CREATE INDEX award_evidence_statement ON award_evidence (platform_id, ref) WHERE kind = 'statement';

-- Identity links: userKeys(user, platform) rows; two users under one key = ambiguous (links nobody).
CREATE TABLE learner_identity_keys (
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  key text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (platform_id, key, user_id)
);
CREATE INDEX learner_identity_keys_user ON learner_identity_keys (user_id);

CREATE TABLE platform_identity_settings (
  platform_id uuid PRIMARY KEY REFERENCES platforms (id) ON DELETE CASCADE,
  account_home_pages text[] NOT NULL DEFAULT '{}',
  mappings jsonb NOT NULL DEFAULT '[]'
);

-- Each stored statement's evidence form and its learner (NULL until the actor is linked: kept, not dropped).
CREATE TABLE statement_evidence (
  platform_id uuid NOT NULL,
  statement_id uuid NOT NULL,
  course_id uuid,
  actor_key text,
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  timestamp_ms bigint NOT NULL,
  evidence jsonb NOT NULL,      -- normalizeStatement(...)
  PRIMARY KEY (platform_id, statement_id),
  FOREIGN KEY (platform_id, statement_id) REFERENCES xapi_statements (platform_id, id) ON DELETE CASCADE
);
CREATE INDEX statement_evidence_learner ON statement_evidence (platform_id, user_id, timestamp_ms)
  WHERE user_id IS NOT NULL;
-- A statement without a course (a platform-wide LRS key, Moodle's default) is matched against the rules of the
-- learner's courses: enrolments by user (the tenancy table's key starts with course_id).
CREATE INDEX badges_enrollments_user ON enrollments (user_id);
CREATE INDEX statement_evidence_unlinked ON statement_evidence (platform_id, actor_key) WHERE user_id IS NULL;
