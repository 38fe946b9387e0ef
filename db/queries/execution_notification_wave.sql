-- A wave's own notification ($1 runbook, $2 kind, $3 payload), once.
INSERT INTO migration.execution_notifications (client_account_id, engagement_id, runbook_id, kind, dedupe_key, payload)
VALUES (migration.current_client_id(), migration.current_engagement_id(), $1::uuid, $2, $1::uuid::text || '/' || $2, $3)
ON CONFLICT (engagement_id, dedupe_key) DO NOTHING
