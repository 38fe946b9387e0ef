-- 0013_assessment_details: what the assessment records so every number can be explained, and the
-- per-application roll-up.
--
-- assets gains the database engine an asset runs (a fact the strategy rules decide on), the risk
-- level, and the cost figures of the projection: the current cost the model estimated when the
-- input gave none (current_monthly_cost stays the input's own figure, so a re-run never mistakes a
-- modelled number for a given one), the monthly savings and the date of the price table used
-- (target_instance_type and target_region of 0003 take the chosen instance and the table's region).
-- The components behind each score stay in scoring_details: complexity, risk, readiness (with its
-- blockers) and cost (sizing, price table, reasons).
--
-- application_assessments holds one row per application of an engagement: the strategy its assets
-- vote for (domain.strategy_rules.recommend_application) and their summed costs.

ALTER TABLE migration.assets
    ADD COLUMN database_engine       text,       -- as imported; domain.strategy_rules.database_engine reads it
    ADD COLUMN risk_level            text,
    ADD COLUMN modelled_monthly_cost numeric,    -- current cost modelled from the size (input had none)
    ADD COLUMN monthly_savings       numeric,    -- current - projected; negative when the cloud costs more
    ADD COLUMN prices_as_of          date,       -- date of the price table behind projected_monthly_cost
    -- risk levels use the same three words as complexity levels
    -- vocabulary: COMPLEXITY_LEVELS
    ADD CONSTRAINT assets_risk_level_check CHECK (risk_level IN ('low', 'medium', 'high')),
    ADD CONSTRAINT assets_modelled_monthly_cost_check CHECK (modelled_monthly_cost >= 0),
    ADD CONSTRAINT assets_database_engine_check CHECK (length(btrim(database_engine)) > 0);

-- Earlier assessments wrote a modelled cost into current_monthly_cost (scoring_details.cost_source =
-- 'model') and kept the blockers under readiness_blockers: move both to where they now live. The
-- owner has no tenant policy, so row-level security is lifted for this transaction only.
ALTER TABLE migration.assets NO FORCE ROW LEVEL SECURITY;
UPDATE migration.assets
SET modelled_monthly_cost = CASE WHEN scoring_details ->> 'cost_source' = 'model' THEN current_monthly_cost END,
    current_monthly_cost = CASE WHEN scoring_details ->> 'cost_source' = 'model' THEN NULL
                                ELSE current_monthly_cost END,
    scoring_details = scoring_details - 'cost_source' - 'readiness_blockers'
WHERE scoring_details ?| ARRAY['cost_source', 'readiness_blockers'];
ALTER TABLE migration.assets FORCE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------------------------
-- application_assessments: one row per (engagement, application). The strategy columns are written
-- by the strategy step, the cost columns by the cost step (NULL until it ran).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.application_assessments (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id         uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id             uuid NOT NULL,
    application_name          text NOT NULL,
    assessment_flow_id        uuid REFERENCES migration.assessment_flows (flow_id),
    asset_count               integer NOT NULL,
    six_r_strategy            text NOT NULL,
    strategy_source           text NOT NULL DEFAULT 'rule',
    strategy_confidence       double precision NOT NULL,
    target_platform           text,
    -- votes, reasons, runner-ups, each asset's recommended strategy, and people's overrides
    strategy_rationale        jsonb NOT NULL,
    current_monthly_cost      numeric,
    projected_monthly_cost    numeric,
    monthly_savings           numeric,
    assets_without_current    integer,
    assets_without_projection integer,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT application_assessments_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT application_assessments_engagement_id_application_name_key UNIQUE (engagement_id, application_name),
    CONSTRAINT application_assessments_application_name_check CHECK (length(btrim(application_name)) > 0),
    CONSTRAINT application_assessments_asset_count_check CHECK (asset_count > 0),
    -- vocabulary: SIX_R_STRATEGIES
    CONSTRAINT application_assessments_six_r_strategy_check CHECK (six_r_strategy IN
        ('rehost', 'replatform', 'refactor', 'repurchase', 'retire', 'retain', 'relocate', 'rewrite')),
    -- vocabulary: DECISION_SOURCES
    CONSTRAINT application_assessments_strategy_source_check CHECK (strategy_source IN ('rule', 'learned', 'llm', 'user')),
    CONSTRAINT application_assessments_strategy_confidence_check CHECK (strategy_confidence BETWEEN 0 AND 1),
    CONSTRAINT application_assessments_strategy_rationale_check CHECK (jsonb_typeof(strategy_rationale) = 'object'),
    CONSTRAINT application_assessments_current_monthly_cost_check CHECK (current_monthly_cost >= 0),
    CONSTRAINT application_assessments_projected_monthly_cost_check CHECK (projected_monthly_cost >= 0),
    CONSTRAINT application_assessments_assets_without_current_check CHECK (assets_without_current >= 0),
    CONSTRAINT application_assessments_assets_without_projection_check CHECK (assets_without_projection >= 0)
);

-- client_account_id FK and tenant filter; the unique key leads with engagement_id.
CREATE INDEX ix_application_assessments_client_engagement
    ON migration.application_assessments (client_account_id, engagement_id);
CREATE INDEX ix_application_assessments_assessment_flow_id ON migration.application_assessments (assessment_flow_id)
    WHERE assessment_flow_id IS NOT NULL;

CREATE TRIGGER application_assessments_touch_updated_at
    BEFORE UPDATE ON migration.application_assessments
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

CREATE TRIGGER audit_insert AFTER INSERT ON migration.application_assessments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_update AFTER UPDATE ON migration.application_assessments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_delete AFTER DELETE ON migration.application_assessments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();

GRANT SELECT, INSERT, UPDATE, DELETE ON migration.application_assessments TO migration_app;

ALTER TABLE migration.application_assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.application_assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.application_assessments
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());
