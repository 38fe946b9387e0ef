-- One crew of an engagement at a time (transaction lock, held while the crew runs in a transaction kept open for it):
-- each reads the budget after the one before has written its calls, so two crews never both spend what is left.
SELECT pg_advisory_xact_lock(hashtextextended('migration.agent_crews:' || $1::uuid::text, 0))
