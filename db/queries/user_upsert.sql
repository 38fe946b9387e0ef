-- A person by e-mail (case-insensitive); created on first use.
INSERT INTO migration.users (email, display_name) VALUES ($1, $2)
ON CONFLICT ((lower(email))) DO UPDATE SET display_name = coalesce(EXCLUDED.display_name, migration.users.display_name)
RETURNING id
