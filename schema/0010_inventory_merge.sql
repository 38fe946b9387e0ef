-- 0010_inventory_merge: what merging imported records into assets needs (ADR-0007). The match-key
-- functions migration.asset_host_key(), migration.asset_name_key() and migration.asset_match_keys()
-- (one definition of the identifiers compared, for raw records and assets alike), the comparison
-- migration.asset_value_same(), and the review table migration.asset_merge_conflicts (values a
-- merge kept out, records that matched two assets).

-- ---------------------------------------------------------------------------------------------
-- Match keys. Same rules as domain.cleansing.natural_key: a host is the hostname, else the FQDN,
-- lower case, cut to its first label unless it looks like an IP address (a dotted quad or any
-- text with ':'); a name is lower case with runs of white space made one space.
-- ---------------------------------------------------------------------------------------------
-- One expression (no FROM), so the planner inlines it: called per record and per asset.
CREATE FUNCTION migration.asset_host_key(p_hostname text, p_fqdn text)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT nullif(substring(lower(btrim(coalesce(nullif(btrim(p_hostname), ''), p_fqdn)))
                            FROM '^(?:[0-9]+(?:\.[0-9]+){3}$|.*:.*|[^.]*)'), '')
$$;

CREATE FUNCTION migration.asset_name_key(p_name text)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$ SELECT nullif(lower(regexp_replace(btrim(p_name), '\s+', ' ', 'g')), '') $$;

-- asset_match_keys(natural key, values): the identifiers of one record or asset, strongest first.
-- rank 0 nat (the natural key itself), 1 ext (external id), 2 host, 3 ip, 4 mac, 5 serial, 6 name.
-- p_values holds asset columns by name (a raw record's cleansed_data, or an asset's columns);
-- ip/mac come from the address lists and the primary address, so one key row per address.
CREATE FUNCTION migration.asset_match_keys(p_natural_key text, p_values jsonb)
RETURNS TABLE (rank integer, kind text, value text)
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT k.rank, k.kind, k.value
    FROM (
        SELECT 0 AS rank, 'nat' AS kind, p_natural_key AS value
        UNION ALL SELECT 1, 'ext', nullif(btrim(p_values ->> 'external_id'), '')
        UNION ALL SELECT 2, 'host', migration.asset_host_key(p_values ->> 'hostname', p_values ->> 'fqdn')
        UNION ALL SELECT DISTINCT 3, 'ip', lower(btrim(a.value))
            FROM jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(p_values -> 'ip_addresses') = 'array' THEN p_values -> 'ip_addresses'
                     ELSE '[]'::jsonb END
                || coalesce(jsonb_build_array(p_values ->> 'ip_address'), '[]'::jsonb)) AS a(value)
        UNION ALL SELECT DISTINCT 4, 'mac', lower(btrim(a.value))
            FROM jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(p_values -> 'mac_addresses') = 'array' THEN p_values -> 'mac_addresses'
                     ELSE '[]'::jsonb END
                || coalesce(jsonb_build_array(p_values ->> 'mac_address'), '[]'::jsonb)) AS a(value)
        UNION ALL SELECT 5, 'serial', nullif(lower(btrim(p_values ->> 'serial_number')), '')
        UNION ALL SELECT 6, 'name', migration.asset_name_key(p_values ->> 'name')
    ) k
    WHERE k.value IS NOT NULL AND k.value <> ''
$$;

-- asset_value_same(column, a, b): two values of an asset column say the same thing: equal, or for
-- name, hostname and fqdn equal ignoring case (no conflict is recorded for WEB01 vs web01).
CREATE FUNCTION migration.asset_value_same(p_field text, p_a jsonb, p_b jsonb)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT p_a = p_b OR (p_field IN ('name', 'hostname', 'fqdn') AND lower(p_a #>> '{}') = lower(p_b #>> '{}'))
$$;

REVOKE ALL ON FUNCTION migration.asset_host_key(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migration.asset_name_key(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migration.asset_match_keys(text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION migration.asset_value_same(text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.asset_host_key(text, text) TO migration_app;
GRANT EXECUTE ON FUNCTION migration.asset_name_key(text) TO migration_app;
GRANT EXECUTE ON FUNCTION migration.asset_match_keys(text, jsonb) TO migration_app;
GRANT EXECUTE ON FUNCTION migration.asset_value_same(text, jsonb, jsonb) TO migration_app;

-- ---------------------------------------------------------------------------------------------
-- asset_merge_conflicts: one row per imported value a merge did not apply, for a person to review.
-- field 'asset': the record also matched other_asset_id (kept_value/incoming_value: the two ids);
-- the assets were not merged. No per-row triggers: resolution sets resolved_at itself.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.asset_merge_conflicts (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    asset_id          uuid NOT NULL REFERENCES migration.assets (id) ON DELETE CASCADE,
    field             text NOT NULL,
    kept_value        jsonb,              -- the asset's value after the merge (NULL: left empty)
    incoming_value    jsonb NOT NULL,     -- the record's value that was not applied
    other_asset_id    uuid REFERENCES migration.assets (id) ON DELETE CASCADE,
    data_import_id    uuid NOT NULL REFERENCES migration.data_imports (id) ON DELETE CASCADE,
    row_number        integer NOT NULL,
    status            text NOT NULL DEFAULT 'open',
    resolution        text,
    resolved_by       uuid REFERENCES migration.users (id),
    resolved_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT asset_merge_conflicts_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT asset_merge_conflicts_row_number_check CHECK (row_number >= 0),
    CONSTRAINT asset_merge_conflicts_field_check CHECK (length(btrim(field)) > 0),
    CONSTRAINT asset_merge_conflicts_other_asset_check CHECK ((field = 'asset') = (other_asset_id IS NOT NULL)),
    -- open: awaiting review; resolved: a person decided (resolution says how)
    -- vocabulary: CONFLICT_STATUSES
    CONSTRAINT asset_merge_conflicts_status_check CHECK (status IN ('open', 'resolved')),
    CONSTRAINT asset_merge_conflicts_resolved_check CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);

CREATE INDEX ix_asset_merge_conflicts_client_engagement
    ON migration.asset_merge_conflicts (client_account_id, engagement_id);
-- "was this disagreement seen before?" (a re-import records nothing new) and per-asset review
CREATE INDEX ix_asset_merge_conflicts_asset_field ON migration.asset_merge_conflicts (asset_id, field);
-- one conflict per record, asset, field (and other asset): re-running a merge adds nothing
CREATE UNIQUE INDEX ux_asset_merge_conflicts_record
    ON migration.asset_merge_conflicts (data_import_id, row_number, asset_id, field, other_asset_id) NULLS NOT DISTINCT;
CREATE INDEX ix_asset_merge_conflicts_other_asset_id ON migration.asset_merge_conflicts (other_asset_id)
    WHERE other_asset_id IS NOT NULL;
CREATE INDEX ix_asset_merge_conflicts_resolved_by ON migration.asset_merge_conflicts (resolved_by)
    WHERE resolved_by IS NOT NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON migration.asset_merge_conflicts TO migration_app;

CREATE TRIGGER audit_insert AFTER INSERT ON migration.asset_merge_conflicts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_update AFTER UPDATE ON migration.asset_merge_conflicts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_delete AFTER DELETE ON migration.asset_merge_conflicts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();

ALTER TABLE migration.asset_merge_conflicts ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.asset_merge_conflicts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.asset_merge_conflicts
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());
