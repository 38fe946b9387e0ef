INSERT INTO migration.import_file_chunks (client_account_id, engagement_id, data_import_id, chunk_no, content)
VALUES ($1, $2, $3, $4, $5)
