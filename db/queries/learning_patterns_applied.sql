-- Counts that learned patterns were used for a suggestion.
UPDATE migration.agent_learning_patterns
SET applied_count = applied_count + 1, last_applied_at = now()
WHERE id = ANY($1::uuid[])
