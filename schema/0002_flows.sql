-- 0002_flows: flow state projected from the Temporal workflows. The master flow per engagement
-- (crewai_flow_state_extensions), one table per phase (discovery_flows, assessment_flows,
-- planning_flows, execution_flows) with a boolean <step>_completed flag for every step of
-- domain.vocabulary.PHASE_STEPS, and the read-only view migration.flows (UNION ALL of the phase
-- tables, security_invoker so row-level security of the phase tables applies). See
-- docs/adr/0002-flow-view-instead-of-inheritance.md.
-- Flow status is written only by the transition activity (one transition = one transaction).

-- ---------------------------------------------------------------------------------------------
-- Master flow: one per engagement run (workflow id engagement-<engagement_id>).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.crewai_flow_state_extensions (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id       uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id           uuid NOT NULL,
    flow_id                 uuid NOT NULL,
    flow_type               text NOT NULL DEFAULT 'master',
    status                  text NOT NULL DEFAULT 'initialized',
    current_phase           text,
    phases_completed        jsonb NOT NULL DEFAULT '[]'::jsonb,
    phase_flow_ids          jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"discovery": "<flow_id>", ...}
    flow_configuration      jsonb NOT NULL DEFAULT '{}'::jsonb,
    flow_persistence_data   jsonb NOT NULL DEFAULT '{}'::jsonb,
    temporal_workflow_id    text,
    temporal_run_id         text,
    transition_seq          integer NOT NULL DEFAULT 0,           -- idempotency of transitions
    awaiting_approval_phase text,
    progress_percentage     double precision NOT NULL DEFAULT 0,
    error_message           text,
    started_at              timestamptz,
    completed_at            timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT crewai_flow_state_extensions_flow_id_key UNIQUE (flow_id),
    CONSTRAINT crewai_flow_state_extensions_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT crewai_flow_state_extensions_flow_type_check CHECK (length(btrim(flow_type)) > 0),
    -- vocabulary: FLOW_STATUSES
    CONSTRAINT crewai_flow_state_extensions_status_check CHECK (status IN
        ('initialized', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled')),
    -- vocabulary: PHASES
    CONSTRAINT crewai_flow_state_extensions_current_phase_check CHECK (current_phase IN
        ('discovery', 'assessment', 'planning', 'execution')),
    -- vocabulary: PHASES
    CONSTRAINT crewai_flow_state_extensions_awaiting_approval_phase_check CHECK (awaiting_approval_phase IN
        ('discovery', 'assessment', 'planning', 'execution')),
    CONSTRAINT crewai_flow_state_extensions_phases_completed_check CHECK (jsonb_typeof(phases_completed) = 'array'),
    CONSTRAINT crewai_flow_state_extensions_phase_flow_ids_check CHECK (jsonb_typeof(phase_flow_ids) = 'object'),
    CONSTRAINT crewai_flow_state_extensions_transition_seq_check CHECK (transition_seq >= 0),
    CONSTRAINT crewai_flow_state_extensions_progress_percentage_check
        CHECK (progress_percentage BETWEEN 0 AND 100),
    CONSTRAINT crewai_flow_state_extensions_completed_at_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);

CREATE INDEX ix_crewai_flow_state_extensions_client_engagement
    ON migration.crewai_flow_state_extensions (client_account_id, engagement_id);
-- A second launch of the same engagement is refused: at most one live master per engagement.
-- A finished (completed/failed/cancelled) master may be followed by a new one.
CREATE UNIQUE INDEX ux_crewai_flow_state_extensions_live_engagement
    ON migration.crewai_flow_state_extensions (engagement_id)
    WHERE status NOT IN ('completed', 'failed', 'cancelled');
CREATE INDEX ix_crewai_flow_state_extensions_temporal_workflow_id
    ON migration.crewai_flow_state_extensions (temporal_workflow_id)
    WHERE temporal_workflow_id IS NOT NULL;
CREATE INDEX ix_crewai_flow_state_extensions_phases_completed
    ON migration.crewai_flow_state_extensions USING gin (phases_completed);

CREATE TRIGGER crewai_flow_state_extensions_touch_updated_at
    BEFORE UPDATE ON migration.crewai_flow_state_extensions
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Phase flows. Common columns are identical (names, types, order) in all four tables so the
-- migration.flows view can UNION ALL them; current_phase is the current STEP within the phase.
-- A phase can be re-run (rejection, rollback): several rows per master may exist, so
-- master_flow_id is indexed, not unique.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.discovery_flows (
    id                              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id               uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id                   uuid NOT NULL,
    flow_id                         uuid NOT NULL,
    master_flow_id                  uuid NOT NULL REFERENCES migration.crewai_flow_state_extensions (flow_id),
    status                          text NOT NULL DEFAULT 'initialized',
    progress_percentage             double precision NOT NULL DEFAULT 0,
    current_phase                   varchar(100),
    phases_completed                jsonb NOT NULL DEFAULT '[]'::jsonb,
    crew_ai_state                   jsonb NOT NULL DEFAULT '{}'::jsonb,
    error_message                   text,
    temporal_workflow_id            text,
    temporal_run_id                 text,
    started_at                      timestamptz,
    completed_at                    timestamptz,
    created_at                      timestamptz NOT NULL DEFAULT now(),
    updated_at                      timestamptz NOT NULL DEFAULT now(),
    -- PHASE_STEPS['discovery']
    data_import_completed           boolean NOT NULL DEFAULT false,
    attribute_mapping_completed     boolean NOT NULL DEFAULT false,
    data_cleansing_completed        boolean NOT NULL DEFAULT false,
    inventory_completed             boolean NOT NULL DEFAULT false,
    dependency_analysis_completed   boolean NOT NULL DEFAULT false,
    tech_debt_analysis_completed    boolean NOT NULL DEFAULT false,
    -- discovery-specific
    assets_discovered               integer NOT NULL DEFAULT 0,
    dependencies_discovered         integer NOT NULL DEFAULT 0,
    CONSTRAINT discovery_flows_flow_id_key UNIQUE (flow_id),
    CONSTRAINT discovery_flows_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    -- vocabulary: FLOW_STATUSES
    CONSTRAINT discovery_flows_status_check CHECK (status IN
        ('initialized', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled')),
    CONSTRAINT discovery_flows_progress_percentage_check CHECK (progress_percentage BETWEEN 0 AND 100),
    CONSTRAINT discovery_flows_phases_completed_check CHECK (jsonb_typeof(phases_completed) = 'array'),
    CONSTRAINT discovery_flows_crew_ai_state_check CHECK (jsonb_typeof(crew_ai_state) = 'object'),
    CONSTRAINT discovery_flows_completed_at_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at),
    CONSTRAINT discovery_flows_assets_discovered_check CHECK (assets_discovered >= 0),
    CONSTRAINT discovery_flows_dependencies_discovered_check CHECK (dependencies_discovered >= 0)
);

CREATE TABLE migration.assessment_flows (
    id                              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id               uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id                   uuid NOT NULL,
    flow_id                         uuid NOT NULL,
    master_flow_id                  uuid NOT NULL REFERENCES migration.crewai_flow_state_extensions (flow_id),
    status                          text NOT NULL DEFAULT 'initialized',
    progress_percentage             double precision NOT NULL DEFAULT 0,
    current_phase                   varchar(100),
    phases_completed                jsonb NOT NULL DEFAULT '[]'::jsonb,
    crew_ai_state                   jsonb NOT NULL DEFAULT '{}'::jsonb,
    error_message                   text,
    temporal_workflow_id            text,
    temporal_run_id                 text,
    started_at                      timestamptz,
    completed_at                    timestamptz,
    created_at                      timestamptz NOT NULL DEFAULT now(),
    updated_at                      timestamptz NOT NULL DEFAULT now(),
    -- PHASE_STEPS['assessment']
    strategy_recommendation_completed boolean NOT NULL DEFAULT false,
    complexity_scoring_completed    boolean NOT NULL DEFAULT false,
    risk_scoring_completed          boolean NOT NULL DEFAULT false,
    cost_projection_completed       boolean NOT NULL DEFAULT false,
    -- assessment-specific
    assets_assessed                 integer NOT NULL DEFAULT 0,
    assets_undecided                integer NOT NULL DEFAULT 0,   -- assets no rule/agent could decide
    CONSTRAINT assessment_flows_flow_id_key UNIQUE (flow_id),
    CONSTRAINT assessment_flows_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    -- vocabulary: FLOW_STATUSES
    CONSTRAINT assessment_flows_status_check CHECK (status IN
        ('initialized', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled')),
    CONSTRAINT assessment_flows_progress_percentage_check CHECK (progress_percentage BETWEEN 0 AND 100),
    CONSTRAINT assessment_flows_phases_completed_check CHECK (jsonb_typeof(phases_completed) = 'array'),
    CONSTRAINT assessment_flows_crew_ai_state_check CHECK (jsonb_typeof(crew_ai_state) = 'object'),
    CONSTRAINT assessment_flows_completed_at_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at),
    CONSTRAINT assessment_flows_assets_assessed_check CHECK (assets_assessed >= 0),
    CONSTRAINT assessment_flows_assets_undecided_check CHECK (assets_undecided >= 0)
);

CREATE TABLE migration.planning_flows (
    id                              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id               uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id                   uuid NOT NULL,
    flow_id                         uuid NOT NULL,
    master_flow_id                  uuid NOT NULL REFERENCES migration.crewai_flow_state_extensions (flow_id),
    status                          text NOT NULL DEFAULT 'initialized',
    progress_percentage             double precision NOT NULL DEFAULT 0,
    current_phase                   varchar(100),
    phases_completed                jsonb NOT NULL DEFAULT '[]'::jsonb,
    crew_ai_state                   jsonb NOT NULL DEFAULT '{}'::jsonb,
    error_message                   text,
    temporal_workflow_id            text,
    temporal_run_id                 text,
    started_at                      timestamptz,
    completed_at                    timestamptz,
    created_at                      timestamptz NOT NULL DEFAULT now(),
    updated_at                      timestamptz NOT NULL DEFAULT now(),
    -- PHASE_STEPS['planning']
    move_groups_completed           boolean NOT NULL DEFAULT false,
    wave_planning_completed         boolean NOT NULL DEFAULT false,
    timeline_completed              boolean NOT NULL DEFAULT false,
    cost_estimate_completed         boolean NOT NULL DEFAULT false,
    -- planning-specific
    move_groups_planned             integer NOT NULL DEFAULT 0,
    waves_planned                   integer NOT NULL DEFAULT 0,
    CONSTRAINT planning_flows_flow_id_key UNIQUE (flow_id),
    CONSTRAINT planning_flows_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    -- vocabulary: FLOW_STATUSES
    CONSTRAINT planning_flows_status_check CHECK (status IN
        ('initialized', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled')),
    CONSTRAINT planning_flows_progress_percentage_check CHECK (progress_percentage BETWEEN 0 AND 100),
    CONSTRAINT planning_flows_phases_completed_check CHECK (jsonb_typeof(phases_completed) = 'array'),
    CONSTRAINT planning_flows_crew_ai_state_check CHECK (jsonb_typeof(crew_ai_state) = 'object'),
    CONSTRAINT planning_flows_completed_at_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at),
    CONSTRAINT planning_flows_move_groups_planned_check CHECK (move_groups_planned >= 0),
    CONSTRAINT planning_flows_waves_planned_check CHECK (waves_planned >= 0)
);

CREATE TABLE migration.execution_flows (
    id                              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id               uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id                   uuid NOT NULL,
    flow_id                         uuid NOT NULL,
    master_flow_id                  uuid NOT NULL REFERENCES migration.crewai_flow_state_extensions (flow_id),
    status                          text NOT NULL DEFAULT 'initialized',
    progress_percentage             double precision NOT NULL DEFAULT 0,
    current_phase                   varchar(100),
    phases_completed                jsonb NOT NULL DEFAULT '[]'::jsonb,
    crew_ai_state                   jsonb NOT NULL DEFAULT '{}'::jsonb,
    error_message                   text,
    temporal_workflow_id            text,
    temporal_run_id                 text,
    started_at                      timestamptz,
    completed_at                    timestamptz,
    created_at                      timestamptz NOT NULL DEFAULT now(),
    updated_at                      timestamptz NOT NULL DEFAULT now(),
    -- PHASE_STEPS['execution']
    runbook_preparation_completed   boolean NOT NULL DEFAULT false,
    wave_execution_completed        boolean NOT NULL DEFAULT false,
    validation_completed            boolean NOT NULL DEFAULT false,
    -- execution-specific
    assets_migrated                 integer NOT NULL DEFAULT 0,
    assets_failed                   integer NOT NULL DEFAULT 0,
    waves_completed                 integer NOT NULL DEFAULT 0,
    CONSTRAINT execution_flows_flow_id_key UNIQUE (flow_id),
    CONSTRAINT execution_flows_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    -- vocabulary: FLOW_STATUSES
    CONSTRAINT execution_flows_status_check CHECK (status IN
        ('initialized', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled')),
    CONSTRAINT execution_flows_progress_percentage_check CHECK (progress_percentage BETWEEN 0 AND 100),
    CONSTRAINT execution_flows_phases_completed_check CHECK (jsonb_typeof(phases_completed) = 'array'),
    CONSTRAINT execution_flows_crew_ai_state_check CHECK (jsonb_typeof(crew_ai_state) = 'object'),
    CONSTRAINT execution_flows_completed_at_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at),
    CONSTRAINT execution_flows_assets_migrated_check CHECK (assets_migrated >= 0),
    CONSTRAINT execution_flows_assets_failed_check CHECK (assets_failed >= 0),
    CONSTRAINT execution_flows_waves_completed_check CHECK (waves_completed >= 0)
);

-- Indexes and triggers, identical for the four phase tables.
CREATE INDEX ix_discovery_flows_client_engagement ON migration.discovery_flows (client_account_id, engagement_id);
CREATE INDEX ix_discovery_flows_master_flow_id ON migration.discovery_flows (master_flow_id);
CREATE INDEX ix_discovery_flows_phases_completed ON migration.discovery_flows USING gin (phases_completed);
CREATE INDEX ix_discovery_flows_crew_ai_state ON migration.discovery_flows USING gin (crew_ai_state jsonb_path_ops);
CREATE TRIGGER discovery_flows_touch_updated_at
    BEFORE UPDATE ON migration.discovery_flows
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

CREATE INDEX ix_assessment_flows_client_engagement ON migration.assessment_flows (client_account_id, engagement_id);
CREATE INDEX ix_assessment_flows_master_flow_id ON migration.assessment_flows (master_flow_id);
CREATE INDEX ix_assessment_flows_phases_completed ON migration.assessment_flows USING gin (phases_completed);
CREATE INDEX ix_assessment_flows_crew_ai_state ON migration.assessment_flows USING gin (crew_ai_state jsonb_path_ops);
CREATE TRIGGER assessment_flows_touch_updated_at
    BEFORE UPDATE ON migration.assessment_flows
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

CREATE INDEX ix_planning_flows_client_engagement ON migration.planning_flows (client_account_id, engagement_id);
CREATE INDEX ix_planning_flows_master_flow_id ON migration.planning_flows (master_flow_id);
CREATE INDEX ix_planning_flows_phases_completed ON migration.planning_flows USING gin (phases_completed);
CREATE INDEX ix_planning_flows_crew_ai_state ON migration.planning_flows USING gin (crew_ai_state jsonb_path_ops);
CREATE TRIGGER planning_flows_touch_updated_at
    BEFORE UPDATE ON migration.planning_flows
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

CREATE INDEX ix_execution_flows_client_engagement ON migration.execution_flows (client_account_id, engagement_id);
CREATE INDEX ix_execution_flows_master_flow_id ON migration.execution_flows (master_flow_id);
CREATE INDEX ix_execution_flows_phases_completed ON migration.execution_flows USING gin (phases_completed);
CREATE INDEX ix_execution_flows_crew_ai_state ON migration.execution_flows USING gin (crew_ai_state jsonb_path_ops);
CREATE TRIGGER execution_flows_touch_updated_at
    BEFORE UPDATE ON migration.execution_flows
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- migration.flows: every phase flow in one relation (the seed's base_flows idea without table
-- inheritance, which would lose unique constraints and foreign keys across children).
-- security_invoker: the caller's privileges and row-level security of the phase tables apply.
-- step_flags turns the phase's boolean flags into {"<step>": true|false} in PHASE_STEPS order.
-- ---------------------------------------------------------------------------------------------
CREATE VIEW migration.flows WITH (security_invoker = true) AS
SELECT f.id, f.flow_id, f.master_flow_id, f.client_account_id, f.engagement_id,
       'discovery'::text AS phase,
       f.status, f.progress_percentage, f.current_phase, f.phases_completed, f.crew_ai_state,
       f.error_message, f.temporal_workflow_id, f.temporal_run_id,
       jsonb_build_object(
           'data_import', f.data_import_completed,
           'attribute_mapping', f.attribute_mapping_completed,
           'data_cleansing', f.data_cleansing_completed,
           'inventory', f.inventory_completed,
           'dependency_analysis', f.dependency_analysis_completed,
           'tech_debt_analysis', f.tech_debt_analysis_completed) AS step_flags,
       f.started_at, f.completed_at, f.created_at, f.updated_at
FROM migration.discovery_flows f
UNION ALL
SELECT f.id, f.flow_id, f.master_flow_id, f.client_account_id, f.engagement_id,
       'assessment'::text AS phase,
       f.status, f.progress_percentage, f.current_phase, f.phases_completed, f.crew_ai_state,
       f.error_message, f.temporal_workflow_id, f.temporal_run_id,
       jsonb_build_object(
           'strategy_recommendation', f.strategy_recommendation_completed,
           'complexity_scoring', f.complexity_scoring_completed,
           'risk_scoring', f.risk_scoring_completed,
           'cost_projection', f.cost_projection_completed) AS step_flags,
       f.started_at, f.completed_at, f.created_at, f.updated_at
FROM migration.assessment_flows f
UNION ALL
SELECT f.id, f.flow_id, f.master_flow_id, f.client_account_id, f.engagement_id,
       'planning'::text AS phase,
       f.status, f.progress_percentage, f.current_phase, f.phases_completed, f.crew_ai_state,
       f.error_message, f.temporal_workflow_id, f.temporal_run_id,
       jsonb_build_object(
           'move_groups', f.move_groups_completed,
           'wave_planning', f.wave_planning_completed,
           'timeline', f.timeline_completed,
           'cost_estimate', f.cost_estimate_completed) AS step_flags,
       f.started_at, f.completed_at, f.created_at, f.updated_at
FROM migration.planning_flows f
UNION ALL
SELECT f.id, f.flow_id, f.master_flow_id, f.client_account_id, f.engagement_id,
       'execution'::text AS phase,
       f.status, f.progress_percentage, f.current_phase, f.phases_completed, f.crew_ai_state,
       f.error_message, f.temporal_workflow_id, f.temporal_run_id,
       jsonb_build_object(
           'runbook_preparation', f.runbook_preparation_completed,
           'wave_execution', f.wave_execution_completed,
           'validation', f.validation_completed) AS step_flags,
       f.started_at, f.completed_at, f.created_at, f.updated_at
FROM migration.execution_flows f;

COMMENT ON VIEW migration.flows IS
    'All phase flows (UNION ALL of the four phase tables) with a phase column; security_invoker, read-only.';

-- ---------------------------------------------------------------------------------------------
-- Privileges of the application role.
-- ---------------------------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.crewai_flow_state_extensions TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.discovery_flows TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.assessment_flows TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.planning_flows TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.execution_flows TO migration_app;
GRANT SELECT ON migration.flows TO migration_app;
