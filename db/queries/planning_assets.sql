-- Every asset with what the wave planner needs (domain.planning_model.PlanAsset) and its current wave.
SELECT id, name, asset_type, application_name, environment, business_criticality, complexity_score, risk_score,
       coalesce(storage_gb, 0) AS storage_gb, six_r_strategy, tags, wave_number, lifecycle_state, operational_state,
       coalesce(is_template, false) AS is_template, requested_wave
FROM migration.assets
ORDER BY id
