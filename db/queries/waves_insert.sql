INSERT INTO migration.migration_waves
    (client_account_id, engagement_id, planning_flow_id, wave_number, name, status, asset_count,
     total_storage_gb, constraints_report)
SELECT $1, $2, $3, w.wave_number, 'Wave ' || w.wave_number, 'planned', w.asset_count, w.total_storage_gb,
       w.constraints_report
FROM jsonb_to_recordset($4::jsonb) AS w(wave_number integer, asset_count integer, total_storage_gb numeric,
                                        constraints_report jsonb)
