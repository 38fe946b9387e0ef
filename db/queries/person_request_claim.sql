-- The workflow run ($2) a verified request acts in: the first claim wins, the same run may claim again.
UPDATE migration.person_requests SET used_by = $2, used_at = coalesce(used_at, now()) WHERE id = $1
