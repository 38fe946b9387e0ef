-- 0031_retention_and_archive: what scheduled maintenance needs (docs/operations.md "Scheduled maintenance",
-- ADR 0023).
--
-- * retention_policies: a client's own retention of each partitioned log and its archive delay (NULL = the
--   platform default, a worker setting). Client administrators and platform administrators set them; audited.
-- * SECURITY DEFINER functions owned by migration_owner (the logs' owner; the partition_maintenance policies
--   of 0007 let it through forced row-level security) for what the application role may not do itself:
--   expired_log_partitions, log_partition_rows (the export), drop_log_partition (DETACH then DROP) and
--   purge_log_rows (a client's old rows; the application may not delete audit rows). None of them deletes
--   anything younger than MIN_RETENTION_DAYS (30 days, domain/maintenance.py), whatever the caller asks.
-- * engagements.archived_at: when an engagement was archived (status 'archived'). An archived engagement is
--   read-only: a trigger refuses any change of its row but the restore, and statement triggers refuse
--   launches, uploads, people's requests (approvals ...) and membership changes in its context. Only people with the manage right (owners,
--   client administrators) or platform administrators archive or restore one, and a person's login sets no other
--   status (those follow the engagement's flows).

-- ---------------------------------------------------------------------------------------------
-- retention_policies
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.retention_policies (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),   -- the audit log's row id
    client_account_id        uuid NOT NULL REFERENCES migration.client_accounts (id),
    llm_usage_log_days       integer,
    agent_task_history_days  integer,
    security_audit_logs_days integer,
    archive_after_days       integer,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    -- MIN_RETENTION_DAYS .. MAX_RETENTION_DAYS (domain/maintenance.py)
    CONSTRAINT retention_policies_llm_usage_log_days_check CHECK (llm_usage_log_days BETWEEN 30 AND 36500),
    CONSTRAINT retention_policies_agent_task_history_days_check CHECK (agent_task_history_days BETWEEN 30 AND 36500),
    CONSTRAINT retention_policies_security_audit_logs_days_check
        CHECK (security_audit_logs_days BETWEEN 30 AND 36500),
    CONSTRAINT retention_policies_client_account_id_key UNIQUE (client_account_id),
    CONSTRAINT retention_policies_archive_after_days_check CHECK (archive_after_days BETWEEN 1 AND 36500)
);

CREATE TRIGGER retention_policies_touch_updated_at
    BEFORE UPDATE ON migration.retention_policies
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();
CREATE TRIGGER audit_insert AFTER INSERT ON migration.retention_policies
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes('client_account_id', '');
CREATE TRIGGER audit_update AFTER UPDATE ON migration.retention_policies
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes('client_account_id', '');

ALTER TABLE migration.retention_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.retention_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.retention_policies FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id())
    WITH CHECK (client_account_id = migration.current_client_id());
GRANT SELECT, INSERT, UPDATE ON migration.retention_policies TO migration_app;
CREATE POLICY person_read ON migration.retention_policies FOR SELECT TO migration_person
    USING (client_account_id = migration.current_client_id()
           AND (SELECT migration.person_sees_client(migration.current_client_id())));
CREATE POLICY person_set ON migration.retention_policies FOR ALL TO migration_person
    USING (client_account_id = migration.current_client_id()
           AND (migration.is_client_admin(client_account_id) OR migration.is_platform_admin()))
    WITH CHECK (client_account_id = migration.current_client_id()
                AND (migration.is_client_admin(client_account_id) OR migration.is_platform_admin()));
GRANT SELECT, INSERT, UPDATE ON migration.retention_policies TO migration_person;

