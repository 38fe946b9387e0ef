-- A person a client restore would bring (the staging copy restore_users) whose e-mail another person already has
-- here (e-mails are unique regardless of case): the e-mail, this server's id and the backup's; no row: none.
SELECT u.email, u.id, p.id AS backup_id
  FROM restore_users p
  JOIN migration.users u ON lower(u.email) = lower(p.email) AND u.id <> p.id
 ORDER BY u.email
 LIMIT 1
