-- 0024_person_identity: people act under their own PostgreSQL login, and the database, not the caller, says
-- who acts and what they may do (ADR 0017).
--
-- * users.login_role names a person's login role; migration.person_id() derives the acting person from
--   session_user (never from a value the client sends). Logins are members of migration_person (bootstrap).
-- * Rights by membership: read (viewer and up), edit (contributor and up), decide (approver and up), manage
--   (owner). A client administrator (client_admins) reads and manages every engagement of the client;
--   a platform administrator (member of migration_admin) creates clients and their administrators.
-- * migration_person gets SELECT on every tenant table and writes only on the tables people change
--   directly (imports, conflict decisions, strategy overrides, plan edits, members); its policies require
--   the tenant context AND the right. Flow state, approvals and the audit log are written only by workers
--   (migration_app), after they verified a person's recorded request (person_requests).
-- * Nobody adds themselves to an engagement that has members; the audit actor is the proven person.
--
-- The helper functions are SECURITY DEFINER as migration_owner, which reads memberships through the
-- identity_lookup policies below. Policies call them through scalar subqueries on the context, so each
-- statement evaluates them once (an InitPlan), not once per row.

GRANT USAGE ON SCHEMA migration TO migration_person;
GRANT USAGE, CREATE ON SCHEMA migration TO migration_people;

ALTER TABLE migration.users ADD COLUMN login_role text;
ALTER TABLE migration.users ADD CONSTRAINT users_login_role_check CHECK (login_role ~ '^[a-z_][a-z0-9_]{0,62}$');
-- (logins made by create_person_login and the embedded default follow a stricter rule: a letter first, no "migration")
CREATE UNIQUE INDEX ux_users_login_role ON migration.users (login_role);

CREATE TABLE migration.client_admins (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    user_id           uuid NOT NULL REFERENCES migration.users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_admins_client_account_id_user_id_key UNIQUE (client_account_id, user_id)
);
CREATE INDEX ix_client_admins_user_id ON migration.client_admins (user_id);

CREATE POLICY identity_lookup ON migration.engagement_members FOR SELECT TO migration_owner USING (true);

-- ---------------------------------------------------------------------------------------------
-- Who acts, and what they may do
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.person_id()
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.id FROM migration.users u WHERE u.login_role = session_user::text
$$;

CREATE FUNCTION migration.is_person()
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_has_role(session_user, 'migration_person', 'MEMBER')
$$;

CREATE FUNCTION migration.is_platform_admin()
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_has_role(session_user, 'migration_admin', 'MEMBER')
$$;

CREATE FUNCTION migration.is_client_admin(p_client uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM migration.client_admins a
                    WHERE a.client_account_id = p_client AND a.user_id = migration.person_id())
$$;

