-- A platform administrator's person (run as superuser): the user with this e-mail, created if new, gets the login.
INSERT INTO migration.users (email, display_name, login_role) VALUES ($1, $2, $2)
ON CONFLICT ((lower(email))) DO UPDATE SET login_role = EXCLUDED.login_role
