-- People of the platform whose login role this server lacks (logins are server roles: a database dump
-- carries none).
SELECT count(*) FROM migration.users u
 WHERE u.login_role IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = u.login_role)
