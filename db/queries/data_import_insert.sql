-- Registers an uploaded inventory file; its bytes follow in import_file_chunks (same transaction).
INSERT INTO migration.data_imports
    (client_account_id, engagement_id, file_name, source_format, source_uri, content_sha256,
     file_size_bytes, status, imported_by)
VALUES ($1, $2, $3, $4, 'db:migration.import_file_chunks', $5, $6, 'received', $7)
RETURNING id
