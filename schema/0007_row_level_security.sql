-- 0007_row_level_security: tenant isolation in the database. Creates the context helpers
-- migration.current_client_id() / migration.current_engagement_id(), and on every table that
-- carries client_account_id (plus client_accounts) enables and FORCEs row-level security with a
-- policy tenant_isolation for migration_app; on the three partitioned logs also a policy
-- partition_maintenance for migration_owner (ensure_partitions moves rows through the parent).
--
-- Context is transaction-local (set_config(..., true)) and read fail-closed: unset (NULL) and
-- reset ('' after the setting transaction ended) both become NULL, so comparisons are NULL:
-- no rows are visible and every insert/update is refused.
-- FORCE binds the owner too: migration_owner has no tenant_isolation policy, so as owner it
-- sees no tenant rows (RI checks are exempt); a data migration that must touch tenant rows sets
-- ALTER TABLE ... NO FORCE ROW LEVEL SECURITY for its own transaction and FORCEs it again.

-- Plain STABLE SQL functions (no SET, not SECURITY DEFINER) so the planner inlines them and the
-- tenant indexes are usable.
CREATE FUNCTION migration.current_client_id()
RETURNS uuid
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.client_id', true), '')::uuid $$;

CREATE FUNCTION migration.current_engagement_id()
RETURNS uuid
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.engagement_id', true), '')::uuid $$;

REVOKE ALL ON FUNCTION migration.current_client_id() FROM PUBLIC;
REVOKE ALL ON FUNCTION migration.current_engagement_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.current_client_id() TO migration_app;
GRANT EXECUTE ON FUNCTION migration.current_engagement_id() TO migration_app;

-- ---------------------------------------------------------------------------------------------
-- Client-level tables: the client context alone is enough.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE migration.client_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.client_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.client_accounts
    FOR ALL TO migration_app
    USING (id = migration.current_client_id())
    WITH CHECK (id = migration.current_client_id());

-- Listing a client's engagements needs only the client context.
ALTER TABLE migration.engagements ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.engagements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.engagements
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id())
    WITH CHECK (client_account_id = migration.current_client_id());

-- ---------------------------------------------------------------------------------------------
-- Engagement-scoped tables: client AND engagement must match the context.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE migration.engagement_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.engagement_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.engagement_members
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.crewai_flow_state_extensions ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.crewai_flow_state_extensions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.crewai_flow_state_extensions
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.discovery_flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.discovery_flows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.discovery_flows
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.assessment_flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.assessment_flows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.assessment_flows
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.planning_flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.planning_flows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.planning_flows
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.execution_flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.execution_flows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.execution_flows
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.data_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.data_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.data_imports
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.import_field_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.import_field_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.import_field_mappings
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.assets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.assets
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.raw_import_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.raw_import_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.raw_import_records
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.asset_dependencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.asset_dependencies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.asset_dependencies
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.migration_waves ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.migration_waves FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.migration_waves
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.migration_wave_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.migration_wave_assets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.migration_wave_assets
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.llm_usage_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.llm_usage_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.llm_usage_log
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.agent_task_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.agent_task_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.agent_task_history
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());

-- ---------------------------------------------------------------------------------------------
-- Client-or-engagement tables: rows without an engagement belong to the whole client.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE migration.agent_learning_patterns ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.agent_learning_patterns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.agent_learning_patterns
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND (engagement_id IS NULL OR engagement_id = migration.current_engagement_id()))
    WITH CHECK (client_account_id = migration.current_client_id()
                AND (engagement_id IS NULL OR engagement_id = migration.current_engagement_id()));

ALTER TABLE migration.security_audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.security_audit_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.security_audit_logs
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND (engagement_id IS NULL OR engagement_id = migration.current_engagement_id()))
    WITH CHECK (client_account_id = migration.current_client_id()
                AND (engagement_id IS NULL OR engagement_id = migration.current_engagement_id()));

-- ---------------------------------------------------------------------------------------------
-- Partitioned logs: policies on the parent govern every query through it (the application has
-- no privileges on partitions). FORCE also binds the owner, which must move rows out of the
-- default partitions (ensure_partitions, SECURITY DEFINER as migration_owner).
-- ---------------------------------------------------------------------------------------------
CREATE POLICY partition_maintenance ON migration.llm_usage_log
    FOR ALL TO migration_owner
    USING (true)
    WITH CHECK (true);
CREATE POLICY partition_maintenance ON migration.agent_task_history
    FOR ALL TO migration_owner
    USING (true)
    WITH CHECK (true);
CREATE POLICY partition_maintenance ON migration.security_audit_logs
    FOR ALL TO migration_owner
    USING (true)
    WITH CHECK (true);

