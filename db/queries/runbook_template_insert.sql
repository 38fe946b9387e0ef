-- A person's import of strategy $1's template as version $2 (name $3, checked body $4) in the current engagement;
-- imported_by defaults to the acting person (row-level security requires it).
INSERT INTO migration.runbook_templates (client_account_id, engagement_id, strategy, version, name, body)
VALUES (migration.current_client_id(), migration.current_engagement_id(), $1, $2, $3, $4)
RETURNING created_at
