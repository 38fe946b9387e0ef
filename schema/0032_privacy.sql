-- 0032_privacy: the right to be forgotten (docs/privacy.md). A platform administrator erases a person
-- (pseudonymised everywhere their e-mail or name appears) or a whole client (every row of the tenant deleted,
-- its people who work for no other client erased as persons), and the erasure is recorded without the value it
-- erased: salted hashes recognise a repeated request.
--
-- The functions are SECURITY DEFINER as migration_owner (the tables' owner), never a superuser. Row-level
-- security binds the owner too (FORCE): each tenant table gets a `privacy_erasure` policy for migration_owner
-- that holds only while an erasure runs, i.e. inside these functions (a transaction-local setting that they
-- set) and for a platform administrator's session: a setting alone opens nothing to anybody else.

-- ---------------------------------------------------------------------------------------------
-- The salt of the subjects' hashes (one random value per database, readable by its owner only).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.privacy_salt (
    singleton boolean PRIMARY KEY DEFAULT true,
    salt      text NOT NULL,
    CONSTRAINT privacy_salt_singleton_check CHECK (singleton)
);
INSERT INTO migration.privacy_salt (salt)
VALUES (encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'));

-- ---------------------------------------------------------------------------------------------
-- privacy_erasures: that an erasure happened, by whom, when and how many rows it changed. It holds no erased
-- value: the subject is known by salted hashes (a person's e-mail; a client's id, name and slug) only.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.privacy_erasures (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subject_kind   text NOT NULL,
    subject_hashes text[] NOT NULL,
    pseudonym      text NOT NULL,          -- what the subject's values were replaced with
    erased_by      uuid,                   -- the administrator's user id (no FK: an erased admin stays a pseudonym)
    erased_rows    jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"<table>": rows changed or deleted}
    -- a client's deleted engagements (random ids, no personal value): a rerun deletes their Temporal executions
    -- when the first run died before it did
    engagement_ids uuid[] NOT NULL DEFAULT '{}',
    erased_at      timestamptz NOT NULL DEFAULT now(),
    -- vocabulary: ERASURE_SUBJECTS
    CONSTRAINT privacy_erasures_subject_kind_check CHECK (subject_kind IN ('user', 'client')),
    CONSTRAINT privacy_erasures_subject_hashes_check CHECK (cardinality(subject_hashes) > 0),
    CONSTRAINT privacy_erasures_erased_rows_check CHECK (jsonb_typeof(erased_rows) = 'object')
);
CREATE INDEX ix_privacy_erasures_subject_hashes ON migration.privacy_erasures USING gin (subject_hashes);

-- The salted hash of a subject (trimmed, lower-case).
CREATE FUNCTION migration.privacy_hash(p_value text)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT encode(sha256(convert_to(s.salt || ':' || lower(btrim(p_value)), 'UTF8')), 'hex')
      FROM migration.privacy_salt s
$$;

-- Whether an erasure runs in this transaction, for a platform administrator.
CREATE FUNCTION migration.privacy_erasing()
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(current_setting('migration.privacy_erasing', true), '') = 'on' AND migration.is_platform_admin()
$$;

-- An erasure rewrites archived engagements too (0031's guard asks this).
CREATE OR REPLACE FUNCTION migration.archive_guard_exempt()
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT migration.privacy_erasing()
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'migration' AND c.relkind IN ('r', 'p') AND c.relrowsecurity AND NOT c.relispartition
    LOOP
        EXECUTE format('CREATE POLICY privacy_erasure ON migration.%I FOR ALL TO migration_owner'
                       ' USING ((SELECT migration.privacy_erasing()))'
                       ' WITH CHECK ((SELECT migration.privacy_erasing()))',
                       t.relname);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- privacy_scrub(rules): every text, varchar, text[], json and jsonb column of every table of the schema
-- rewritten where a rule's pattern matches: [{"text": regex, "json": regex, "to": replacement,
-- "clients": [uuid, ...] or null, "needle": the value as an ILIKE pattern}] (case-insensitive; "clients"
-- limits a rule to those tenants' rows, their client_accounts rows and the other tables without a tenant but
-- `users`: a namesake keeps their name, the erased rows are rewritten by id). The audit log comes last, so the
-- old values that the audit triggers copy there during the scrub are scrubbed as well. Returns
-- {"<table>": rows changed}.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.privacy_scrub(p_rules jsonb)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t         record;
    c         record;
    r         jsonb;
    v_tenant  text;            -- the column naming a row's client
    v_sets    text[];
    v_matches text[];
    v_where   text[];
    v_expr    text;
    v_pattern text;
    v_applies text;
    v_rows    bigint;
    v_counts  jsonb := '{}'::jsonb;
    v_needles text[] := ARRAY(SELECT e.value ->> 'needle' FROM jsonb_array_elements(p_rules) e);
