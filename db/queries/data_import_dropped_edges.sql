-- Counts, by kind, the rows of a dependency file dropped as loop-back or self edges (status
-- 'processed', no cleansed data, the kind in their cleansing change) into its bundle report, where
-- `imports list` shows them; returns the counts ({} when none). $1 import.
UPDATE migration.data_imports d
SET bundle_report = coalesce(d.bundle_report, '{}'::jsonb) || jsonb_build_object('dropped_edges', c.kinds)
FROM (
    SELECT coalesce(jsonb_object_agg(k.kind, k.n), '{}'::jsonb) AS kinds
    FROM (
        SELECT cleansing_changes -> 0 ->> 'dropped' AS kind, count(*) AS n
        FROM migration.raw_import_records
        WHERE data_import_id = $1 AND status = 'processed' AND cleansed_data IS NULL
        GROUP BY 1
    ) k
) c
WHERE d.id = $1
RETURNING c.kinds
