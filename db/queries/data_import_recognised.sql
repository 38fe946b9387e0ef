-- What the recogniser found a file to be: its format, its role in the import and its report.
UPDATE migration.data_imports
SET source_format = $2, import_role = $3, bundle_report = $4
WHERE id = $1