-- The rights of a person in an engagement (docs/operations.md, "People and access"); REQUEST_ROLES in
-- domain/vocabulary.py mirrors them for the requests a worker verifies.
CREATE FUNCTION migration.person_may(p_client uuid, p_engagement uuid, p_right text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((
        SELECT CASE p_right
                   WHEN 'read' THEN true
                   WHEN 'edit' THEN m.role IN ('owner', 'approver', 'contributor')
                   WHEN 'decide' THEN m.role IN ('owner', 'approver')
                   WHEN 'manage' THEN m.role = 'owner'
                   ELSE false
               END
          FROM migration.engagement_members m
         WHERE m.engagement_id = p_engagement AND m.client_account_id = p_client
           AND m.user_id = migration.person_id()), false)
        OR (p_right IN ('read', 'manage') AND migration.is_client_admin(p_client))
$$;

-- A client a person may see: they administer it or are a member of one of its engagements.
CREATE FUNCTION migration.person_sees_client(p_client uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT migration.is_platform_admin() OR migration.is_client_admin(p_client)
        OR EXISTS (SELECT 1 FROM migration.engagement_members m
                    WHERE m.client_account_id = p_client AND m.user_id = migration.person_id())
$$;

CREATE FUNCTION migration.is_member(p_engagement uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM migration.engagement_members m
                    WHERE m.engagement_id = p_engagement AND m.user_id = migration.person_id())
$$;

CREATE FUNCTION migration.engagement_has_members(p_engagement uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM migration.engagement_members m WHERE m.engagement_id = p_engagement)
$$;

-- Whether a person shares an engagement with the acting person (whose members they may then see).
CREATE FUNCTION migration.shares_engagement(p_user uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM migration.engagement_members mine
                     JOIN migration.engagement_members theirs ON theirs.engagement_id = mine.engagement_id
                    WHERE mine.user_id = migration.person_id() AND theirs.user_id = p_user)
        OR EXISTS (SELECT 1 FROM migration.client_admins a
                     JOIN migration.engagement_members theirs ON theirs.client_account_id = a.client_account_id
                    WHERE a.user_id = migration.person_id() AND theirs.user_id = p_user)
$$;

-- ---------------------------------------------------------------------------------------------
-- The directories answer a person with what they may see only
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION migration.client_directory()
RETURNS TABLE (id uuid, name text, slug text, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.id, c.name, c.slug, c.status FROM migration.client_accounts c
     WHERE NOT migration.is_person() OR migration.person_sees_client(c.id)
$$;

CREATE OR REPLACE FUNCTION migration.engagement_directory(p_engagement_id uuid)
RETURNS TABLE (id uuid, client_account_id uuid, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.id, e.client_account_id, e.name FROM migration.engagements e
     WHERE e.id = p_engagement_id
       AND (NOT migration.is_person() OR migration.person_may(e.client_account_id, e.id, 'read'))
$$;

-- ---------------------------------------------------------------------------------------------
-- Person logins and people
-- ---------------------------------------------------------------------------------------------
-- Whether the acting person may add people: a platform administrator or an administrator of some client.
CREATE FUNCTION migration.may_add_people()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT migration.is_platform_admin()
        OR EXISTS (SELECT 1 FROM migration.client_admins WHERE user_id = migration.person_id())
$$;

-- Records a new login on its person's user row (created if new); NULL if that person has a login already.
-- A person already known (named a member or an administrator before they had a login) is given one only by
-- a platform administrator, or by an administrator of every client they work for: whoever gives the login
-- sets its password, so no administrator of one client can take over a person of another.
CREATE FUNCTION migration.record_person_login(p_email text, p_display_name text, p_login text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_user uuid := (SELECT id FROM migration.users WHERE lower(email) = lower(btrim(p_email)));
BEGIN
    IF v_user IS NOT NULL AND NOT migration.is_platform_admin() AND EXISTS (
            SELECT 1 FROM migration.engagement_members m
             WHERE m.user_id = v_user AND NOT migration.is_client_admin(m.client_account_id)
            UNION ALL
            SELECT 1 FROM migration.client_admins a
             WHERE a.user_id = v_user AND NOT migration.is_client_admin(a.client_account_id)) THEN
        RAISE EXCEPTION 'the person % works for a client you do not administer: a platform administrator gives '
                        'them a login', p_email USING ERRCODE = '42501';
    END IF;
    INSERT INTO migration.users (email, display_name, login_role) VALUES (lower(btrim(p_email)), p_display_name, p_login)
    ON CONFLICT ((lower(email))) DO UPDATE SET login_role = EXCLUDED.login_role
        WHERE migration.users.login_role IS NULL
    RETURNING id INTO v_user;
    RETURN v_user;
END
$$;

-- Creates the login role of a person (a SCRAM verifier, never a clear password, reaches the server) and
-- records it on their user row. Platform and client administrators only. Owned by migration_people, the
-- one role that may create roles; it answers with the person's user id.
CREATE FUNCTION migration.create_person_login(p_email text, p_display_name text, p_login text, p_verifier text)
RETURNS uuid
-- createrole_self_grant pinned: a caller's setting must not make migration_people a member of the new login
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET createrole_self_grant = '' AS $$
DECLARE
    v_user uuid;
BEGIN
    IF NOT migration.may_add_people() THEN
        RAISE EXCEPTION 'only a platform or client administrator adds people' USING ERRCODE = '42501';
    END IF;
    IF p_email IS NULL OR p_login IS NULL OR p_verifier IS NULL THEN
        RAISE EXCEPTION 'an e-mail, a login and a password verifier are needed' USING ERRCODE = '22023';
    END IF;
    IF p_login !~ '^[a-z][a-z0-9_]{0,62}$' OR p_login LIKE '%migration%' OR p_login LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'login % is not allowed: lower-case letters, digits and _, starting with a letter, not '
                        'starting with pg_ nor holding migration', p_login USING ERRCODE = '22023';
    END IF;
    IF p_verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION 'the password must arrive as a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RAISE EXCEPTION 'the login % exists already', p_login USING ERRCODE = '42710';
    END IF;
    v_user := migration.record_person_login(p_email, p_display_name, p_login);
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'the person % has a login already', p_email USING ERRCODE = '42710';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE migration_person', p_login, p_verifier);
    RETURN v_user;
END
$$;
REVOKE ALL ON FUNCTION migration.may_add_people(), migration.record_person_login(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.may_add_people(), migration.record_person_login(text, text, text),
    migration.is_platform_admin(), migration.person_id() TO migration_people;
ALTER FUNCTION migration.create_person_login(text, text, text, text) OWNER TO migration_people;

-- A person by e-mail, created (without a login) on first use, an existing one unchanged: for the service and
-- for a person who manages the engagement of the context (or administers the platform) naming members.
CREATE FUNCTION migration.person_by_email(p_email text, p_display_name text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_user uuid;
BEGIN
    IF migration.is_person() AND NOT (migration.is_platform_admin()
            OR migration.person_may(migration.current_client_id(), migration.current_engagement_id(), 'manage')) THEN
        RAISE EXCEPTION 'only an owner of the engagement or an administrator names its members' USING ERRCODE = '42501';
    END IF;
    INSERT INTO migration.users (email, display_name) VALUES (lower(btrim(p_email)), p_display_name)
    ON CONFLICT ((lower(email))) DO NOTHING RETURNING id INTO v_user;
    RETURN coalesce(v_user, (SELECT id FROM migration.users WHERE lower(email) = lower(btrim(p_email))));
END
$$;

-- Makes a person (by e-mail, created without a login if new) an administrator of a client: platform
-- administrators only, and never themselves.
CREATE FUNCTION migration.add_client_admin(p_client uuid, p_email text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_user uuid;
BEGIN
    IF NOT migration.is_platform_admin() THEN
        RAISE EXCEPTION 'only a platform administrator names client administrators' USING ERRCODE = '42501';
    END IF;
    INSERT INTO migration.users (email) VALUES (lower(btrim(p_email)))
    ON CONFLICT ((lower(email))) DO NOTHING RETURNING id INTO v_user;
    v_user := coalesce(v_user, (SELECT id FROM migration.users WHERE lower(email) = lower(btrim(p_email))));
    IF v_user = migration.person_id() THEN
        RAISE EXCEPTION 'nobody makes themselves an administrator' USING ERRCODE = '42501';
    END IF;
    INSERT INTO migration.client_admins (client_account_id, user_id) VALUES (p_client, v_user) ON CONFLICT DO NOTHING;
    RETURN v_user;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Recorded requests: what a person asked of a workflow, written under their own login
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.person_requests (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL,
    engagement_id     uuid NOT NULL,
    -- the person who asked (NULL: the service itself, for a launch only; a person's row is always theirs)
    requested_by      uuid REFERENCES migration.users (id) DEFAULT migration.person_id(),
    kind              text NOT NULL,
    phase             text,
    payload           jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- the workflow run that acted on it (workflow id/run id): a request acts in one run only
    used_by           text,
    used_at           timestamptz,
    CONSTRAINT person_requests_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    -- vocabulary: REQUEST_KINDS
    CONSTRAINT person_requests_kind_check CHECK (kind IN ('launch', 'approve', 'reject', 'rollback', 'pause',
                                                          'resume', 'cancel', 'mapping_review')),
    CONSTRAINT person_requests_payload_check CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT person_requests_payload_size_check CHECK (pg_column_size(payload) <= 65536)
);
CREATE INDEX ix_person_requests_engagement ON migration.person_requests (client_account_id, engagement_id);

CREATE FUNCTION migration.request_right(p_kind text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_kind = 'mapping_review' THEN 'edit' ELSE 'decide' END
$$;

ALTER TABLE migration.person_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.person_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.person_requests FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());
CREATE POLICY person_request ON migration.person_requests FOR INSERT TO migration_person
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id()
                AND requested_by = (SELECT migration.person_id())
                AND migration.person_may(client_account_id, engagement_id, migration.request_right(kind)));
GRANT SELECT, INSERT ON migration.person_requests TO migration_app;
GRANT UPDATE (used_by, used_at) ON migration.person_requests TO migration_app;
-- a person says what they ask (the policy holds the requester to themselves); id, time and use are the database's
GRANT INSERT (client_account_id, engagement_id, kind, phase, payload, requested_by) ON migration.person_requests
    TO migration_person;

-- ---------------------------------------------------------------------------------------------
-- What people read: every engagement-scoped table, within the context, by membership
-- ---------------------------------------------------------------------------------------------
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'migration' AND c.relkind IN ('r', 'p') AND c.relrowsecurity AND NOT c.relispartition
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'engagement_id')
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'client_account_id')
    LOOP
        EXECUTE format('GRANT SELECT ON migration.%I TO migration_person', t.relname);
        EXECUTE format(
            'CREATE POLICY person_read ON migration.%I FOR SELECT TO migration_person USING ('
            'client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id()'
            ' AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),'
            ' ''read'')))', t.relname);
    END LOOP;
END
$$;

GRANT SELECT ON migration.client_accounts, migration.engagements TO migration_person;
CREATE POLICY person_read ON migration.client_accounts FOR SELECT TO migration_person
    USING (id = migration.current_client_id() AND (SELECT migration.person_sees_client(migration.current_client_id())));
CREATE POLICY person_read ON migration.engagements FOR SELECT TO migration_person
    USING (client_account_id = migration.current_client_id()
           AND (migration.person_may(client_account_id, id, 'read') OR migration.is_platform_admin()));

-- Clients: platform administrators create them; engagements: their client's administrators.
GRANT INSERT ON migration.client_accounts, migration.engagements TO migration_person;
CREATE POLICY person_create ON migration.client_accounts FOR INSERT TO migration_person
    WITH CHECK (id = migration.current_client_id() AND migration.is_platform_admin());
CREATE POLICY person_create ON migration.engagements FOR INSERT TO migration_person
    WITH CHECK (client_account_id = migration.current_client_id()
                AND (migration.is_client_admin(client_account_id) OR migration.is_platform_admin()));

-- A person sees their own memberships; a platform administrator those of the engagements they create.
CREATE POLICY person_own ON migration.engagement_members FOR SELECT TO migration_person
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id()
           AND (user_id = (SELECT migration.person_id()) OR migration.is_platform_admin()));

-- Members: owners and client administrators manage them; nobody adds themselves to an engagement that has
-- members (the creator of a new engagement becomes its first owner).
GRANT INSERT, UPDATE, DELETE ON migration.engagement_members TO migration_person;
CREATE POLICY person_manage ON migration.engagement_members FOR INSERT TO migration_person
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id()
                AND CASE WHEN NOT migration.engagement_has_members(engagement_id)  -- a new engagement's first owner
                         THEN migration.is_client_admin(client_account_id) OR migration.is_platform_admin()
                         WHEN user_id = (SELECT migration.person_id())  -- only a role change of an owner's own
                         THEN migration.is_member(engagement_id)
                              AND (SELECT migration.person_may(migration.current_client_id(),
                                                               migration.current_engagement_id(), 'manage'))
                         ELSE (SELECT migration.person_may(migration.current_client_id(),
                                                           migration.current_engagement_id(), 'manage')) END);
CREATE POLICY person_manage_update ON migration.engagement_members FOR UPDATE TO migration_person
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id()
           AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),
                                            'manage')));
