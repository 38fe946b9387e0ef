-- The files of the engagement's newest import: those of its newest master flow, else the newest
-- uploads not yet picked up by a flow.
SELECT d.id, d.file_name, d.source_format, d.import_role, d.status, d.total_records, d.valid_records,
       d.quarantined_records, d.error_summary, d.bundle_report, d.created_at
FROM migration.data_imports d
WHERE d.master_flow_id = (
    SELECT flow_id FROM migration.crewai_flow_state_extensions ORDER BY created_at DESC LIMIT 1
)
ORDER BY d.created_at, d.file_name
