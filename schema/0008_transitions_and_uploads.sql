-- 0008_transitions_and_uploads: the transition journal that makes flow-state changes idempotent
-- (flow_transitions, one row per flow id and sequence number), approval records (phase_approvals),
-- uploaded inventory files (import_file_chunks), the cleansing/de-duplication columns of the
-- import pipeline, move groups, apply_phase_transition() and the tenant directory functions.

-- ---------------------------------------------------------------------------------------------
-- flow_transitions: every flow-state change, claimed before it is applied.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.flow_transitions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    master_flow_id    uuid NOT NULL REFERENCES migration.crewai_flow_state_extensions (flow_id),
    flow_id           uuid NOT NULL,          -- the master's or a phase flow's id: whose sequence this is
    seq               integer NOT NULL,
    event             text NOT NULL,
    phase             text,
    step              text,
    payload           jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at       timestamptz NOT NULL,   -- workflow time of the change
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT flow_transitions_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT flow_transitions_flow_id_seq_key UNIQUE (flow_id, seq),
    CONSTRAINT flow_transitions_seq_check CHECK (seq > 0),
    -- vocabulary: TRANSITION_EVENTS
    CONSTRAINT flow_transitions_event_check CHECK (event IN
        ('flow_started', 'phase_started', 'step_completed', 'phase_completed', 'awaiting_approval',
         'approved', 'rejected', 'rolled_back', 'paused', 'resumed', 'cancelled', 'failed',
         'flow_completed')),
    -- vocabulary: PHASES
    CONSTRAINT flow_transitions_phase_check CHECK (phase IN ('discovery', 'assessment', 'planning', 'execution'))
);
CREATE INDEX ix_flow_transitions_client_engagement ON migration.flow_transitions (client_account_id, engagement_id);
CREATE INDEX ix_flow_transitions_master_flow_id ON migration.flow_transitions (master_flow_id);

-- ---------------------------------------------------------------------------------------------
-- phase_approvals: who approved or rejected which phase, when, and why.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.phase_approvals (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    master_flow_id    uuid NOT NULL REFERENCES migration.crewai_flow_state_extensions (flow_id),
    phase             text NOT NULL,
    phase_flow_id     uuid,
    decision          text NOT NULL,
    decided_by        uuid REFERENCES migration.users (id),
    comment           text,
    transition_id     uuid NOT NULL REFERENCES migration.flow_transitions (id),
    decided_at        timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT phase_approvals_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT phase_approvals_transition_id_key UNIQUE (transition_id),
    -- vocabulary: PHASES
    CONSTRAINT phase_approvals_phase_check CHECK (phase IN ('discovery', 'assessment', 'planning', 'execution')),
    -- vocabulary: APPROVAL_DECISIONS
    CONSTRAINT phase_approvals_decision_check CHECK (decision IN ('approved', 'rejected', 'auto_approved', 'rolled_back')),
    CONSTRAINT phase_approvals_decided_by_check CHECK (decision = 'auto_approved' OR decided_by IS NOT NULL)
);
CREATE INDEX ix_phase_approvals_client_engagement ON migration.phase_approvals (client_account_id, engagement_id);
CREATE INDEX ix_phase_approvals_master_flow_id ON migration.phase_approvals (master_flow_id);
CREATE INDEX ix_phase_approvals_decided_by ON migration.phase_approvals (decided_by) WHERE decided_by IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- import_file_chunks: the uploaded file's bytes, so a worker on any machine can read it.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.import_file_chunks (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    data_import_id    uuid NOT NULL REFERENCES migration.data_imports (id) ON DELETE CASCADE,
    chunk_no          integer NOT NULL,
    content           bytea NOT NULL,
    CONSTRAINT import_file_chunks_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT import_file_chunks_data_import_id_chunk_no_key UNIQUE (data_import_id, chunk_no),
    CONSTRAINT import_file_chunks_chunk_no_check CHECK (chunk_no >= 0)
);
CREATE INDEX ix_import_file_chunks_client_engagement
    ON migration.import_file_chunks (client_account_id, engagement_id);

-- ---------------------------------------------------------------------------------------------
-- Import pipeline columns: the file's header, cleansed values and the de-duplication key.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE migration.data_imports
    ADD COLUMN source_columns jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD CONSTRAINT data_imports_source_columns_check CHECK (jsonb_typeof(source_columns) = 'array');

ALTER TABLE migration.raw_import_records
    ADD COLUMN cleansed_data jsonb,
    ADD COLUMN cleansing_changes jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN natural_key text;
CREATE INDEX ix_raw_import_records_import_natural_key
    ON migration.raw_import_records (data_import_id, natural_key) WHERE natural_key IS NOT NULL;

-- natural_key: 'ext:<external id>', 'host:<hostname>' or 'name:<name>' (domain.cleansing.natural_key)
ALTER TABLE migration.assets
    ADD COLUMN natural_key text,
    ADD COLUMN move_group text;
CREATE UNIQUE INDEX ux_assets_engagement_natural_key ON migration.assets (engagement_id, natural_key)
    WHERE natural_key IS NOT NULL;
