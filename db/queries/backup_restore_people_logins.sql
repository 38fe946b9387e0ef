-- People restored with one client keep their login only where this server has that login role as a person's login
-- (a member of migration_person that is no superuser, no platform administrator and none of the platform's roles)
-- and no other person holds it; otherwise they come without a login (a platform administrator gives them one).
-- Returns how many lost theirs. Runs on the staging copy of the people rows (restore_users).
WITH lost AS (
    UPDATE restore_users p SET login_role = NULL
     WHERE p.login_role IS NOT NULL
       AND (NOT coalesce((SELECT NOT r.rolsuper
                                 AND r.rolname NOT IN ('migration_owner', 'migration_app', 'migration_person',
                                                       'migration_admin', 'migration_people')
                                 AND pg_catalog.pg_has_role(r.oid, 'migration_person', 'MEMBER')
                                 AND NOT pg_catalog.pg_has_role(r.oid, 'migration_admin', 'MEMBER')
                            FROM pg_catalog.pg_roles r WHERE r.rolname = p.login_role), false)
            OR EXISTS (SELECT 1 FROM migration.users u WHERE u.login_role = p.login_role AND u.id <> p.id))
    RETURNING 1)
SELECT count(*) FROM lost
