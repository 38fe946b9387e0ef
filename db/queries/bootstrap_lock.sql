-- Serialises bootstraps until the end of the transaction (an advisory lock of the database connected to): role
-- and schema grants made by two at once fail with 'tuple concurrently updated', and every command on the
-- embedded stack bootstraps.
SELECT pg_advisory_xact_lock(hashtextextended('migration.bootstrap', 0))
