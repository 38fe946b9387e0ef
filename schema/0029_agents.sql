-- 0029_agents: what the CrewAI crews write and what every model call costs (ADR 0021).
--
-- * llm_usage_log: one row per call to a model endpoint; the phase and crew task it served, cached prompt
--   tokens, whether the token counts were estimated, and the agent_task_history row it belongs to (no foreign
--   key: both tables are partitioned).
-- * agent_task_history: one row per crew task (a batch of columns, assets or a plan critique) with the
--   phase and model; status from AGENT_TASK_STATUSES.
-- * import_field_mappings.agent_reviewed_at: the mapping crew answered for the column.
-- * agent_recommendations: the strategy crew's alternative for an asset or application, beside the rule's
--   result and a person's decision, never instead of them (source always 'llm'). `input_digest` is the digest
--   of the facts the crew saw, so a retried activity skips what it already answered for the same facts.
-- Tenant columns, forced row-level security, audit and people's reads as every tenant table (0006, 0007, 0024).

ALTER TABLE migration.llm_usage_log
    ADD COLUMN phase          text,
    ADD COLUMN task_name      text,
    ADD COLUMN cached_tokens  integer NOT NULL DEFAULT 0,
    ADD COLUMN agent_task_id  uuid,
    ADD COLUMN tokens_estimated boolean NOT NULL DEFAULT false,   -- the endpoint reported no believable counts
    -- vocabulary: PHASES
    ADD CONSTRAINT llm_usage_log_phase_check CHECK (phase IN ('discovery', 'assessment', 'planning', 'execution')),
    ADD CONSTRAINT llm_usage_log_cached_tokens_check CHECK (cached_tokens BETWEEN 0 AND prompt_tokens),
    ADD CONSTRAINT llm_usage_log_error_length_check CHECK (length(error) <= 2000);

ALTER TABLE migration.agent_task_history
    ADD COLUMN phase  text,
    ADD COLUMN model  text,
    -- vocabulary: PHASES
    ADD CONSTRAINT agent_task_history_phase_check CHECK (phase IN ('discovery', 'assessment', 'planning', 'execution')),
    -- vocabulary: AGENT_TASK_STATUSES
    ADD CONSTRAINT agent_task_history_status_check CHECK (status IN ('completed', 'failed', 'budget_exceeded')),
    ADD CONSTRAINT agent_task_history_error_length_check CHECK (length(error_message) <= 2000),
    ADD CONSTRAINT agent_task_history_input_size_check CHECK (pg_column_size(input_summary) <= 65536),
    ADD CONSTRAINT agent_task_history_output_size_check CHECK (pg_column_size(output_summary) <= 262144);

-- When the mapping crew last answered for a column (whatever it answered), so a retry or a later run does not
-- ask, and pay, again.
ALTER TABLE migration.import_field_mappings ADD COLUMN agent_reviewed_at timestamptz;

CREATE INDEX ix_llm_usage_log_engagement_created ON migration.llm_usage_log (engagement_id, created_at);

CREATE TABLE migration.agent_recommendations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    master_flow_id    uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
    subject_type      text NOT NULL,
    asset_id          uuid,
    application_name  text,
    strategy          text NOT NULL,
    confidence        double precision NOT NULL,
    rationale         text NOT NULL,
    source            text NOT NULL DEFAULT 'llm',
    model             text NOT NULL,
    input_digest      text NOT NULL,
    agent_task_id     uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agent_recommendations_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT agent_recommendations_asset_fkey FOREIGN KEY (asset_id)
        REFERENCES migration.assets (id) ON DELETE CASCADE,
    -- vocabulary: RECOMMENDATION_SUBJECTS
    CONSTRAINT agent_recommendations_subject_type_check CHECK (subject_type IN ('asset', 'application')),
    CONSTRAINT agent_recommendations_subject_check CHECK (
        (subject_type = 'asset' AND asset_id IS NOT NULL AND application_name IS NULL)
        OR (subject_type = 'application' AND asset_id IS NULL AND application_name IS NOT NULL)),
    -- vocabulary: SIX_R_STRATEGIES
    CONSTRAINT agent_recommendations_strategy_check CHECK (strategy IN
        ('rehost', 'replatform', 'refactor', 'repurchase', 'retire', 'retain', 'relocate', 'rewrite')),
    CONSTRAINT agent_recommendations_confidence_check CHECK (confidence BETWEEN 0 AND 1),
    CONSTRAINT agent_recommendations_rationale_check CHECK (length(btrim(rationale)) BETWEEN 1 AND 1000),
    CONSTRAINT agent_recommendations_source_check CHECK (source = 'llm'),
    CONSTRAINT agent_recommendations_model_check CHECK (length(btrim(model)) BETWEEN 1 AND 200)
);
CREATE UNIQUE INDEX ux_agent_recommendations_asset
    ON migration.agent_recommendations (engagement_id, asset_id) WHERE subject_type = 'asset';
CREATE UNIQUE INDEX ux_agent_recommendations_application
    ON migration.agent_recommendations (engagement_id, md5(application_name)) WHERE subject_type = 'application';
CREATE INDEX ix_agent_recommendations_client_engagement
    ON migration.agent_recommendations (client_account_id, engagement_id);

CREATE TRIGGER agent_recommendations_touch_updated_at BEFORE UPDATE ON migration.agent_recommendations
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();
CREATE TRIGGER audit_insert AFTER INSERT ON migration.agent_recommendations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_update AFTER UPDATE ON migration.agent_recommendations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_delete AFTER DELETE ON migration.agent_recommendations REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();

GRANT SELECT, INSERT, UPDATE, DELETE ON migration.agent_recommendations TO migration_app;
ALTER TABLE migration.agent_recommendations ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.agent_recommendations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.agent_recommendations FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());
GRANT SELECT ON migration.agent_recommendations TO migration_person;
CREATE POLICY person_read ON migration.agent_recommendations FOR SELECT TO migration_person
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id()
           AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),
                                            'read')));
