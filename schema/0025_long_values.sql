-- 0025_long_values: no value of an imported file can break an index (issue 13, ADR-0016). A b-tree
-- entry holds at most 2,704 bytes after compression, so a 3 KB external id, name, header or
-- application name (any cell that does not compress well) failed its import with "index row size
-- exceeds maximum", retried five times. Keys built from file values are indexed by their MD5 digest
-- (32 characters whatever the value); queries compare md5(column) = md5(value), the index's
-- expression, and the values themselves. md5 is built in, immutable and leakproof: under forced
-- row-level security only a leakproof expression of a column can be an index condition (a SHA-256
-- wrapper around convert_to is not, and the planner scanned the engagement instead). Indexes no
-- query used are dropped rather than rebuilt.

-- Assets: one per engagement and natural key, one per engagement and external id.
DROP INDEX migration.ux_assets_engagement_natural_key;
CREATE UNIQUE INDEX ux_assets_engagement_natural_key
    ON migration.assets (engagement_id, md5(natural_key)) WHERE natural_key IS NOT NULL;
DROP INDEX migration.ux_assets_engagement_external_id;
CREATE UNIQUE INDEX ux_assets_engagement_external_id
    ON migration.assets (engagement_id, md5(external_id)) WHERE external_id IS NOT NULL;
-- no query looks an asset up by one lower-cased hostname (the merge and the dependency queries
-- compare whole sets), and a 10,000-character hostname did not fit
DROP INDEX migration.ix_assets_engagement_hostname;

-- Every external id an asset was known by (schema 0022): one asset per id and engagement.
ALTER TABLE migration.asset_external_ids DROP CONSTRAINT asset_external_ids_engagement_external_id_key;
CREATE UNIQUE INDEX ux_asset_external_ids_engagement_external_id
    ON migration.asset_external_ids (engagement_id, md5(external_id));
-- the dependency queries read an engagement's ids as a whole set, never one by index
DROP INDEX migration.ix_asset_external_ids_lower;

-- Raw records: the merge reads an import's records that have a natural key; none is looked up by it.
DROP INDEX migration.ix_raw_import_records_import_natural_key;
CREATE INDEX ix_raw_import_records_import_keyed
    ON migration.raw_import_records (data_import_id) WHERE natural_key IS NOT NULL;

-- One mapping per import and source column (a header is a cell too).
ALTER TABLE migration.import_field_mappings DROP CONSTRAINT import_field_mappings_data_import_id_source_field_key;
CREATE UNIQUE INDEX ux_import_field_mappings_source_field
    ON migration.import_field_mappings (data_import_id, md5(source_field));

-- One assessment per engagement and application (the name comes from an application column).
ALTER TABLE migration.application_assessments
    DROP CONSTRAINT application_assessments_engagement_id_application_name_key;
CREATE UNIQUE INDEX ux_application_assessments_application
    ON migration.application_assessments (engagement_id, md5(application_name));

-- Learned patterns are keyed by a normalised header or a value. The unique key (schema 0016) leads
-- with the client, so it also serves what the client/kind/key index did.
DROP INDEX migration.ux_agent_learning_patterns_key;
CREATE UNIQUE INDEX ux_agent_learning_patterns_key
    ON migration.agent_learning_patterns
        (client_account_id, engagement_id, scope, insight_type, md5(pattern_key))
    NULLS NOT DISTINCT;
DROP INDEX migration.ix_agent_learning_patterns_client_insight_key;

-- The global pool: one row per model, header and target; a primary key cannot be an expression.
ALTER TABLE migration.shared_mapping_patterns DROP CONSTRAINT shared_mapping_patterns_pkey;
CREATE UNIQUE INDEX ux_shared_mapping_patterns_key
    ON migration.shared_mapping_patterns (embedding_model, md5(pattern_key), target_field);
