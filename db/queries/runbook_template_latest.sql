-- The newest imported runbook template of each strategy of the current engagement (of strategy $1 only when
-- given), with the e-mail address of the person who imported it when they are visible.
SELECT DISTINCT ON (t.strategy) t.strategy, t.version, t.name, t.body, t.created_at, u.email AS imported_by
  FROM migration.runbook_templates t
  LEFT JOIN migration.users u ON u.id = t.imported_by
 WHERE t.engagement_id = migration.current_engagement_id() AND ($1::text IS NULL OR t.strategy = $1)
 ORDER BY t.strategy, t.version DESC
