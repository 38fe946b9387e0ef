-- Marks the transaction's updates as a rule rewrite of a step (ADR-0024): audited as one event per statement
-- and tenant naming the step and the rows ($1 JSON: {"step", "workflow_id", "run_id"}), not as a diff of each row.
SELECT set_config('app.rule_rewrite', $1::jsonb::text, true)
