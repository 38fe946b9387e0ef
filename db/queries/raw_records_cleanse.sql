-- Cleanses every row of import $1 in one set-based statement (ADR-0013). Cell outcomes come from
-- cleanse_cells / cleanse_custom, written by domain.cleansing (cleanse_cell, custom_cell) for each
-- distinct cell; a cell without an outcome row is kept as written. Rows are assembled as
-- domain.cleansing.cleanse_record assembles them (that function is the reference; a test holds both
-- to the same results): placeholder changes first, then each mapped column's values, changes and
-- problems in column order (the OS-version column is read with the OS column when that one has a
-- value), a name from the first of the row's other identifiers (ROW_IDENTIFIERS in order) when it has
-- none, then the unmapped columns as custom attributes in key order. A row with problems (its
-- import problems kept) is quarantined and gets no natural key.
--
-- The /*@...*/ markers are filled by db/cleanse_statement.py: one outcome lookup per mapped column
-- (alias m<i>) and per unmapped column (alias u<j>) through the outcome tables' hash indexes, so the plan is
-- linear; per row, one jsonb_build_object for the values, one array for the changes (concatenating
-- jsonb value by value copies the row's JSON each time). Column names travel as parameters
-- ($3 ...), never as SQL text.
UPDATE migration.raw_import_records r
SET cleansed_data = x.cleansed_data, cleansing_changes = x.changes, validation_errors = x.errors,
    status = CASE WHEN x.errors IS NULL THEN 'valid' ELSE 'quarantined' END,
    natural_key = CASE
        WHEN x.errors IS NOT NULL THEN NULL
        WHEN coalesce(x.cleansed_data ->> 'external_id', '') <> '' THEN 'ext:' || btrim(x.cleansed_data ->> 'external_id')
        WHEN migration.asset_host_key(x.cleansed_data ->> 'hostname', x.cleansed_data ->> 'fqdn') IS NOT NULL
            THEN 'host:' || migration.asset_host_key(x.cleansed_data ->> 'hostname', x.cleansed_data ->> 'fqdn')
        ELSE 'name:' || migration.asset_name_key(x.cleansed_data ->> 'name')
    END
FROM (
    SELECT v.row_number,
           v.vals || CASE WHEN v.named IS NULL THEN '{}' ELSE jsonb_build_object('name', v.named[2]) END
                  || CASE WHEN v.custom = '{}' THEN '{}' ELSE jsonb_build_object('custom_attributes', v.custom) END
               AS cleansed_data,
           to_jsonb(array_remove(v.changes || ARRAY[CASE WHEN v.named IS NOT NULL THEN jsonb_build_object(
               'field', 'name', 'from', NULL, 'to', v.named[2], 'rule', 'name_from_' || v.named[1]) END]
               || v.custom_changes, NULL)) AS changes,
           nullif(jsonb_strip_nulls(jsonb_build_object(
               'import', v.import_problems,
               'cleansing', to_jsonb(nullif(v.errors || CASE WHEN v.named IS NULL AND coalesce(v.vals ->> 'name', '') = ''
                                                             THEN ARRAY[$2::text] ELSE '{}' END, '{}')))), '{}') AS errors
    FROM (
        SELECT c.row_number, c.import_problems, c.vals, c.changes, c.errors, c.custom, c.custom_changes,
               /*@named*/ AS named  -- {identifier, name} for a row without a name
        FROM (
            SELECT r.row_number, r.validation_errors -> 'import' AS import_problems,
                   (/*@values*/) - array_remove(ARRAY[NULL /*@null_values*/]::text[], NULL) AS vals,
                   ARRAY[NULL /*@placeholder_changes*/ /*@changes*/]::jsonb[] AS changes,
                   array_remove(ARRAY[NULL /*@errors*/]::text[], NULL) AS errors,
                   jsonb_strip_nulls(/*@custom*/) AS custom,
                   ARRAY[NULL /*@custom_changes*/]::jsonb[] AS custom_changes
            FROM (
                -- each row's raw data decompressed once (OFFSET 0), not once per column read
                SELECT row_number, validation_errors, raw_data || '{}' AS raw_data FROM migration.raw_import_records
                WHERE data_import_id = $1 OFFSET 0
            ) r
            /*@joins*/
            OFFSET 0
        ) c
    ) v
) x
WHERE r.data_import_id = $1 AND r.row_number = x.row_number
