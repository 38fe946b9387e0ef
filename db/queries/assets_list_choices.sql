-- The engagement's wave numbers and application names (as `assets_list` reads them), to name the
-- valid ones when a wave or application filter names none of them.
SELECT ARRAY(SELECT wave_number FROM migration.migration_waves ORDER BY wave_number) AS waves,
       ARRAY(SELECT DISTINCT btrim(name)
             FROM (SELECT application_name AS name FROM migration.assets
                   UNION ALL
                   SELECT name FROM migration.assets WHERE asset_type = 'application') names
             WHERE btrim(name) <> ''
             ORDER BY btrim(name)) AS applications