BEGIN
    FOR t IN
        SELECT cl.oid, cl.relname FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = 'migration' AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition
           AND cl.relname NOT IN ('privacy_erasures', 'privacy_salt', 'schema_migrations')
         ORDER BY cl.relname = 'security_audit_logs', cl.relname
    LOOP
        v_tenant := CASE WHEN t.relname = 'client_accounts' THEN 'id'
                         WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid
                                         AND a.attname = 'client_account_id' AND NOT a.attisdropped)
                         THEN 'client_account_id' END;
        v_sets := '{}';
        v_where := '{}';
        FOR r IN SELECT value FROM jsonb_array_elements(p_rules) LOOP
            CONTINUE WHEN t.relname = 'users' AND jsonb_typeof(r -> 'clients') = 'array';
            v_applies := CASE WHEN v_tenant IS NOT NULL AND jsonb_typeof(r -> 'clients') = 'array'
                              THEN format('%I = ANY (%L::uuid[])', v_tenant,
                                          ARRAY(SELECT jsonb_array_elements_text(r -> 'clients')))
                              ELSE 'true' END;
            v_matches := '{}';
            FOR c IN
                SELECT a.attname, a.atttypid IN ('json'::regtype, 'jsonb'::regtype) AS is_json
                  FROM pg_attribute a
                 WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                   AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'text[]'::regtype, 'json'::regtype,
                                      'jsonb'::regtype)
            LOOP
                v_pattern := CASE WHEN c.is_json THEN r ->> 'json' ELSE r ->> 'text' END;
                v_matches := v_matches || format('%I::text ~* %L', c.attname, v_pattern);
            END LOOP;
            IF cardinality(v_matches) > 0 THEN
                v_where := v_where || format('(%s AND (%s))', v_applies, array_to_string(v_matches, ' OR '));
            END IF;
        END LOOP;
        CONTINUE WHEN cardinality(v_where) = 0;
        FOR c IN
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type_name,
                   a.atttypid IN ('json'::regtype, 'jsonb'::regtype) AS is_json
              FROM pg_attribute a
             WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
               AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'text[]'::regtype, 'json'::regtype,
                                  'jsonb'::regtype)
        LOOP
            v_expr := format('%I::text', c.attname);
            FOR r IN SELECT value FROM jsonb_array_elements(p_rules) LOOP
                CONTINUE WHEN t.relname = 'users' AND jsonb_typeof(r -> 'clients') = 'array';
                v_pattern := CASE WHEN c.is_json THEN r ->> 'json' ELSE r ->> 'text' END;
                IF v_tenant IS NOT NULL AND jsonb_typeof(r -> 'clients') = 'array' THEN
                    -- a pattern that never matches outside the rule's tenants
                    v_pattern := format('CASE WHEN %I = ANY (%L::uuid[]) THEN %L ELSE ''(?!)'' END', v_tenant,
                                        ARRAY(SELECT jsonb_array_elements_text(r -> 'clients')), v_pattern);
                ELSE
                    v_pattern := quote_literal(v_pattern);
                END IF;
                v_expr := format('regexp_replace(%s, %s, %L, ''gi'')', v_expr, v_pattern, r ->> 'to');
            END LOOP;
            v_sets := v_sets || format('%I = (%s)::%s', c.attname, v_expr, c.type_name);
        END LOOP;
        -- a row that holds none of the values anywhere (its text, any case) is passed over at once
        EXECUTE format('UPDATE migration.%I AS row_ SET %s WHERE row_::text ILIKE ANY (%L::text[]) AND (%s)',
                       t.relname, array_to_string(v_sets, ', '), v_needles, array_to_string(v_where, ' OR '));
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        IF v_rows > 0 THEN
            v_counts := v_counts || jsonb_build_object(t.relname, v_rows);
        END IF;
    END LOOP;
    RETURN v_counts;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- privacy_scrub_files(rules, imports, binary_imports): the uploaded files of `imports` rewritten by the rules
