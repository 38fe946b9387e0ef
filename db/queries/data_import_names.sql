-- Every import of the engagement by id, to name the file a value came from.
SELECT id, file_name FROM migration.data_imports
