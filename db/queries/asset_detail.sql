-- One asset as a person checks it: its values, where each came from (lineage), what cleansing
-- changed, its technical debt and assessment. By id ($1; NULL when the text is no id) or by name,
-- ignoring case ($2); a few rows at most, to report an ambiguous name.
SELECT a.id, a.name, a.asset_type, a.source_class, a.hostname, a.fqdn, a.ip_address, a.operating_system,
       a.os_version,
       a.environment, a.business_criticality, a.application_name, a.cpu_cores, a.memory_gb, a.storage_gb,
       a.tech_debt_flags, a.six_r_strategy, a.strategy_source, a.wave_number, a.move_group, a.wave_reason,
       a.field_lineage, a.cleansing_changes, a.custom_attributes, d.file_name AS last_file, a.source_row_number
FROM migration.assets a
LEFT JOIN migration.data_imports d ON d.id = a.data_import_id
WHERE a.id = $1::uuid OR ($1::uuid IS NULL AND lower(btrim(a.name)) = lower(btrim($2::text)))
ORDER BY a.id
LIMIT 5