-- when they are UTF-8 text (CSV, JSON: re-chunked, their hash and size updated); a file that is not (a workbook:
-- its rows live on, scrubbed, in raw_import_records and assets) is deleted when its import is one of
-- `binary_imports` (those that hold the person), else left. Returns {"import_file_chunks": chunks touched}.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.privacy_scrub_files(p_rules jsonb, p_imports uuid[], p_binary_imports uuid[])
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    f        record;
    r        jsonb;
    v_text   text;
    v_new    text;
    v_bytes  bytea;
    v_chunk  integer;
    v_no     integer;
    v_rows   bigint := 0;
BEGIN
    FOR f IN
        SELECT k.data_import_id, k.client_account_id, k.engagement_id, max(octet_length(k.content)) AS chunk_size,
               count(*) AS chunks, string_agg(k.content, ''::bytea ORDER BY k.chunk_no) AS content
          FROM migration.import_file_chunks k
         WHERE k.data_import_id = ANY (p_imports)
         GROUP BY 1, 2, 3
    LOOP
        BEGIN
            v_text := convert_from(f.content, 'UTF8');
        EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
            v_text := NULL;
        END;
        IF v_text IS NULL THEN   -- not UTF-8 text (a workbook, NUL bytes)
            CONTINUE WHEN f.data_import_id <> ALL (p_binary_imports);
            DELETE FROM migration.import_file_chunks WHERE data_import_id = f.data_import_id;
            v_rows := v_rows + f.chunks;
            CONTINUE;
        END IF;
        v_new := v_text;
        FOR r IN SELECT value FROM jsonb_array_elements(p_rules) LOOP
            IF jsonb_typeof(r -> 'clients') <> 'array'
               OR f.client_account_id = ANY (ARRAY(SELECT jsonb_array_elements_text(r -> 'clients'))::uuid[]) THEN
                v_new := regexp_replace(v_new, r ->> 'text', r ->> 'to', 'gi');
            END IF;
        END LOOP;
        CONTINUE WHEN v_new = v_text;
        v_bytes := convert_to(v_new, 'UTF8');
        DELETE FROM migration.import_file_chunks WHERE data_import_id = f.data_import_id;
        v_chunk := greatest(f.chunk_size, 1);
        v_no := 0;
        WHILE v_no * v_chunk < octet_length(v_bytes) LOOP
            INSERT INTO migration.import_file_chunks
                   (client_account_id, engagement_id, data_import_id, chunk_no, content)
            VALUES (f.client_account_id, f.engagement_id, f.data_import_id, v_no,
                    substring(v_bytes FROM v_no * v_chunk + 1 FOR v_chunk));
            v_no := v_no + 1;
        END LOOP;
        UPDATE migration.data_imports SET content_sha256 = encode(sha256(v_bytes), 'hex'),
                                          file_size_bytes = octet_length(v_bytes)
         WHERE id = f.data_import_id;
        v_rows := v_rows + f.chunks;
    END LOOP;
    RETURN CASE WHEN v_rows > 0 THEN jsonb_build_object('import_file_chunks', v_rows) ELSE '{}'::jsonb END;
END
$$;

