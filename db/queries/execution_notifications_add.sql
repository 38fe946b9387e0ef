-- Notifications for the outbox, each once whatever the retries ($1 runbook; kinds, keys and payloads).
INSERT INTO migration.execution_notifications (client_account_id, engagement_id, runbook_id, kind, dedupe_key, payload)
SELECT migration.current_client_id(), migration.current_engagement_id(), $1, n.kind, n.dedupe_key, n.payload
  FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS n(kind, dedupe_key, payload)
ON CONFLICT (engagement_id, dedupe_key) DO NOTHING
