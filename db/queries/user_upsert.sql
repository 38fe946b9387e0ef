-- A person by e-mail (case-insensitive), created on first use; an existing identity is not changed.
WITH created AS (
    INSERT INTO migration.users (email, display_name) VALUES ($1, $2)
    ON CONFLICT ((lower(email))) DO NOTHING
    RETURNING id
)
SELECT id FROM created
UNION ALL
SELECT id FROM migration.users WHERE lower(email) = lower($1)
LIMIT 1