CREATE POLICY person_manage_delete ON migration.engagement_members FOR DELETE TO migration_person
    USING (client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id()
           AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),
                                            'manage')));

-- What people change directly, with the edit right.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT unnest(ARRAY['data_imports', 'import_file_chunks', 'assets', 'asset_external_ids',
                                 'asset_merge_conflicts', 'agent_learning_patterns', 'migration_waves',
                                 'migration_wave_assets', 'plan_violations']) AS relname
    LOOP
        -- an upload is added (or removed when its launch fails), never rewritten: its uploader and status
        -- are the record's and the worker's
        EXECUTE format('GRANT INSERT, DELETE%s ON migration.%I TO migration_person',
                       CASE WHEN t.relname IN ('data_imports', 'import_file_chunks') THEN '' ELSE ', UPDATE' END,
                       t.relname);
        EXECUTE format(
            'CREATE POLICY person_edit ON migration.%I FOR ALL TO migration_person USING (%2$s) WITH CHECK (%2$s)',
            t.relname,
            'client_account_id = migration.current_client_id() AND engagement_id = migration.current_engagement_id()'
            ' AND (SELECT migration.person_may(migration.current_client_id(), migration.current_engagement_id(),'
            ' ''edit''))');
    END LOOP;
END
$$;

-- People see themselves and the people they work with; workers see everyone.
ALTER TABLE migration.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_all ON migration.users FOR ALL TO migration_app USING (true) WITH CHECK (true);
CREATE POLICY person_visible ON migration.users FOR SELECT TO migration_person
    USING (id = (SELECT migration.person_id()) OR migration.shares_engagement(id));
