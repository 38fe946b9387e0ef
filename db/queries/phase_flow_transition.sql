-- Applies a transition to a phase flow row: flags, JSONB state and status in one statement.
SELECT migration.apply_phase_transition($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
