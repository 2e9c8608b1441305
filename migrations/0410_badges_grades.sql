-- LMS grades for `lineItem` rules (docs/rules.md "Grades"): the AGS results (Assignment and Grade Services 2.0
-- §3.3) of the line items a course's rules name, read by the 'lti.grades-sync' job.

-- Which line items the active lineItem rules of a course (and the platform library) name, as the latest grades sync
-- resolved them: `ref` is the rule's `lineItem.id` as written, `line_item_url` the AGS line item `id` it names
-- (equal to it, or the line item's `resourceId`). Replaced as a whole by each sync.
CREATE TABLE badge_line_items (
  course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  ref text NOT NULL,
  line_item_url text NOT NULL,
  label text NOT NULL DEFAULT '',
  score_maximum double precision NOT NULL,
  synced_at timestamptz NOT NULL,
  PRIMARY KEY (course_id, ref, line_item_url)
);

-- The current result of each user on those line items. Users are named by AGS `userId`, the LTI `sub`, so a
-- grade of a learner not yet known is kept and counts once they appear (launch or roster).
CREATE TABLE badge_grades (
  platform_id uuid NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
  course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  line_item_url text NOT NULL,
  user_sub text NOT NULL,
  -- The AGS result `id` when the platform sends one: the award evidence's reference.
  result_id text,
  score_given double precision NOT NULL CHECK (score_given >= 0),
  score_maximum double precision NOT NULL CHECK (score_maximum > 0),
  -- AGS results carry no timestamp: when Laurel first saw this score (a changed score restarts it).
  observed_at timestamptz NOT NULL,
  PRIMARY KEY (course_id, line_item_url, user_sub)
);
CREATE INDEX badge_grades_user ON badge_grades (platform_id, user_sub);
