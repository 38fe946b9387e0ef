-- 0034_asset_wave_index: execution opens, runs and closes each wave through its assets (`wave_number = $n`:
-- step_runs_create, wave_strategies, wave_migrate_batch, wave_complete, wave_runbook_workloads), and no index
-- led to a wave's assets: every such query scanned the engagement's whole asset table, so a wave's cost grew
-- with the engagement (at 100,000 assets and 1,842 waves, 0.5 s for one count of a wave's assets, and a wave's
-- pace 1.26 times the 10,000-asset one for the same ~54 assets a wave, 1.6 on a loaded machine). A wave's assets
-- are now an index range.
CREATE INDEX ix_assets_engagement_wave
    ON migration.assets (engagement_id, wave_number)
    WHERE wave_number IS NOT NULL;
