-- The plan's waves, dated and totalled. $1 client, $2 engagement, $3 planning flow, $4 the waves as JSON.
INSERT INTO migration.migration_waves
    (client_account_id, engagement_id, planning_flow_id, wave_number, name, kind, status, planned_start,
     planned_end, asset_count, total_storage_gb, estimated_effort_days, estimated_cost, undecided_assets,
     constraints_report)
SELECT $1, $2, $3, w.wave_number, w.name, w.kind, 'scheduled', w.planned_start, w.planned_end, w.asset_count,
       w.total_storage_gb, w.estimated_effort_days, w.estimated_cost, w.undecided_assets, w.constraints_report
FROM jsonb_to_recordset($4::jsonb) AS w(wave_number integer, name text, kind text, planned_start date,
                                        planned_end date, asset_count integer, total_storage_gb numeric,
                                        estimated_effort_days numeric, estimated_cost numeric,
                                        undecided_assets integer, constraints_report jsonb)
