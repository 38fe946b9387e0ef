-- Restore the current engagement from the archive (it was archived once completed): its name, or no row.
UPDATE migration.engagements SET status = 'completed', archived_at = NULL
WHERE id = migration.current_engagement_id() AND status = 'archived'
RETURNING name
