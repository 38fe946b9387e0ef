-- 0005_learning_and_logs: agent_learning_patterns (agents' knowledge base with 1536-dimension
-- pgvector embeddings and an HNSW cosine index), the high-volume logs partitioned by created_at
-- (llm_usage_log monthly, agent_task_history weekly, security_audit_logs monthly), each with a
-- DEFAULT partition so no insert is ever lost, and migration.ensure_partitions(), which creates
-- upcoming partitions (moving rows that already landed in the default partition). Ends by
-- creating partitions from last month onwards.

-- ---------------------------------------------------------------------------------------------
-- agent_learning_patterns. engagement_id NULL = a client-wide pattern (scope 'client'/'global');
-- the composite engagement FK is simply not checked then (MATCH SIMPLE).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.agent_learning_patterns (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid,
    master_flow_id    uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
    insight_type      text NOT NULL,
    scope             text NOT NULL,
    pattern_key       text,
    pattern_value     jsonb,
    embedding         public.vector(1536) NOT NULL,
    embedding_model   text NOT NULL,        -- which embedder produced the (padded/projected) vector
    raw_evidence      jsonb NOT NULL,
    confidence_score  double precision NOT NULL,
    discovered_by     text,                 -- agent or rule that found the pattern
    validated         boolean NOT NULL DEFAULT false,
    applied_count     integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    last_applied_at   timestamptz,
    CONSTRAINT agent_learning_patterns_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    -- vocabulary: INSIGHT_TYPES
    CONSTRAINT agent_learning_patterns_insight_type_check CHECK (insight_type IN
        ('field_mapping_suggestion', 'risk_pattern', 'optimization_opportunity', 'anomaly_detection',
         'workflow_improvement')),
    -- vocabulary: LEARNING_SCOPES (new)
    CONSTRAINT agent_learning_patterns_scope_check CHECK (scope IN ('engagement', 'client', 'global')),
    -- an engagement-scoped pattern names its engagement; a wider one must not (RLS shows
    -- engagement_id IS NULL rows to every engagement of the client)
    CONSTRAINT agent_learning_patterns_scope_engagement_check
        CHECK ((scope = 'engagement') = (engagement_id IS NOT NULL)),
    CONSTRAINT agent_learning_patterns_embedding_model_check CHECK (length(btrim(embedding_model)) > 0),
    CONSTRAINT agent_learning_patterns_confidence_score_check CHECK (confidence_score BETWEEN 0 AND 1),
    CONSTRAINT agent_learning_patterns_applied_count_check CHECK (applied_count >= 0)
);

CREATE INDEX ix_agent_learning_patterns_client_engagement
    ON migration.agent_learning_patterns (client_account_id, engagement_id);
CREATE INDEX ix_agent_learning_patterns_master_flow_id ON migration.agent_learning_patterns (master_flow_id)
    WHERE master_flow_id IS NOT NULL;
CREATE INDEX ix_agent_learning_patterns_client_insight_key
    ON migration.agent_learning_patterns (client_account_id, insight_type, pattern_key);
-- Approximate nearest neighbours by cosine distance (ORDER BY embedding <=> $1). HNSW builds on
-- an empty table; ivfflat would need data to train its lists.
CREATE INDEX ix_agent_learning_patterns_embedding
    ON migration.agent_learning_patterns USING hnsw (embedding public.vector_cosine_ops);

CREATE TRIGGER agent_learning_patterns_touch_updated_at
    BEFORE UPDATE ON migration.agent_learning_patterns
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Partitioned logs: PARTITION BY RANGE (created_at); the partition key is part of the primary
-- key. Partition bounds are UTC month/ISO-week boundaries (see ensure_partitions).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.llm_usage_log (
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    master_flow_id    uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
    agent_name        text,
    model             text NOT NULL,
    provider          text NOT NULL,
    prompt_tokens     integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    cost_usd          numeric(14, 6) NOT NULL DEFAULT 0,
    latency_ms        integer,
    success           boolean NOT NULL,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT llm_usage_log_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT llm_usage_log_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT llm_usage_log_prompt_tokens_check CHECK (prompt_tokens >= 0),
    CONSTRAINT llm_usage_log_completion_tokens_check CHECK (completion_tokens >= 0),
    CONSTRAINT llm_usage_log_cost_usd_check CHECK (cost_usd >= 0),
    CONSTRAINT llm_usage_log_latency_ms_check CHECK (latency_ms >= 0)
) PARTITION BY RANGE (created_at);