-- ---------------------------------------------------------------------------------------------
-- Log partitions: bounds, export, drop, and a client's old rows
-- ---------------------------------------------------------------------------------------------
-- The parent log and upper bound of a partition of one of the three logs (no row: not one, or the default).
CREATE FUNCTION migration.log_partition_bounds(p_partition text)
RETURNS TABLE (parent text, upper_bound timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET timezone = 'UTC' AS $$
    SELECT p.relname::text,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz
      FROM pg_class c
      JOIN pg_inherits i ON i.inhrelid = c.oid
      JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'migration' AND c.relname = p_partition
       AND p.relname IN ('llm_usage_log', 'agent_task_history', 'security_audit_logs')
       AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
$$;

CREATE FUNCTION migration.check_retention_cutoff(p_cutoff timestamptz)
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_cutoff IS NULL OR p_cutoff > now() - interval '30 days' THEN
        RAISE EXCEPTION 'retention: refusing to remove log rows younger than 30 days (cutoff %)',
            coalesce(p_cutoff::text, 'NULL') USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- The partitions of p_table that end at or before p_cutoff, oldest first.
CREATE FUNCTION migration.expired_log_partitions(p_table text, p_cutoff timestamptz)
RETURNS TABLE (partition text, upper_bound timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.relname::text, b.upper_bound
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      CROSS JOIN LATERAL migration.log_partition_bounds(c.relname) b
     WHERE i.inhparent = format('migration.%I', p_table)::regclass
       AND b.parent = p_table AND b.upper_bound <= p_cutoff
     ORDER BY b.upper_bound
$$;

-- Every row of a partition as JSON (to_jsonb), for the export before it is dropped. All clients' rows, by design:
-- the partition is dropped as a whole, and its export is the platform's copy of it. Hence only a partition the
-- drop could remove (ending at least 30 days ago): never the rows of the last 30 days.
CREATE FUNCTION migration.log_partition_rows(p_partition text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    v_upper timestamptz;
BEGIN
    SELECT upper_bound INTO v_upper FROM migration.log_partition_bounds(p_partition);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'log_partition_rows: % is not a partition of a log', quote_literal(p_partition)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM migration.check_retention_cutoff(v_upper);
    RETURN QUERY EXECUTE format('SELECT to_jsonb(r)::text FROM migration.%I r ORDER BY r.created_at, r.id', p_partition);
END
$$;

-- Detach and drop a log partition ending at or before p_cutoff (itself at least 30 days ago); false if there is
-- no such partition any more (a retried run).
CREATE FUNCTION migration.drop_log_partition(p_partition text, p_cutoff timestamptz)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_parent text;
    v_upper  timestamptz;
BEGIN
    PERFORM migration.check_retention_cutoff(p_cutoff);
    PERFORM pg_advisory_xact_lock(hashtext('migration.ensure_partitions'));  -- not while partitions are made
    SELECT parent, upper_bound INTO v_parent, v_upper FROM migration.log_partition_bounds(p_partition);
    IF v_parent IS NULL THEN
        RETURN false;
    END IF;
    IF v_upper > p_cutoff THEN
        RAISE EXCEPTION 'drop_log_partition: % ends %, after the cutoff %', p_partition, v_upper, p_cutoff
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('ALTER TABLE migration.%I DETACH PARTITION migration.%I', v_parent, p_partition);
    EXECUTE format('DROP TABLE migration.%I', p_partition);
    RETURN true;
END
$$;

-- Delete one client's rows of p_table created before p_cutoff (at least 30 days ago); how many. Only the client
-- of the caller's tenant context (migration.tenant_transaction).
CREATE FUNCTION migration.purge_log_rows(p_table text, p_client uuid, p_cutoff timestamptz)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_deleted bigint;
BEGIN
    IF p_client IS DISTINCT FROM migration.current_client_id() THEN
        RAISE EXCEPTION 'purge_log_rows: client % is not the tenant of this transaction', coalesce(p_client::text, 'NULL')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_table IS NULL OR p_table NOT IN ('llm_usage_log', 'agent_task_history', 'security_audit_logs') THEN
        RAISE EXCEPTION 'purge_log_rows: unknown log %', coalesce(quote_literal(p_table), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM migration.check_retention_cutoff(p_cutoff);
    EXECUTE format('DELETE FROM migration.%I WHERE client_account_id = $1 AND created_at < $2', p_table)
      USING p_client, p_cutoff;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;

REVOKE ALL ON FUNCTION migration.log_partition_bounds(text), migration.check_retention_cutoff(timestamptz),
    migration.expired_log_partitions(text, timestamptz), migration.log_partition_rows(text),
    migration.drop_log_partition(text, timestamptz), migration.purge_log_rows(text, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.expired_log_partitions(text, timestamptz), migration.log_partition_rows(text),
    migration.drop_log_partition(text, timestamptz), migration.purge_log_rows(text, uuid, timestamptz)
    TO migration_app;

-- ---------------------------------------------------------------------------------------------
-- Archived engagements
-- ---------------------------------------------------------------------------------------------
ALTER TABLE migration.engagements ADD COLUMN archived_at timestamptz;

-- An archived engagement's row changes only by its restore; only people who manage it (or platform
-- administrators) archive or restore it. SECURITY DEFINER so any role may ask who acts (session_user decides).
-- Whether this transaction's changes to an archived engagement's row pass its guard: none here; an erasure does
-- (0032 replaces this function), since the right to be forgotten covers archived engagements too.
CREATE FUNCTION migration.archive_guard_exempt()
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT false
$$;

CREATE FUNCTION migration.engagement_archive_guard()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF migration.archive_guard_exempt() THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'archived' AND NEW.status = 'archived' THEN
        RAISE EXCEPTION 'engagement % is archived (read-only): restore it first with `engagement unarchive`', OLD.name
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF (NEW.status IS DISTINCT FROM OLD.status OR NEW.archived_at IS DISTINCT FROM OLD.archived_at)
       AND migration.is_person()
       AND NOT (migration.is_platform_admin() OR migration.person_may(OLD.client_account_id, OLD.id, 'manage')) THEN
        RAISE EXCEPTION 'only the engagement''s owners and client administrators archive or restore it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A person only archives a completed engagement or restores an archived one; other statuses follow its flows.
    IF (NEW.status IS DISTINCT FROM OLD.status OR NEW.archived_at IS DISTINCT FROM OLD.archived_at)
       AND migration.is_person()
       AND NOT (OLD.status <> 'archived' AND NEW.status = 'archived' AND NEW.archived_at IS NOT NULL
                AND coalesce((SELECT f.status = 'completed' FROM migration.crewai_flow_state_extensions f
                               WHERE f.engagement_id = OLD.id ORDER BY f.created_at DESC LIMIT 1), false))
       AND NOT (OLD.status = 'archived' AND NEW.status = 'completed' AND NEW.archived_at IS NULL) THEN
        RAISE EXCEPTION 'a person only archives a completed engagement (`engagement archive`) or restores an archived '
                        'one (`engagement unarchive`); its other statuses follow its flows'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER engagements_archive_guard
    BEFORE UPDATE ON migration.engagements
    FOR EACH ROW EXECUTE FUNCTION migration.engagement_archive_guard();
REVOKE ALL ON FUNCTION migration.engagement_archive_guard() FROM PUBLIC;  -- a trigger's, nobody calls it
-- The guard (run as migration_owner) reads the engagement's newest master flow.
CREATE POLICY archive_guard_read ON migration.crewai_flow_state_extensions FOR SELECT TO migration_owner USING (true);

-- A write in an archived engagement's context (a launch, an upload, a person's request, a membership change) is
-- refused.
CREATE FUNCTION migration.refuse_archived_engagement()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_name text;
BEGIN
    SELECT e.name INTO v_name FROM migration.engagements e
     WHERE e.id = migration.current_engagement_id() AND e.status = 'archived';
    IF v_name IS NOT NULL THEN
        RAISE EXCEPTION 'engagement % is archived (read-only): restore it first with `engagement unarchive`', v_name
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER refuse_archived BEFORE INSERT OR UPDATE ON migration.crewai_flow_state_extensions
    FOR EACH STATEMENT EXECUTE FUNCTION migration.refuse_archived_engagement();
CREATE TRIGGER refuse_archived BEFORE INSERT ON migration.data_imports
    FOR EACH STATEMENT EXECUTE FUNCTION migration.refuse_archived_engagement();
CREATE TRIGGER refuse_archived BEFORE INSERT ON migration.person_requests
    FOR EACH STATEMENT EXECUTE FUNCTION migration.refuse_archived_engagement();
CREATE TRIGGER refuse_archived BEFORE INSERT OR UPDATE OR DELETE ON migration.engagement_members
    FOR EACH STATEMENT EXECUTE FUNCTION migration.refuse_archived_engagement();

GRANT UPDATE (status, archived_at) ON migration.engagements TO migration_person;
CREATE POLICY person_archive ON migration.engagements FOR UPDATE TO migration_person
    USING (client_account_id = migration.current_client_id() AND id = migration.current_engagement_id()
           AND (migration.is_platform_admin()
                OR (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),
                                                'manage'))))
    WITH CHECK (client_account_id = migration.current_client_id() AND id = migration.current_engagement_id());
