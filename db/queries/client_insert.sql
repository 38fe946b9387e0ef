-- Creates a client account; the caller's tenant context is the new client's id.
INSERT INTO migration.client_accounts (id, name, slug, settings) VALUES ($1, $2, $3, $4) RETURNING id
