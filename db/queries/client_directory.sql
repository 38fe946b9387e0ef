-- Every client account's id, name, slug and status (no tenant data): how a caller finds a tenant.
SELECT id, name, slug, status FROM migration.client_directory() ORDER BY name
