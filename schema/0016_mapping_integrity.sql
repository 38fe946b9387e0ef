-- 0016_mapping_integrity: what the mapping review and the learning store rely on, enforced.
--
-- One approved column per asset field and file: two columns filling one field would make cleansing
-- refuse every row, and two concurrent reviews could otherwise both pass a check made in Python.
CREATE UNIQUE INDEX ux_import_field_mappings_approved_target
    ON migration.import_field_mappings (data_import_id, target_field)
    WHERE status = 'approved' AND target_field IS NOT NULL;

-- A column nothing matched has no evidence source; only a suggested or chosen target has one.
ALTER TABLE migration.import_field_mappings
    ALTER COLUMN source DROP NOT NULL,
    ADD CONSTRAINT import_field_mappings_source_present_check CHECK (target_field IS NULL OR source IS NOT NULL);

-- One learned pattern per (client, engagement or none, scope, kind, key): a later decision replaces
-- the earlier one (learning_pattern_upsert.sql), and two concurrent decisions cannot both insert.
CREATE UNIQUE INDEX ux_agent_learning_patterns_key
    ON migration.agent_learning_patterns (client_account_id, engagement_id, scope, insight_type, pattern_key)
    NULLS NOT DISTINCT;
