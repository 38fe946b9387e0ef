-- Ends agent_crew_lock's hold.
SELECT pg_advisory_unlock(hashtextextended('migration.agent_crews:' || $1::uuid::text, 0))
