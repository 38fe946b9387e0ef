-- Inserts of this transaction come from merging data import $1: audit them per statement (schema 0017).
SELECT set_config('app.bulk_import_id', $1::uuid::text, true)
