-- Records that a person kept asset $1's value of column $2 in a conflict review: the column's lineage
-- becomes the decision ($3) and keeps where the value came from, without a data_import_id, so no
-- later import counts as "the same file" and replaces the value silently.
UPDATE migration.assets a
SET field_lineage = a.field_lineage || jsonb_build_object($2::text, $3::jsonb || jsonb_strip_nulls(jsonb_build_object(
        'chosen_from_import_id', coalesce(a.field_lineage -> $2::text ->> 'data_import_id',
                                          a.field_lineage -> $2::text ->> 'chosen_from_import_id'),
        'row_number', a.field_lineage -> $2::text -> 'row_number')))
WHERE a.id = $1
