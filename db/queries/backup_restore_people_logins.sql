-- People restored with one client keep their login only where this server has that login role as a person's login
-- (a member of migration_person) and no other person holds it; otherwise they come without a login (a platform
-- administrator gives them one). Returns how many lost theirs. Runs on the staging copy of the people rows
-- (restore_users).
WITH lost AS (
    UPDATE restore_users p SET login_role = NULL
     WHERE p.login_role IS NOT NULL
       AND (NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p.login_role)
            OR NOT pg_catalog.pg_has_role(p.login_role, 'migration_person', 'MEMBER')
            OR EXISTS (SELECT 1 FROM migration.users u WHERE u.login_role = p.login_role AND u.id <> p.id))
    RETURNING 1)
SELECT count(*) FROM lost
