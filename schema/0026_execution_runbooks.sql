-- 0026_execution_runbooks: execution runs migration waves as runbooks (ADR 0018).
--
-- * runbook_templates: an engagement's own runbook templates, imported by a person (the bundled defaults live
--   with the code); each import is the strategy's next version, the newest wins.
-- * wave_runbooks: one per run of a wave (a wave rolled back and run again gets run_number + 1), with the
--   templates it used, its cutover window and its status.
-- * runbook_steps: the steps of a wave runbook, copied from its templates when the run opens (forward steps
--   and the compensating steps that roll them back).
-- * step_runs: one per step and workload (the wave itself, one of its applications, or one of its assets):
--   status, attempts, the person who acted, evidence, approvals, findings, a bounded output excerpt, the error.
--   Written only by idempotent worker activities; the wave's workflow decides (DESIGN contract 1).
-- * execution_notifications: an outbox of webhook notifications, written in the transaction of what they
--   announce and sent (retried) by the workflow's notification activity.
-- Tenant columns, forced row-level security, audit and people's reads as every tenant table (0006, 0007, 0024).

CREATE TABLE migration.runbook_templates (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    strategy          text NOT NULL,
    version           integer NOT NULL,
    name              text NOT NULL,
    body              jsonb NOT NULL,
    imported_by       uuid REFERENCES migration.users (id) DEFAULT migration.person_id(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT runbook_templates_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT runbook_templates_engagement_strategy_version_key UNIQUE (engagement_id, strategy, version),
    -- vocabulary: RUNBOOK_STRATEGIES
    CONSTRAINT runbook_templates_strategy_check CHECK (strategy IN
        ('rehost', 'replatform', 'refactor', 'repurchase', 'retire', 'relocate', 'rewrite')),
    CONSTRAINT runbook_templates_version_check CHECK (version >= 1),
    CONSTRAINT runbook_templates_body_check CHECK (jsonb_typeof(body) = 'object'),
    CONSTRAINT runbook_templates_body_size_check CHECK (pg_column_size(body) <= 262144)
);

CREATE TABLE migration.wave_runbooks (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    execution_flow_id uuid REFERENCES migration.execution_flows (flow_id),
    wave_number       integer NOT NULL,
    run_number        integer NOT NULL,
    status            text NOT NULL DEFAULT 'running',
    templates         jsonb NOT NULL DEFAULT '{}'::jsonb,   -- strategy -> {name, version, source}
    cutover_start     timestamptz,
    cutover_end       timestamptz,
    workload_limit    integer NOT NULL DEFAULT 10,          -- step runs of this wave in flight at once
    abort_reason      text,
    aborted_by        uuid REFERENCES migration.users (id),
    started_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wave_runbooks_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT wave_runbooks_engagement_wave_run_key UNIQUE (engagement_id, wave_number, run_number),
    CONSTRAINT wave_runbooks_run_number_check CHECK (run_number >= 1),
    -- vocabulary: RUNBOOK_STATUSES
    CONSTRAINT wave_runbooks_status_check CHECK (status IN
        ('running', 'paused', 'aborting', 'rolling_back', 'completed', 'rolled_back', 'cancelled')),
    CONSTRAINT wave_runbooks_templates_check CHECK (jsonb_typeof(templates) = 'object'),
    CONSTRAINT wave_runbooks_workload_limit_check CHECK (workload_limit BETWEEN 1 AND 1000),
    CONSTRAINT wave_runbooks_cutover_check
        CHECK (cutover_end IS NULL OR cutover_start IS NULL OR cutover_end > cutover_start)
);

CREATE TABLE migration.runbook_steps (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    runbook_id        uuid NOT NULL REFERENCES migration.wave_runbooks (id) ON DELETE CASCADE,
    strategy          text NOT NULL,
    direction         text NOT NULL DEFAULT 'forward',
    step_key          text NOT NULL,
    title             text NOT NULL,
    step_type         text NOT NULL,
    group_index       integer NOT NULL,
    group_name        text NOT NULL,
    scope             text NOT NULL,
    position          integer NOT NULL,                     -- the step's order in its template
    needs             text[] NOT NULL DEFAULT '{}',
    spec              jsonb NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT runbook_steps_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT runbook_steps_runbook_step_key UNIQUE (runbook_id, strategy, step_key, direction),
    -- vocabulary: STEP_DIRECTIONS
    CONSTRAINT runbook_steps_direction_check CHECK (direction IN ('forward', 'rollback')),
    -- vocabulary: STEP_TYPES
    CONSTRAINT runbook_steps_step_type_check CHECK (step_type IN
        ('automated', 'manual', 'approval', 'validation', 'smoke_test', 'wait', 'notify')),
    -- vocabulary: STEP_SCOPES
    CONSTRAINT runbook_steps_scope_check CHECK (scope IN ('wave', 'application', 'asset')),
    CONSTRAINT runbook_steps_spec_check CHECK (jsonb_typeof(spec) = 'object')
);

CREATE TABLE migration.step_runs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    runbook_id        uuid NOT NULL REFERENCES migration.wave_runbooks (id) ON DELETE CASCADE,
    step_id           uuid NOT NULL REFERENCES migration.runbook_steps (id) ON DELETE CASCADE,
    workload_key      text NOT NULL,                        -- 'wave', an application's name, or an asset id
    asset_id          uuid REFERENCES migration.assets (id) ON DELETE SET NULL,
    application_name  text,
    status            text NOT NULL DEFAULT 'not_started',
    attempts          integer NOT NULL DEFAULT 0,
    generation        integer NOT NULL DEFAULT 1,           -- a completed step run again on request: + 1
    idempotency_key   text NOT NULL,
    ready_at          timestamptz,                          -- when its predecessors were done
    next_attempt_at   timestamptz,                          -- a retry's back-off, a wait's end, a re-check
    actor             uuid REFERENCES migration.users (id),
    note              text,
    evidence          jsonb NOT NULL DEFAULT '{}'::jsonb,
    change_reference  text,
    approvals         jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{person, decision, role, at, note}]
    findings          jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{severity, check, message}]
    output_excerpt    text,
    error             text,
    escalated_at      timestamptz,
    started_at        timestamptz,
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT step_runs_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT step_runs_step_workload_key UNIQUE (step_id, workload_key),
    -- vocabulary: STEP_RUN_STATUSES
    CONSTRAINT step_runs_status_check CHECK (status IN
        ('not_started', 'in_progress', 'waiting', 'awaiting_person', 'pending_approval', 'completed', 'failed',
         'skipped', 'abandoned')),
    CONSTRAINT step_runs_attempts_check CHECK (attempts >= 0),
    CONSTRAINT step_runs_generation_check CHECK (generation >= 1),
    CONSTRAINT step_runs_evidence_check CHECK (jsonb_typeof(evidence) = 'object' AND pg_column_size(evidence) <= 8192),
    CONSTRAINT step_runs_approvals_check CHECK (jsonb_typeof(approvals) = 'array'),
    CONSTRAINT step_runs_findings_check CHECK (jsonb_typeof(findings) = 'array' AND pg_column_size(findings) <= 65536),
    CONSTRAINT step_runs_output_excerpt_check CHECK (length(output_excerpt) <= 8192),
    CONSTRAINT step_runs_error_check CHECK (length(error) <= 2000),
    CONSTRAINT step_runs_note_check CHECK (length(note) <= 2000),
    CONSTRAINT step_runs_change_reference_check CHECK (length(change_reference) <= 200)
);

