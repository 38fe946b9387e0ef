-- After execution: planned assets that did not reach 'migrated', and the migrated total.
SELECT count(*) FILTER (WHERE wave_number IS NOT NULL AND migration_status <> 'migrated') AS not_migrated,
       count(*) FILTER (WHERE migration_status = 'migrated') AS migrated,
       count(*) FILTER (WHERE wave_number IS NULL) AS not_in_waves
FROM migration.assets
