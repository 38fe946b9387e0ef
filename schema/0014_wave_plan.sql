-- 0014_wave_plan: what the dependency-aware wave planner (domain.wave_planner) writes beside its waves.
--
-- migration_waves gains the wave's kind (a pilot, then non-production, then production waves) and
-- how many of its assets have no strategy yet (their effort is the table's middle estimate).
-- assets gains wave_reason: why the asset is in its wave, or why it is in none (retired, retained),
-- written with wave_number and move_group so the three always describe the same plan.
--
-- plan_violations holds the rules the engagement's current plan breaks and its ordering cycles,
-- one row each, replaced with the plan in the same transaction. A table rather than JSONB on
-- planning_flows: a plan also changes outside a planning flow (a person's plan import), a large
-- portfolio can break thousands of constraints (a JSONB document would be rewritten whole and
-- travel whole), and the plan export reads them as rows. Tenant isolation, grants and audit as
-- every other tenant table (0006, 0007).

ALTER TABLE migration.migration_waves
    ADD COLUMN kind             text NOT NULL DEFAULT 'production',
    ADD COLUMN undecided_assets integer NOT NULL DEFAULT 0,
    -- vocabulary: WAVE_KINDS
    ADD CONSTRAINT migration_waves_kind_check CHECK (kind IN ('pilot', 'non_production', 'production')),
    ADD CONSTRAINT migration_waves_undecided_assets_check CHECK (undecided_assets >= 0);

ALTER TABLE migration.assets
    ADD COLUMN wave_reason text;

CREATE TABLE migration.plan_violations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    planning_flow_id  uuid REFERENCES migration.planning_flows (flow_id),
    rule              text NOT NULL,      -- a rule of domain.wave_planner, or 'ordering_cycle'
    detail            text NOT NULL,
    move_groups       text[] NOT NULL DEFAULT '{}',
    asset_ids         uuid[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plan_violations_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT plan_violations_rule_check CHECK (length(btrim(rule)) > 0),
    CONSTRAINT plan_violations_detail_check CHECK (length(btrim(detail)) > 0)
);

CREATE INDEX ix_plan_violations_client_engagement ON migration.plan_violations (client_account_id, engagement_id);
CREATE INDEX ix_plan_violations_planning_flow_id ON migration.plan_violations (planning_flow_id)
    WHERE planning_flow_id IS NOT NULL;

CREATE TRIGGER plan_violations_touch_updated_at
    BEFORE UPDATE ON migration.plan_violations
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

CREATE TRIGGER audit_insert AFTER INSERT ON migration.plan_violations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_update AFTER UPDATE ON migration.plan_violations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_delete AFTER DELETE ON migration.plan_violations
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();

GRANT SELECT, INSERT, UPDATE, DELETE ON migration.plan_violations TO migration_app;

ALTER TABLE migration.plan_violations ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.plan_violations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.plan_violations
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());