CREATE INDEX ix_assets_engagement_move_group ON migration.assets (engagement_id, move_group)
    WHERE move_group IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- apply_phase_transition: one statement per transition on the phase's own table. The step flag
-- and the JSONB state change together. Phase and step are checked against the schema itself.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.apply_phase_transition(
    p_phase text, p_event text, p_client uuid, p_engagement uuid, p_master_flow_id uuid,
    p_flow_id uuid, p_step text, p_status text, p_progress double precision, p_state jsonb,
    p_error text, p_at timestamptz, p_workflow_id text
) RETURNS void
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    v_table text;
    v_flag_set text := '';
BEGIN
    IF p_phase NOT IN ('discovery', 'assessment', 'planning', 'execution') THEN
        RAISE EXCEPTION 'unknown phase %', p_phase USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_table := p_phase || '_flows';
    IF p_event = 'phase_started' THEN
        EXECUTE format(
            'INSERT INTO migration.%I (client_account_id, engagement_id, flow_id, master_flow_id, status,'
            ' started_at, temporal_workflow_id) VALUES ($1, $2, $3, $4, ''running'', $5, $6)'
            ' ON CONFLICT (flow_id) DO NOTHING', v_table)
        USING p_client, p_engagement, p_flow_id, p_master_flow_id, p_at, p_workflow_id;
        RETURN;
    END IF;
    IF p_step IS NOT NULL THEN
        IF NOT EXISTS (
            SELECT 1 FROM pg_attribute
            WHERE attrelid = format('migration.%I', v_table)::regclass
              AND attname = p_step || '_completed' AND NOT attisdropped
        ) THEN
            RAISE EXCEPTION 'phase % has no step %', p_phase, p_step USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_flag_set := format('%I = true, current_phase = $7, phases_completed = CASE WHEN phases_completed ? $7'
                             ' THEN phases_completed ELSE phases_completed || to_jsonb($7) END, ',
                             p_step || '_completed');
    END IF;
    EXECUTE format(
        'UPDATE migration.%I SET %s status = coalesce($2, status),'
        ' progress_percentage = coalesce($3, progress_percentage),'
        ' crew_ai_state = crew_ai_state || $4, error_message = coalesce($5, error_message),'
        ' completed_at = CASE WHEN $2 IN (''completed'', ''failed'', ''cancelled'') THEN $6 ELSE completed_at END'
        ' WHERE flow_id = $1', v_table, v_flag_set)
    USING p_flow_id, p_status, p_progress, coalesce(p_state, '{}'::jsonb), p_error, p_at, p_step;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Tenant directory: how a caller with no tenant context finds the tenant it must enter. Returns
-- names and ids only, never tenant data. SECURITY DEFINER (owner) with a read policy for the owner.
-- ---------------------------------------------------------------------------------------------
CREATE POLICY directory_read ON migration.client_accounts FOR SELECT TO migration_owner USING (true);
CREATE POLICY directory_read ON migration.engagements FOR SELECT TO migration_owner USING (true);

CREATE FUNCTION migration.client_directory()
RETURNS TABLE (id uuid, name text, slug text, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.id, c.name, c.slug, c.status FROM migration.client_accounts c
$$;

CREATE FUNCTION migration.engagement_directory(p_engagement_id uuid)
RETURNS TABLE (id uuid, client_account_id uuid, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.id, e.client_account_id, e.name FROM migration.engagements e WHERE e.id = p_engagement_id
$$;

REVOKE ALL ON FUNCTION migration.client_directory() FROM PUBLIC;
REVOKE ALL ON FUNCTION migration.engagement_directory(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.client_directory() TO migration_app;
GRANT EXECUTE ON FUNCTION migration.engagement_directory(uuid) TO migration_app;
GRANT EXECUTE ON FUNCTION migration.apply_phase_transition(text, text, uuid, uuid, uuid, uuid, text, text,
    double precision, jsonb, text, timestamptz, text) TO migration_app;

-- ---------------------------------------------------------------------------------------------
-- Privileges, audit and row-level security of the new tenant tables.
-- ---------------------------------------------------------------------------------------------
GRANT SELECT, INSERT ON migration.flow_transitions TO migration_app;
GRANT SELECT, INSERT ON migration.phase_approvals TO migration_app;
GRANT SELECT, INSERT, DELETE ON migration.import_file_chunks TO migration_app;

CREATE TRIGGER phase_approvals_audit_insert AFTER INSERT ON migration.phase_approvals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();

ALTER TABLE migration.flow_transitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.flow_transitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.flow_transitions FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.phase_approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.phase_approvals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.phase_approvals FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id());

ALTER TABLE migration.import_file_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.import_file_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.import_file_chunks FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id());

-- A column no rule could map has no suggestion source.
ALTER TABLE migration.import_field_mappings ALTER COLUMN source DROP NOT NULL;
ALTER TABLE migration.import_field_mappings
    ADD CONSTRAINT import_field_mappings_unmapped_check CHECK (target_field IS NOT NULL OR status <> 'approved');