CREATE TABLE migration.execution_notifications (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    runbook_id        uuid REFERENCES migration.wave_runbooks (id) ON DELETE CASCADE,
    kind              text NOT NULL,
    dedupe_key        text NOT NULL,                        -- what it announces: written once however often
    payload           jsonb NOT NULL,
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text,
    sent_at           timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT execution_notifications_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT execution_notifications_dedupe_key UNIQUE (engagement_id, dedupe_key),
    -- vocabulary: NOTIFICATION_KINDS
    CONSTRAINT execution_notifications_kind_check CHECK (kind IN
        ('waiting_for_person', 'step_failed', 'approval_escalated', 'wave_completed', 'wave_rolled_back',
         'notify_step')),
    CONSTRAINT execution_notifications_payload_check CHECK (jsonb_typeof(payload) = 'object')
);

CREATE INDEX ix_runbook_templates_client_engagement ON migration.runbook_templates (client_account_id, engagement_id);
CREATE INDEX ix_wave_runbooks_client_engagement ON migration.wave_runbooks (client_account_id, engagement_id);
CREATE INDEX ix_runbook_steps_runbook_id ON migration.runbook_steps (runbook_id);
CREATE INDEX ix_runbook_steps_client_engagement ON migration.runbook_steps (client_account_id, engagement_id);
CREATE INDEX ix_step_runs_runbook_status ON migration.step_runs (runbook_id, status);
CREATE INDEX ix_step_runs_client_engagement ON migration.step_runs (client_account_id, engagement_id);
CREATE INDEX ix_step_runs_asset_id ON migration.step_runs (asset_id) WHERE asset_id IS NOT NULL;
CREATE INDEX ix_execution_notifications_unsent ON migration.execution_notifications (runbook_id)
    WHERE sent_at IS NULL;
