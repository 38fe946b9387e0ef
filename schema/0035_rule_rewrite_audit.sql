-- 0035_rule_rewrite_audit: a worker's rewrite of the engagement's assets by the rules (assessment's steps,
-- discovery's technical debt) is audited as one event per statement and tenant, {"rule_rewrite": {"step",
-- "workflow_id", "run_id", "rows", "ids"}}, not as a diff of every row (ADR-0024). The worker's transaction sets
-- the transaction-local app.rule_rewrite (db/queries/audit_rule_rewrite.sql: the step and its workflow run, as
-- JSON); it applies to updates of assets only, and any other value than such an object fails the update. The
-- row-by-row diff of two whole asset rows took 2.8 s of a 3.5 s batch of 5,000 (EXPLAIN ANALYZE at 100,000 assets:
-- 80 % of the assessment phase's updates), and wrote every old and new scoring detail again (about 1 GB of audit
-- rows per 100,000-asset assessment, kept for the audit's seven years). A person's login is always audited row by
-- row, whatever it sets.
-- Otherwise the function of 0024, unchanged.
CREATE OR REPLACE FUNCTION migration.audit_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_client_col     text := 'client_account_id';
    v_engagement_col text := 'engagement_id';
    -- a person's session is always its own actor; a worker names the person whose verified request it applies
    v_actor          uuid := coalesce(migration.person_id(), nullif(current_setting('app.user_id', true), '')::uuid);
    v_bulk_import    uuid := nullif(current_setting('app.bulk_import_id', true), '')::uuid;
    v_rule_rewrite   text := nullif(current_setting('app.rule_rewrite', true), '');
    v_rewrite        jsonb;
BEGIN
    IF TG_LEVEL <> 'STATEMENT' THEN
        RAISE EXCEPTION 'audit_changes() must be a FOR EACH STATEMENT trigger (on %)', TG_TABLE_NAME;
    END IF;
    IF TG_NARGS >= 1 THEN
        v_client_col := nullif(nullif(TG_ARGV[0], ''), 'null');
    END IF;
    IF TG_NARGS >= 2 THEN
        v_engagement_col := nullif(nullif(TG_ARGV[1], ''), 'null');
    END IF;
    IF v_client_col IS NULL THEN
        RAISE EXCEPTION 'audit_changes() on %: the client column argument is required', TG_TABLE_NAME;
    END IF;

    IF TG_OP = 'INSERT' AND v_bulk_import IS NOT NULL THEN
        -- one event per statement and tenant: how many rows the import created, and their ids
        -- (dynamic SQL reads just the tenant columns, not a JSON image of every wide row)
        EXECUTE format(
            'INSERT INTO migration.security_audit_logs'
            '       (client_account_id, engagement_id, actor_user_id, operation, table_name, row_id, changes)'
            ' SELECT n.%I, %s, $1, ''insert'', $2, NULL,'
            '        jsonb_build_object(''bulk_import'', jsonb_build_object(''data_import_id'', $3,'
            '            ''rows'', count(*), ''ids'', jsonb_agg(n.id ORDER BY n.id)))'
            '   FROM new_rows n GROUP BY 1, 2',
            v_client_col, CASE WHEN v_engagement_col IS NULL THEN 'NULL::uuid' ELSE format('n.%I', v_engagement_col) END)
        USING v_actor, TG_TABLE_NAME, v_bulk_import;

    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO migration.security_audit_logs
               (client_account_id, engagement_id, actor_user_id, operation, table_name, row_id, changes)
        SELECT (r.j ->> v_client_col)::uuid,
               (r.j ->> v_engagement_col)::uuid,
               v_actor, 'insert', TG_TABLE_NAME, (r.j ->> 'id')::uuid,
               jsonb_build_object('new', r.j)
          FROM (SELECT to_jsonb(x) AS j FROM new_rows x OFFSET 0) r;

    ELSIF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'assets' AND v_rule_rewrite IS NOT NULL AND NOT migration.is_person() THEN
        -- a worker's rule rewrite of assets: one event per statement and tenant, naming the step and the rows (ADR-0024)
        IF pg_input_is_valid(v_rule_rewrite, 'jsonb') THEN
            v_rewrite := v_rule_rewrite::jsonb;
        END IF;
        IF jsonb_typeof(v_rewrite) IS DISTINCT FROM 'object' OR NOT v_rewrite ?& ARRAY['step', 'workflow_id', 'run_id'] THEN
            RAISE EXCEPTION 'app.rule_rewrite must be a JSON object with step, workflow_id and run_id '
                            '(db/queries/audit_rule_rewrite.sql), not %', left(v_rule_rewrite, 200);
        END IF;
        EXECUTE format(
            'INSERT INTO migration.security_audit_logs'
            '       (client_account_id, engagement_id, actor_user_id, operation, table_name, row_id, changes)'
            ' SELECT n.%I, %s, $1, ''update'', $2, NULL,'
            '        jsonb_build_object(''rule_rewrite'', jsonb_build_object(''step'', $3 -> ''step'','
            '            ''workflow_id'', $3 -> ''workflow_id'', ''run_id'', $3 -> ''run_id'', ''rows'', count(*),'
            '            ''ids'', jsonb_agg(n.id ORDER BY n.id)))'
            '   FROM new_rows n GROUP BY 1, 2',
            v_client_col, CASE WHEN v_engagement_col IS NULL THEN 'NULL::uuid' ELSE format('n.%I', v_engagement_col) END)
        USING v_actor, TG_TABLE_NAME, v_rewrite;

    ELSIF TG_OP = 'UPDATE' THEN
        -- planned on every call (EXECUTE), for the transition tables' real sizes: see the header
        EXECUTE
            'INSERT INTO migration.security_audit_logs'
            '       (client_account_id, engagement_id, actor_user_id, operation, table_name, row_id, changes)'
            ' SELECT (n.j ->> $1)::uuid, (n.j ->> $2)::uuid, $3, ''update'', $4, (n.j ->> ''id'')::uuid, d.diff'
            '   FROM new_rows nr'
            '   JOIN old_rows orow ON orow.id = nr.id'
            '  CROSS JOIN LATERAL (SELECT to_jsonb(nr) AS j OFFSET 0) n'
            '  CROSS JOIN LATERAL (SELECT to_jsonb(orow) AS j OFFSET 0) o'
            '  CROSS JOIN LATERAL ('
            '        SELECT jsonb_object_agg(k.key, jsonb_build_object(''old'', o.j -> k.key, ''new'', k.value)) AS diff'
            '          FROM jsonb_each(n.j) AS k'
            '         WHERE k.key <> ''updated_at'''
            '           AND k.value IS DISTINCT FROM (o.j -> k.key)'
            '       ) d'
            '  WHERE d.diff IS NOT NULL'
        USING v_client_col, v_engagement_col, v_actor, TG_TABLE_NAME;

    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO migration.security_audit_logs
               (client_account_id, engagement_id, actor_user_id, operation, table_name, row_id, changes)
        SELECT (r.j ->> v_client_col)::uuid,
               (r.j ->> v_engagement_col)::uuid,
               v_actor, 'delete', TG_TABLE_NAME, (r.j ->> 'id')::uuid,
               jsonb_build_object('old', r.j)
          FROM (SELECT to_jsonb(x) AS j FROM old_rows x OFFSET 0) r;
    END IF;

    RETURN NULL;
END
$$;
