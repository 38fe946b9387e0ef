-- The version an import of strategy $1's template gets in the current engagement: one more than the newest.
SELECT coalesce(max(version), 0) + 1 FROM migration.runbook_templates
 WHERE engagement_id = migration.current_engagement_id() AND strategy = $1
