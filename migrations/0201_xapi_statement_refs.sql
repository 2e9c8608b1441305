-- The StatementRef a statement targets (its object), so that filters also return statements that target
-- matching statements (xAPI 1.0.3 Communication 2.1.3 "Filter Conditions for StatementRefs"; 2.0 §4.1.6.1).
ALTER TABLE xapi_statements ADD COLUMN object_ref uuid;
CREATE INDEX xapi_statements_object_ref ON xapi_statements (platform_id, object_ref) WHERE object_ref IS NOT NULL;
