-- 0001_tenancy: the tenant hierarchy (client account -> engagement), global user identities,
-- engagement membership, and the shared trigger function migration.touch_updated_at().
-- Applied once by the migrator as migration_owner, in its own transaction; every object is
-- schema-qualified because the migrator's search_path is not relied upon.

GRANT USAGE ON SCHEMA migration TO migration_app;

-- Shared BEFORE UPDATE trigger: keeps updated_at truthful without every query remembering it.
CREATE FUNCTION migration.touch_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;

REVOKE ALL ON FUNCTION migration.touch_updated_at() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration.touch_updated_at() TO migration_app;

-- ---------------------------------------------------------------------------------------------
-- client_accounts: the tenant. Its id IS the tenant id (row-level security compares it directly).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.client_accounts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    slug        text NOT NULL,
    status      text NOT NULL DEFAULT 'active',
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    preferences jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_accounts_name_key UNIQUE (name),
    CONSTRAINT client_accounts_slug_key UNIQUE (slug),
    CONSTRAINT client_accounts_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT client_accounts_slug_check CHECK (slug ~ '^[a-z0-9][a-z0-9_-]*$'),
    -- vocabulary: CLIENT_ACCOUNT_STATUSES
    CONSTRAINT client_accounts_status_check CHECK (status IN ('active', 'suspended', 'archived')),
    CONSTRAINT client_accounts_settings_check CHECK (jsonb_typeof(settings) = 'object'),
    CONSTRAINT client_accounts_preferences_check CHECK (jsonb_typeof(preferences) = 'object')
);

CREATE TRIGGER client_accounts_touch_updated_at
    BEFORE UPDATE ON migration.client_accounts
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- engagements: a client's project. unique (id, client_account_id) is the target of every tenant
-- table's composite foreign key, so a row can never name an engagement of another client.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.engagements (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    name              text NOT NULL,
    description       text,
    status            text NOT NULL DEFAULT 'planned',
    start_date        date,
    target_end_date   date,
    -- free-form engagement settings; approval policy and business goals have their own columns
    settings          jsonb NOT NULL DEFAULT '{}'::jsonb,
    approval_policy   jsonb NOT NULL DEFAULT '{}'::jsonb,
    business_goals    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT engagements_client_account_id_name_key UNIQUE (client_account_id, name),
    CONSTRAINT engagements_id_client_account_id_key UNIQUE (id, client_account_id),
    CONSTRAINT engagements_name_check CHECK (length(btrim(name)) > 0),
    -- vocabulary: ENGAGEMENT_STATUSES
    CONSTRAINT engagements_status_check
        CHECK (status IN ('planned', 'active', 'on_hold', 'completed', 'archived')),
    CONSTRAINT engagements_target_end_date_check
        CHECK (target_end_date IS NULL OR start_date IS NULL OR target_end_date >= start_date),
    CONSTRAINT engagements_settings_check CHECK (jsonb_typeof(settings) = 'object'),
    CONSTRAINT engagements_approval_policy_check CHECK (jsonb_typeof(approval_policy) = 'object'),
    CONSTRAINT engagements_business_goals_check
        CHECK (jsonb_typeof(business_goals) = 'object' OR jsonb_typeof(business_goals) = 'array')
);
-- client_account_id FK is covered by the leading column of engagements_client_account_id_name_key.

CREATE TRIGGER engagements_touch_updated_at
    BEFORE UPDATE ON migration.engagements
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- users: global identities (one person can work for several clients); not a tenant table.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.users (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email        text NOT NULL,
    display_name text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_check CHECK (position('@' IN email) > 1 AND email = btrim(email))
);

-- citext is not available: case-insensitive uniqueness through an expression index.
CREATE UNIQUE INDEX ux_users_email_lower ON migration.users (lower(email));

CREATE TRIGGER users_touch_updated_at
    BEFORE UPDATE ON migration.users
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- engagement_members: who works on an engagement, and in which role (approvals need
-- owner/approver). Users referenced here cannot be deleted until the membership is removed.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.engagement_members (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    user_id           uuid NOT NULL REFERENCES migration.users (id),
    role              text NOT NULL DEFAULT 'viewer',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT engagement_members_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT engagement_members_engagement_id_user_id_key UNIQUE (engagement_id, user_id),
    -- vocabulary: MEMBER_ROLES
    CONSTRAINT engagement_members_role_check
        CHECK (role IN ('owner', 'approver', 'contributor', 'viewer'))
);

CREATE INDEX ix_engagement_members_client_engagement
    ON migration.engagement_members (client_account_id, engagement_id);
CREATE INDEX ix_engagement_members_user_id ON migration.engagement_members (user_id);

CREATE TRIGGER engagement_members_touch_updated_at
    BEFORE UPDATE ON migration.engagement_members
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Privileges of the application role (row-level security is added in 0007).
-- ---------------------------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.client_accounts TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.engagements TO migration_app;
GRANT SELECT, INSERT ON migration.users TO migration_app;   -- no UPDATE: one tenant must not edit a shared identity
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.engagement_members TO migration_app;