GRANT SELECT ON migration.users TO migration_person;

-- Client administrators: within the client's context for workers; a person sees their own; the owner's
-- functions look them up and add_client_admin writes them.
ALTER TABLE migration.client_admins ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.client_admins FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.client_admins FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id())
    WITH CHECK (client_account_id = migration.current_client_id());
CREATE POLICY person_visible ON migration.client_admins FOR SELECT TO migration_person
    USING (user_id = (SELECT migration.person_id()) OR migration.is_platform_admin());
CREATE POLICY identity_lookup ON migration.client_admins FOR SELECT TO migration_owner USING (true);
CREATE POLICY admin_grant ON migration.client_admins FOR INSERT TO migration_owner WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON migration.client_admins TO migration_app;
GRANT SELECT ON migration.client_admins TO migration_person;

-- ---------------------------------------------------------------------------------------------
-- The audit log names the proven actor: a person's login, whatever app.user_id they set. Otherwise the
-- function of 0017 (bulk-import events included), but for its UPDATE branch, which now runs through EXECUTE,
-- planned on each call like the bulk-insert branch: as static PL/pgSQL SQL, prepared once per session, it
-- joined 5,000 new to 5,000 old rows in 30 s on a pooled connection that had audited other updates (1 s on a
-- fresh one, 0.6 s planned for the call; a session-wide plan_cache_mode = force_custom_plan did not help, so
-- what the session kept is not pinned down), which made re-importing a file ~30 s slower per 5,000 assets.
-- ---------------------------------------------------------------------------------------------
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

