-- A client account that a restored client would collide with: the same id, slug or name.
SELECT id, name FROM migration.client_accounts WHERE id = $1 OR slug = $2 OR name = $3 LIMIT 1
