-- The written plan at a glance, as the planning phase summarises it: waves by kind, pilot assets, move
-- groups, assets planned and not migrated, the largest wave, violations by rule and ordering cycles.
SELECT (SELECT count(*) FROM migration.migration_waves) AS waves,
       (SELECT coalesce(jsonb_object_agg(kind, n), '{}') FROM (
            SELECT kind, count(*) AS n FROM migration.migration_waves GROUP BY kind) k) AS waves_by_kind,
       (SELECT coalesce(sum(asset_count), 0) FROM migration.migration_waves WHERE kind = 'pilot') AS pilot_assets,
       (SELECT count(DISTINCT move_group) FROM migration.assets WHERE wave_number IS NOT NULL) AS move_groups,
       (SELECT count(*) FROM migration.assets WHERE wave_number IS NOT NULL) AS assets_planned,
       (SELECT count(*) FROM migration.assets WHERE wave_number IS NULL AND wave_reason IS NOT NULL)
           AS assets_not_migrated,
       (SELECT coalesce(max(asset_count), 0) FROM migration.migration_waves) AS largest_wave,
       (SELECT coalesce(jsonb_object_agg(rule, n), '{}') FROM (
            SELECT rule, count(*) AS n FROM migration.plan_violations WHERE rule <> 'ordering_cycle'
            GROUP BY rule) r) AS violations_by_rule,
       (SELECT count(*) FROM migration.plan_violations WHERE rule = 'ordering_cycle') AS ordering_cycles
