-- Serialises writers of one engagement's wave plan (the planning step and `plan import`) until the
-- end of the transaction, so two plans never interleave their deletes and inserts.
SELECT pg_advisory_xact_lock(hashtextextended('migration.wave_plan:' || $1::uuid::text, 0))
