-- The facts rules decide on, for the next batch of the engagement's assets (keyset by id), with
-- each asset's dependency fan-out and fan-in.
SELECT a.id, a.name, a.asset_type, a.os_family, a.operating_system, a.os_version, a.environment,
       a.business_criticality, a.cpu_utilization_avg, a.cpu_utilization_peak, a.memory_utilization_avg,
       a.memory_utilization_peak, a.network_throughput_mbps, a.power_state, a.lifecycle_state, a.operational_state, a.is_virtual, a.hypervisor,
       a.storage_gb, a.storage_used_gb, a.memory_gb, a.cpu_cores, a.database_engine, a.application_name,
       a.data_classification, a.current_monthly_cost, a.cost_currency, a.os_end_of_life, a.six_r_strategy,
       a.strategy_source, a.complexity_score,
       a.tech_debt_flags, a.is_template, a.vm_hardware_version, a.description, a.custom_attributes,
       (SELECT count(*) FROM migration.asset_dependencies d WHERE d.source_asset_id = a.id) AS dependency_count,
       (SELECT count(*) FROM migration.asset_dependencies d WHERE d.target_asset_id = a.id) AS dependent_count
FROM migration.assets a
WHERE a.id > $1
ORDER BY a.id
LIMIT $2
