-- The uploaded file's bytes in order (read through a cursor, one chunk at a time).
SELECT content FROM migration.import_file_chunks WHERE data_import_id = $1 ORDER BY chunk_no
