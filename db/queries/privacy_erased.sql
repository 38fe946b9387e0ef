-- When a person's e-mail or a client's id, name or slug was erased last (NULL: never, or not an administrator),
-- and the engagements its erasures deleted.
SELECT * FROM migration.privacy_erased($1, $2)
