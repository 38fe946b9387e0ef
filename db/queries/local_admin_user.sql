-- The embedded stack's local administrator as a person (run as superuser); an existing row gets the login.
INSERT INTO migration.users (email, display_name, login_role) VALUES ($1, $2, $2)
ON CONFLICT ((lower(email))) DO UPDATE SET login_role = EXCLUDED.login_role