CREATE TABLE migration.llm_usage_log_default PARTITION OF migration.llm_usage_log DEFAULT;

CREATE INDEX ix_llm_usage_log_client_engagement ON migration.llm_usage_log (client_account_id, engagement_id);
CREATE INDEX ix_llm_usage_log_master_flow_id ON migration.llm_usage_log (master_flow_id)
    WHERE master_flow_id IS NOT NULL;

CREATE TABLE migration.agent_task_history (
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    master_flow_id    uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
    agent_name        text NOT NULL,
    task_name         text NOT NULL,
    status            text NOT NULL,
    input_summary     jsonb,
    output_summary    jsonb,
    error_message     text,
    duration_ms       integer,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agent_task_history_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT agent_task_history_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT agent_task_history_duration_ms_check CHECK (duration_ms >= 0)
) PARTITION BY RANGE (created_at);

CREATE TABLE migration.agent_task_history_default PARTITION OF migration.agent_task_history DEFAULT;

CREATE INDEX ix_agent_task_history_client_engagement
    ON migration.agent_task_history (client_account_id, engagement_id);
CREATE INDEX ix_agent_task_history_master_flow_id ON migration.agent_task_history (master_flow_id)
    WHERE master_flow_id IS NOT NULL;

-- security_audit_logs: append-only (the application role gets SELECT and INSERT only).
-- engagement_id NULL = a client-level row. No FK on engagement_id and actor_user_id: audit
-- rows outlive the engagements and users they mention.
CREATE TABLE migration.security_audit_logs (
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid,
    actor_user_id     uuid,
    operation         text NOT NULL,
    table_name        text NOT NULL,
    row_id            uuid,
    changes           jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT security_audit_logs_pkey PRIMARY KEY (id, created_at),
    -- vocabulary: AUDIT_OPERATIONS
    CONSTRAINT security_audit_logs_operation_check CHECK (operation IN ('insert', 'update', 'delete'))
) PARTITION BY RANGE (created_at);

CREATE TABLE migration.security_audit_logs_default PARTITION OF migration.security_audit_logs DEFAULT;

CREATE INDEX ix_security_audit_logs_client_engagement
    ON migration.security_audit_logs (client_account_id, engagement_id);
CREATE INDEX ix_security_audit_logs_table_row ON migration.security_audit_logs (table_name, row_id);

