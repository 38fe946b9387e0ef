-- The client account a client backup is of.
SELECT id, name, slug FROM migration.client_accounts WHERE id = $1
