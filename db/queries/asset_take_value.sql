-- Sets asset $1's column /*@field*/ to the value a person chose in a conflict review ($2, JSON), and
-- records the choice as that column's lineage ($3). The lineage names no data_import_id, so a later
-- import of the same file never replaces the choice silently: a different value becomes a conflict.
-- /*@field*/ is filled by db/conflict_review.py with a column name it checked against the asset
-- columns an import can fill.
UPDATE migration.assets a
SET /*@field*/ = (jsonb_populate_record(NULL::migration.assets, jsonb_build_object('/*@field*/', $2::jsonb)))./*@field*/,
    field_lineage = a.field_lineage || jsonb_build_object('/*@field*/', $3::jsonb)
WHERE a.id = $1