CREATE INDEX ix_execution_notifications_client_engagement
    ON migration.execution_notifications (client_account_id, engagement_id);

-- A wave can be rolled back, and an asset can end rolled back.
ALTER TABLE migration.migration_waves DROP CONSTRAINT migration_waves_status_check;
-- vocabulary: WAVE_STATUSES
ALTER TABLE migration.migration_waves ADD CONSTRAINT migration_waves_status_check CHECK (status IN
    ('planned', 'scheduled', 'in_progress', 'completed', 'failed', 'cancelled', 'rolled_back'));
ALTER TABLE migration.assets DROP CONSTRAINT assets_migration_status_check;
-- vocabulary: MIGRATION_STATUSES
ALTER TABLE migration.assets ADD CONSTRAINT assets_migration_status_check CHECK (migration_status IN
    ('not_started', 'assessed', 'planned', 'in_progress', 'migrated', 'failed', 'skipped', 'rolled_back'));

-- People's execution requests: completing a manual step and retrying need the edit right, the rest decide.
ALTER TABLE migration.person_requests DROP CONSTRAINT person_requests_kind_check;
-- vocabulary: REQUEST_KINDS
ALTER TABLE migration.person_requests ADD CONSTRAINT person_requests_kind_check CHECK (kind IN
    ('launch', 'approve', 'reject', 'rollback', 'pause', 'resume', 'cancel', 'mapping_review',
     'step_complete', 'step_retry', 'step_approve', 'step_reject', 'step_skip', 'workload_abandon', 'wave_abort',
     'wave_pause', 'wave_resume', 'wave_start'));
CREATE OR REPLACE FUNCTION migration.request_right(p_kind text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_kind IN ('mapping_review', 'step_complete', 'step_retry') THEN 'edit' ELSE 'decide' END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT unnest(ARRAY['runbook_templates', 'wave_runbooks', 'runbook_steps', 'step_runs',
                                 'execution_notifications']) AS relname
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_touch_updated_at BEFORE UPDATE ON migration.%1$I '
                       'FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at()', t.relname);
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON migration.%I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes()', t.relname);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON migration.%I '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes()', t.relname);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON migration.%I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes()', t.relname);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON migration.%I TO migration_app', t.relname);
        EXECUTE format('ALTER TABLE migration.%I ENABLE ROW LEVEL SECURITY', t.relname);
        EXECUTE format('ALTER TABLE migration.%I FORCE ROW LEVEL SECURITY', t.relname);
        EXECUTE format('CREATE POLICY tenant_isolation ON migration.%I FOR ALL TO migration_app USING (%2$s) '
                       'WITH CHECK (%2$s)', t.relname,
                       'client_account_id = migration.current_client_id() '
                       'AND engagement_id = migration.current_engagement_id()');
        EXECUTE format('GRANT SELECT ON migration.%I TO migration_person', t.relname);
        EXECUTE format(
            'CREATE POLICY person_read ON migration.%I FOR SELECT TO migration_person USING ('
            'client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id()'
            ' AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),'
            ' ''read'')))', t.relname);
    END LOOP;
END
$$;

-- A person with the decide right imports a template as themselves; templates are never rewritten.
GRANT INSERT (client_account_id, engagement_id, strategy, version, name, body, imported_by)
    ON migration.runbook_templates TO migration_person;
CREATE POLICY person_import ON migration.runbook_templates FOR INSERT TO migration_person
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id()
                AND imported_by = (SELECT migration.person_id())
                AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),
                                                 'decide')));
