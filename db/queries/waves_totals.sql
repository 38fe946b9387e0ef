-- The plan at a glance: waves by kind, date range, assets, storage, effort and cost.
SELECT count(*) AS waves,
       count(*) FILTER (WHERE kind = 'foundation') AS foundation_waves,
       count(*) FILTER (WHERE kind = 'pilot') AS pilot_waves,
       count(*) FILTER (WHERE kind = 'non_production') AS non_production_waves,
       count(*) FILTER (WHERE kind = 'production') AS production_waves,
       min(planned_start) AS first_start, max(planned_end) AS last_end,
       coalesce(sum(asset_count), 0) AS assets, coalesce(sum(total_storage_gb), 0) AS storage_gb,
       coalesce(sum(estimated_effort_days), 0) AS effort_days, coalesce(sum(estimated_cost), 0) AS cost,
       coalesce(sum(undecided_assets), 0) AS undecided_assets
FROM migration.migration_waves
