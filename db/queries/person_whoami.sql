-- The person of this connection's login (id NULL: the login is no person's), and whether they administer
-- the platform.
SELECT u.id, u.email, migration.is_platform_admin() AS platform_admin
  FROM (SELECT 1) one
  LEFT JOIN migration.users u ON u.id = migration.person_id()
