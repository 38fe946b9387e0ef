SELECT id, file_name, source_format, import_role, bundle_report, status, content_sha256, file_size_bytes,
       source_columns, total_records, valid_records, quarantined_records
FROM migration.data_imports WHERE id = $1