-- Who is tied to which client: each (user, client) that a row names (memberships, administration, decisions,
-- requests, uploads, steps: every foreign key to users of a tenant table) or an audit entry's actor shows;
-- limited to one user or one client when given.
CREATE FUNCTION migration.privacy_ties(p_user uuid, p_client uuid)
RETURNS TABLE (user_id uuid, client_account_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_column record;
BEGIN
    RETURN QUERY SELECT DISTINCT l.actor_user_id, l.client_account_id FROM migration.security_audit_logs l
                  WHERE l.actor_user_id IS NOT NULL AND l.actor_user_id = coalesce(p_user, l.actor_user_id)
                    AND l.client_account_id = coalesce(p_client, l.client_account_id);
    FOR v_column IN
        SELECT cl.relname, a.attname
          FROM pg_constraint k
          JOIN pg_class cl ON cl.oid = k.conrelid
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
         WHERE k.contype = 'f' AND k.confrelid = 'migration.users'::regclass AND cardinality(k.conkey) = 1
           AND NOT cl.relispartition
           AND EXISTS (SELECT 1 FROM pg_attribute c WHERE c.attrelid = cl.oid AND c.attname = 'client_account_id')
    LOOP
        RETURN QUERY EXECUTE format(
            'SELECT DISTINCT %1$I, client_account_id FROM migration.%2$I'
            ' WHERE %1$I IS NOT NULL AND %1$I = coalesce($1, %1$I)'
            '   AND client_account_id = coalesce($2, client_account_id)',
            v_column.attname, v_column.relname) USING p_user, p_client;
    END LOOP;
END
$$;

-- The regular expressions that find a value as a whole word (an e-mail: not inside a longer address), in text
-- and inside JSON text.
CREATE FUNCTION migration.privacy_rule(p_value text, p_to text, p_clients uuid[])
RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object(
        'text', '(?<![[:alnum:]_.+-])' || regexp_replace(p_value, '([^[:alnum:][:space:]])', '\\\1', 'g')
                || '(?![[:alnum:]_-]|\.[[:alnum:]])',
        'json', '(?<![[:alnum:]_.+-])'
                || regexp_replace(substr(j, 2, length(j) - 2), '([^[:alnum:][:space:]])', '\\\1', 'g')
                || '(?![[:alnum:]_-]|\.[[:alnum:]])',
        'to', p_to,
        'clients', to_jsonb(p_clients),
        -- what a row's text holds when a column does (ILIKE; a record doubles the quotes of its fields)
        'needle', '%' || regexp_replace(replace(p_value, '"', '""'), '([%_\\])', '\\\1', 'g') || '%')
      FROM (SELECT to_jsonb(p_value)::text AS j) json_text
$$;

-- Drops a person's login when the platform may (it created it); false when the login is not its own to drop
-- (made by a superuser): the caller reports it for a database administrator.
CREATE FUNCTION migration.privacy_drop_login(p_login text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT migration.is_platform_admin() THEN
        RAISE EXCEPTION 'only a platform administrator erases people' USING ERRCODE = '42501';
    END IF;
    IF p_login IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RETURN true;
    END IF;
    IF NOT pg_has_role(p_login, 'migration_person', 'MEMBER') OR p_login LIKE '%migration%' THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP ROLE %I', p_login);
    RETURN true;
EXCEPTION WHEN insufficient_privilege OR dependent_objects_still_exist OR object_in_use THEN
    RETURN false;
END
$$;
ALTER FUNCTION migration.privacy_drop_login(text) OWNER TO migration_people;

-- ---------------------------------------------------------------------------------------------
-- privacy_erase_people(users): each person's e-mail (everywhere) and name (in the tenants they are tied to)
-- replaced by their pseudonym erased-user-<hash> (e-mail: erased-user-<hash>@erased.invalid), their uploaded
-- files scrubbed, their user row pseudonymised, their login dropped, their memberships and administrations
-- removed; an erasure record per person and an audit entry in each client they were tied to. A name shorter
-- than 3 characters is not searched for (it would match unrelated words). The caller checked the right.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.privacy_erase_people(p_users uuid[])
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    u          record;
    v_rules    jsonb := '[]'::jsonb;
    v_people   jsonb := '[]'::jsonb;
    v_imports  uuid[];
    v_holding  uuid[];
    v_json     text;
    v_counts   jsonb;
    v_files    jsonb;
    v_rows     bigint;
    v_logins   text[] := '{}';
    v_login    text;
    p          jsonb;
    kv         record;
BEGIN
    FOR u IN SELECT id, email, display_name, login_role, migration.privacy_hash(email) AS hash,
                    ARRAY(SELECT DISTINCT t.client_account_id FROM migration.privacy_ties(id, NULL) t) AS clients
               FROM migration.users WHERE id = ANY (p_users)
    LOOP
        v_rules := v_rules
            || migration.privacy_rule(u.email, 'erased-user-' || left(u.hash, 16) || '@erased.invalid', NULL);
        IF length(btrim(coalesce(u.display_name, ''))) >= 3 THEN
            v_rules := v_rules || migration.privacy_rule(btrim(u.display_name), 'erased-user-' || left(u.hash, 16),
                                                         u.clients);
        END IF;
        v_people := v_people || jsonb_build_object('id', u.id, 'hash', u.hash, 'login', u.login_role,
                                                   'clients', to_jsonb(u.clients));
    END LOOP;
    IF jsonb_array_length(v_people) = 0 THEN
        RETURN '{}'::jsonb;
    END IF;
    -- the uploads that hold them (whose records name them, or that they uploaded): a binary file of those goes;
    -- the text files of their tenants' other uploads are rewritten where they name them
    v_json := (SELECT string_agg(r ->> 'json', '|') FROM jsonb_array_elements(v_rules) r);
    v_holding := ARRAY(
        SELECT DISTINCT data_import_id FROM migration.raw_import_records
         WHERE raw_data::text ~* v_json OR cleansed_data::text ~* v_json
        UNION
        SELECT i.id FROM migration.data_imports i WHERE i.imported_by = ANY (p_users));
    v_imports := v_holding || ARRAY(
        SELECT i.id FROM migration.data_imports i
         WHERE i.client_account_id IN (SELECT jsonb_array_elements_text(x -> 'clients')::uuid
                                         FROM jsonb_array_elements(v_people) x));
    v_files := migration.privacy_scrub_files(v_rules, v_imports, v_holding);

    -- what no pattern finds: the logins, memberships and administrations
    DELETE FROM migration.engagement_members WHERE user_id = ANY (p_users);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_counts := CASE WHEN v_rows > 0 THEN jsonb_build_object('engagement_members', v_rows) ELSE '{}'::jsonb END;
    DELETE FROM migration.client_admins WHERE user_id = ANY (p_users);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows > 0 THEN
        v_counts := v_counts || jsonb_build_object('client_admins', v_rows);
    END IF;
    UPDATE migration.users SET login_role = NULL WHERE id = ANY (p_users);

    v_counts := v_counts || v_files;
    -- every column of every table, the audit log last (it holds the old values of the changes above too)
    FOR kv IN SELECT key, value FROM jsonb_each(migration.privacy_scrub(v_rules)) LOOP
        v_counts := v_counts || jsonb_build_object(kv.key, coalesce((v_counts ->> kv.key)::bigint, 0)
                                                            + kv.value::bigint);
    END LOOP;

    FOR p IN SELECT value FROM jsonb_array_elements(v_people) LOOP
        -- the user row whatever the patterns found (a name too short to search for)
        UPDATE migration.users SET email = 'erased-user-' || left(p ->> 'hash', 16) || '@erased.invalid',
                                   display_name = 'erased-user-' || left(p ->> 'hash', 16)
         WHERE id = (p ->> 'id')::uuid;
        v_login := p ->> 'login';
        IF v_login IS NOT NULL AND NOT migration.privacy_drop_login(v_login) THEN
            v_logins := v_logins || v_login;
        END IF;
        INSERT INTO migration.privacy_erasures (subject_kind, subject_hashes, pseudonym, erased_by, erased_rows)
        VALUES ('user', ARRAY[p ->> 'hash'], 'erased-user-' || left(p ->> 'hash', 16), migration.person_id(),
                v_counts);
        INSERT INTO migration.security_audit_logs
               (client_account_id, engagement_id, actor_user_id, operation, table_name, row_id, changes)
        SELECT c::uuid, NULL, migration.person_id(), 'update', 'users', (p ->> 'id')::uuid,
               jsonb_build_object('privacy_erasure', jsonb_build_object(
                   'pseudonym', 'erased-user-' || left(p ->> 'hash', 16), 'rows', v_counts))
          FROM jsonb_array_elements_text(p -> 'clients') c
         WHERE EXISTS (SELECT 1 FROM migration.client_accounts a WHERE a.id = c::uuid);
    END LOOP;
    RETURN jsonb_build_object('rows', v_counts, 'logins_kept', to_jsonb(v_logins));
END
$$;

-- ---------------------------------------------------------------------------------------------
-- privacy_erase_user(email, new_owner): a platform administrator erases a person (never themselves). An
-- engagement they alone own passes to `new_owner` (an existing person tied to the engagement's client), else the
-- erasure is refused.
-- A second request for an erased e-mail answers {"already_erased_at": ...}.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.privacy_erase_user(p_email text, p_new_owner text)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_user      uuid;
    v_new_owner uuid;
    v_orphans   uuid[];
    v_names     text[];
    v_stranger  text;
    v_previous  timestamptz;
    v_result    jsonb;
BEGIN
    IF NOT migration.is_platform_admin() THEN
        RAISE EXCEPTION 'only a platform administrator erases people' USING ERRCODE = '42501';
    END IF;
    PERFORM set_config('migration.privacy_erasing', 'on', true);
    SELECT id INTO v_user FROM migration.users WHERE lower(email) = lower(btrim(p_email));
    IF v_user IS NULL THEN
        SELECT max(erased_at) INTO v_previous FROM migration.privacy_erasures
         WHERE subject_kind = 'user' AND migration.privacy_hash(p_email) = ANY (subject_hashes);
        IF v_previous IS NOT NULL THEN
            RETURN jsonb_build_object('already_erased_at', v_previous);
        END IF;
        RAISE EXCEPTION 'no person with that e-mail: nothing erased (`people whoami` and the members of an '
                        'engagement name them)' USING ERRCODE = 'P0002';
    END IF;
    IF v_user = migration.person_id() THEN
        RAISE EXCEPTION 'nobody erases themselves: another platform administrator does' USING ERRCODE = '42501';
    END IF;
    IF p_new_owner IS NOT NULL THEN
        SELECT id INTO v_new_owner FROM migration.users WHERE lower(email) = lower(btrim(p_new_owner));
        IF v_new_owner IS NULL OR v_new_owner = v_user THEN
            RAISE EXCEPTION 'the new owner must be another person known to the platform' USING ERRCODE = 'P0002';
        END IF;
    END IF;
    -- engagements they alone own keep an owner
    v_orphans := ARRAY(
        SELECT m.engagement_id FROM migration.engagement_members m
         WHERE m.user_id = v_user AND m.role = 'owner'
           AND NOT EXISTS (SELECT 1 FROM migration.engagement_members o
                            WHERE o.engagement_id = m.engagement_id AND o.role = 'owner' AND o.user_id <> v_user));
    v_names := ARRAY(SELECT e.name FROM migration.engagements e WHERE e.id = ANY (v_orphans) ORDER BY e.name);
    IF cardinality(v_orphans) > 0 AND v_new_owner IS NULL THEN
        RAISE EXCEPTION 'the person alone owns % engagement(s) (%): name their new owner with --new-owner EMAIL',
            cardinality(v_orphans), array_to_string(v_names, ', ') USING ERRCODE = '55000';
    END IF;
    -- the new owner works for each engagement's client already
    SELECT format('engagement %s of client %s', e.name, a.name) INTO v_stranger
      FROM migration.engagements e JOIN migration.client_accounts a ON a.id = e.client_account_id
     WHERE e.id = ANY (v_orphans)
       AND NOT EXISTS (SELECT 1 FROM migration.privacy_ties(v_new_owner, e.client_account_id))
     ORDER BY a.name, e.name LIMIT 1;
    IF v_stranger IS NOT NULL THEN
        RAISE EXCEPTION 'the new owner works for another client than % (the person alone owns it): name a person '
                        'of that client with --new-owner EMAIL', v_stranger USING ERRCODE = '55000';
    END IF;
    INSERT INTO migration.engagement_members (client_account_id, engagement_id, user_id, role)
    SELECT e.client_account_id, e.id, v_new_owner, 'owner' FROM migration.engagements e WHERE e.id = ANY (v_orphans)
    ON CONFLICT (engagement_id, user_id) DO UPDATE SET role = 'owner';
    v_result := migration.privacy_erase_people(ARRAY[v_user]);
    RETURN v_result || jsonb_build_object('new_owner_of', to_jsonb(v_names));
END
$$;

-- ---------------------------------------------------------------------------------------------
-- privacy_erase_client(client): a platform administrator deletes every row of a tenant (children before
-- parents, the audit log and then the client last) and erases its people who work for no other client (nor
-- administer the platform). Returns the rows per table, the engagements' ids (whose workflows the caller
-- deletes from Temporal) and the people erased.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION migration.privacy_erase_client(p_client uuid)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_client      migration.client_accounts;
    v_people      uuid[];
    v_engagements uuid[];
    v_tables      text[];
    v_ready       text[];
    t             text;
    v_rows        bigint;
    v_deleted     bigint;
    v_counts      jsonb := '{}'::jsonb;
    v_erased      jsonb;
BEGIN
    IF NOT migration.is_platform_admin() THEN
        RAISE EXCEPTION 'only a platform administrator erases clients' USING ERRCODE = '42501';
    END IF;
    PERFORM set_config('migration.privacy_erasing', 'on', true);
    SELECT * INTO v_client FROM migration.client_accounts WHERE id = p_client;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no client account %', p_client USING ERRCODE = 'P0002';
    END IF;
    v_engagements := ARRAY(SELECT id FROM migration.engagements WHERE client_account_id = p_client ORDER BY id);
    -- its people: tied to it, to no other client, and no platform administrator
    v_people := ARRAY(
        SELECT u.id FROM migration.users u
         WHERE u.id IN (SELECT t.user_id FROM migration.privacy_ties(NULL, p_client) t)
           AND u.id IS DISTINCT FROM migration.person_id()
           AND NOT EXISTS (SELECT 1 FROM migration.engagement_members m
                            WHERE m.user_id = u.id AND m.client_account_id <> p_client)
           AND NOT EXISTS (SELECT 1 FROM migration.client_admins a
                            WHERE a.user_id = u.id AND a.client_account_id <> p_client)
           AND NOT CASE WHEN u.login_role IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = u.login_role)
                        THEN false
                        ELSE pg_has_role(u.login_role, 'migration_admin', 'MEMBER') END);

    -- the tenant tables, each deleted once nothing that must go first still refers to it
    v_tables := ARRAY(
        SELECT cl.relname FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = 'migration' AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition
           AND cl.relname <> 'security_audit_logs'
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = cl.oid AND a.attname = 'client_account_id'
                                                      AND NOT a.attisdropped)
         ORDER BY cl.relname);
    WHILE cardinality(v_tables) > 0 LOOP
        v_ready := ARRAY(
            SELECT x FROM unnest(v_tables) x
             WHERE NOT EXISTS (
                 SELECT 1 FROM pg_constraint k JOIN pg_class child ON child.oid = k.conrelid
                  WHERE k.contype = 'f' AND k.confrelid = format('migration.%I', x)::regclass
                    AND k.conrelid <> k.confrelid AND k.confdeltype NOT IN ('c', 'n', 'd')
                    AND child.relname = ANY (v_tables) AND child.relname <> x));
        IF cardinality(v_ready) = 0 THEN
            v_ready := v_tables;   -- a cycle: the statements' own order decides
        END IF;
        FOREACH t IN ARRAY v_ready LOOP
            EXECUTE format('DELETE FROM migration.%I WHERE client_account_id = $1', t) USING p_client;
            GET DIAGNOSTICS v_rows = ROW_COUNT;
            IF v_rows > 0 THEN
                v_counts := v_counts || jsonb_build_object(t, coalesce((v_counts ->> t)::bigint, 0) + v_rows);
            END IF;
        END LOOP;
        v_tables := ARRAY(SELECT x FROM unnest(v_tables) x WHERE x <> ALL (v_ready));
    END LOOP;
    -- the audit log (with the entries the deletions above just wrote), its people, the audit entries their
    -- erasure wrote, then the client itself: its delete is not audited, for no audit row can name a client that
    -- no longer exists. Disabling the trigger locks client_accounts (SHARE ROW EXCLUSIVE) until the commit: last.
    DELETE FROM migration.security_audit_logs WHERE client_account_id = p_client;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_erased := migration.privacy_erase_people(v_people);
    DELETE FROM migration.security_audit_logs WHERE client_account_id = p_client;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    v_counts := v_counts || jsonb_build_object('security_audit_logs', v_rows + v_deleted);
    ALTER TABLE migration.client_accounts DISABLE TRIGGER audit_delete;
    DELETE FROM migration.client_accounts WHERE id = p_client;
    ALTER TABLE migration.client_accounts ENABLE TRIGGER audit_delete;
    v_counts := v_counts || jsonb_build_object('client_accounts', 1);
    INSERT INTO migration.privacy_erasures (subject_kind, subject_hashes, pseudonym, erased_by, erased_rows,
                                            engagement_ids)
    VALUES ('client', ARRAY[migration.privacy_hash(v_client.id::text), migration.privacy_hash(v_client.name),
                            migration.privacy_hash(v_client.slug)],
            'erased-client-' || left(migration.privacy_hash(v_client.id::text), 16), migration.person_id(),
            v_counts || jsonb_build_object('users', cardinality(v_people)), v_engagements);
    RETURN jsonb_build_object('rows', v_counts, 'engagements', to_jsonb(v_engagements),
                              'people', cardinality(v_people), 'people_rows', coalesce(v_erased -> 'rows', '{}'),
                              'logins_kept', coalesce(v_erased -> 'logins_kept', '[]'));
