-- Journals one transition; returns nothing when (flow_id, seq) was already applied (a retry or replay).
INSERT INTO migration.flow_transitions
    (client_account_id, engagement_id, master_flow_id, flow_id, seq, event, phase, step, payload, occurred_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (flow_id, seq) DO NOTHING
RETURNING id