-- ---------------------------------------------------------------------------------------------
-- ensure_partitions(p_table, p_from, p_count): create the p_count consecutive partitions of
-- p_table starting with the period containing p_from; return how many were created.
--   monthly  (llm_usage_log, security_audit_logs): <table>_pYYYYMM
--   weekly   (agent_task_history, ISO weeks from Monday): <table>_pYYYY_wWW (ISO year and week)
-- Bounds are UTC midnights. Existing partitions are skipped, so it is idempotent. Rows that
-- already fell into <table>_default for a new partition's range are moved: copied to a temp
-- table, deleted from the default, the partition is created, and they are re-inserted through
-- the parent. SECURITY DEFINER: it always runs as migration_owner (the tables' owner), so the
-- application's worker may call it on a schedule; the input is validated, identifiers quoted.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.ensure_partitions(p_table text, p_from date, p_count integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $$
DECLARE
    v_weekly    boolean;
    v_default   text;
    v_columns   text;
    v_start     date;
    v_end       date;
    v_lower     text;
    v_upper     text;
    v_name      text;
    v_has_rows  boolean;
    v_created   integer := 0;
BEGIN
    v_weekly := CASE p_table
                    WHEN 'llm_usage_log' THEN false
                    WHEN 'security_audit_logs' THEN false
                    WHEN 'agent_task_history' THEN true
                END;
    IF v_weekly IS NULL THEN
        RAISE EXCEPTION 'ensure_partitions: unknown table %; expected llm_usage_log, agent_task_history or security_audit_logs',
            coalesce(quote_literal(p_table), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_from IS NULL THEN
        RAISE EXCEPTION 'ensure_partitions: p_from must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_count IS NULL OR p_count < 0 OR p_count > 520 THEN
        RAISE EXCEPTION 'ensure_partitions: p_count must be between 0 and 520, got %', coalesce(p_count::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Concurrent callers take turns (the existence checks below are then race-free).
    PERFORM pg_advisory_xact_lock(hashtext('migration.ensure_partitions'));

    v_default := p_table || '_default';
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
      INTO v_columns
      FROM pg_attribute a
     WHERE a.attrelid = format('migration.%I', p_table)::regclass
       AND a.attnum > 0
       AND NOT a.attisdropped
       AND a.attgenerated = '';

    v_start := CASE WHEN v_weekly THEN date_trunc('week', p_from)::date
                    ELSE date_trunc('month', p_from)::date END;

    FOR i IN 1 .. p_count LOOP
        v_end := CASE WHEN v_weekly THEN v_start + 7
                      ELSE (v_start + interval '1 month')::date END;
        v_name := p_table || CASE WHEN v_weekly
                                  THEN '_p' || to_char(v_start, 'IYYY') || '_w' || to_char(v_start, 'IW')
                                  ELSE '_p' || to_char(v_start, 'YYYYMM') END;
        v_lower := to_char(v_start, 'YYYY-MM-DD') || ' 00:00:00+00';
        v_upper := to_char(v_end, 'YYYY-MM-DD') || ' 00:00:00+00';

        IF to_regclass(format('migration.%I', v_name)) IS NULL THEN
            EXECUTE format(
                'SELECT EXISTS (SELECT 1 FROM migration.%I WHERE created_at >= %L::timestamptz AND created_at < %L::timestamptz)',
                v_default, v_lower, v_upper)
               INTO v_has_rows;

            IF v_has_rows THEN
                EXECUTE format('CREATE TEMP TABLE ensure_partitions_moving (LIKE migration.%I) ON COMMIT DROP', p_table);
                EXECUTE format(
                    'WITH moved AS (DELETE FROM migration.%I WHERE created_at >= %L::timestamptz AND created_at < %L::timestamptz RETURNING %s) '
                    'INSERT INTO pg_temp.ensure_partitions_moving (%s) SELECT %s FROM moved',
                    v_default, v_lower, v_upper, v_columns, v_columns, v_columns);
            END IF;

            EXECUTE format('CREATE TABLE migration.%I PARTITION OF migration.%I FOR VALUES FROM (%L) TO (%L)',
                           v_name, p_table, v_lower, v_upper);
            v_created := v_created + 1;

            IF v_has_rows THEN
                EXECUTE format('INSERT INTO migration.%I (%s) SELECT %s FROM pg_temp.ensure_partitions_moving',
                               p_table, v_columns, v_columns);
                DROP TABLE pg_temp.ensure_partitions_moving;
            END IF;
        END IF;

        v_start := v_end;
    END LOOP;

    RETURN v_created;
END
$$;

REVOKE ALL ON FUNCTION migration.ensure_partitions(text, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.ensure_partitions(text, date, integer) TO migration_app;

-- ---------------------------------------------------------------------------------------------
-- Privileges of the application role: on the parents only, never on partitions.
-- ---------------------------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.agent_learning_patterns TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.llm_usage_log TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.agent_task_history TO migration_app;
GRANT SELECT ON migration.security_audit_logs TO migration_app;   -- written only by the audit trigger

-- ---------------------------------------------------------------------------------------------
-- Initial partitions, from the period containing (today - 1 month): monthly tables get last
-- month, this month and 4 months ahead (6); the weekly table gets the up to 5 weeks since then,
-- this week and 4 weeks ahead (10). Later periods are created by calling ensure_partitions on
-- a schedule; anything not yet covered lands in the default partition and is moved later.
-- ---------------------------------------------------------------------------------------------
SELECT migration.ensure_partitions('llm_usage_log', (current_date - interval '1 month')::date, 6);
SELECT migration.ensure_partitions('agent_task_history', (current_date - interval '1 month')::date, 10);
SELECT migration.ensure_partitions('security_audit_logs', (current_date - interval '1 month')::date, 6);
