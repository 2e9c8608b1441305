-- The LTI Advantage service endpoints a launch offered for a course: AGS (Assignment and Grade Services 2.0 §3.1,
-- claim `https://purl.imsglobal.org/spec/lti-ags/claim/endpoint`) and NRPS (Names and Role Provisioning Services
-- 2.0 §3.6.1, claim `https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice`). The latest launch wins:
-- platforms may move their endpoints, and the scopes they grant may change.
CREATE TABLE lti_course_services (
  course_id uuid PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  -- AGS `lineitems` (the context's line items container) and the AGS `scope` list; NULL when not offered.
  ags_lineitems_url text,
  ags_scopes text[] NOT NULL DEFAULT '{}',
  -- NRPS `context_memberships_url`; NULL when not offered.
  nrps_memberships_url text,
  updated_at timestamptz NOT NULL
);