-- ---------------------------------------------------------------------------------------------
-- Functions: who may call what
-- ---------------------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION migration.person_id(), migration.is_person(), migration.is_platform_admin(),
    migration.is_client_admin(uuid), migration.person_may(uuid, uuid, text), migration.person_sees_client(uuid),
    migration.engagement_has_members(uuid), migration.is_member(uuid), migration.shares_engagement(uuid),
    migration.create_person_login(text, text, text, text), migration.person_by_email(text, text),
    migration.add_client_admin(uuid, text), migration.request_right(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.person_id(), migration.is_person(), migration.is_platform_admin(),
    migration.is_client_admin(uuid), migration.person_may(uuid, uuid, text), migration.person_sees_client(uuid),
    migration.engagement_has_members(uuid), migration.is_member(uuid), migration.shares_engagement(uuid),
    migration.request_right(text),
    migration.current_client_id(), migration.current_engagement_id(), migration.client_directory(),
    migration.engagement_directory(uuid), migration.create_person_login(text, text, text, text),
    migration.person_by_email(text, text), migration.add_client_admin(uuid, text), migration.audit_changes()
    TO migration_person;
GRANT EXECUTE ON FUNCTION migration.person_id(), migration.is_person(), migration.person_may(uuid, uuid, text),
    migration.request_right(text), migration.person_by_email(text, text) TO migration_app;

-- Executable by the service role only (it was PUBLIC's since 0008).
REVOKE EXECUTE ON FUNCTION migration.apply_phase_transition(text, text, uuid, uuid, uuid, uuid, text, text,
    double precision, jsonb, text, timestamptz, text) FROM PUBLIC;
