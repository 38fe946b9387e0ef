-- The facts of the next batch of assets that belong to an application, in application order (keyset
-- by the application name's MD5 digest, then id: the index of schema 0033), with each asset's dependency
-- fan-out and fan-in and its current strategy (a person's override shows in strategy_source 'user').
-- $1 last application_key ('' before the first page), $2 last id, $3 limit.
SELECT a.id, a.name, a.asset_type, a.os_family, a.operating_system, a.os_version, a.environment,
       a.business_criticality, a.cpu_utilization_avg, a.cpu_utilization_peak, a.network_throughput_mbps,
       a.power_state, a.lifecycle_state, a.operational_state, a.is_template, a.is_virtual, a.hypervisor, a.storage_gb, a.memory_gb, a.cpu_cores, a.database_engine,
       a.application_name, md5(a.application_name) AS application_key, a.data_classification, a.six_r_strategy,
       a.strategy_source,
       (SELECT count(*) FROM migration.asset_dependencies d WHERE d.source_asset_id = a.id) AS dependency_count,
       (SELECT count(*) FROM migration.asset_dependencies d WHERE d.target_asset_id = a.id) AS dependent_count
FROM migration.assets a
WHERE btrim(a.application_name) <> '' AND (md5(a.application_name), a.id) > ($1, $2)
ORDER BY md5(a.application_name), a.id
LIMIT $3