END
$$;

-- When a subject (a person's e-mail; a client's id, name or slug) was erased last (NULL if never, or when
-- the caller administers no platform), and the engagements its erasures deleted.
CREATE FUNCTION migration.privacy_erased(p_kind text, p_subject text)
RETURNS TABLE (erased_at timestamptz, engagement_ids uuid[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT max(e.erased_at), coalesce(array_agg(DISTINCT x.id) FILTER (WHERE x.id IS NOT NULL), '{}')
      FROM migration.privacy_erasures e LEFT JOIN LATERAL unnest(e.engagement_ids) AS x(id) ON true
     WHERE migration.is_platform_admin() AND e.subject_kind = p_kind
       AND migration.privacy_hash(p_subject) = ANY (e.subject_hashes)
$$;

REVOKE ALL ON FUNCTION migration.privacy_hash(text), migration.privacy_erasing(), migration.privacy_scrub(jsonb),
    migration.privacy_scrub_files(jsonb, uuid[], uuid[]), migration.privacy_ties(uuid, uuid),
    migration.privacy_rule(text, text, uuid[]), migration.privacy_drop_login(text),
    migration.privacy_erase_people(uuid[]), migration.privacy_erase_user(text, text),
    migration.privacy_erase_client(uuid), migration.privacy_erased(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.privacy_drop_login(text) TO migration_owner;
GRANT EXECUTE ON FUNCTION migration.privacy_erase_user(text, text), migration.privacy_erase_client(uuid),
    migration.privacy_erased(text, text) TO migration_person;
