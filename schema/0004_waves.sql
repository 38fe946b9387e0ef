-- 0004_waves: migration planning output. migration_waves (numbered waves per engagement with
-- schedule, size, effort, cost and the constraint report of the planner) and
-- migration_wave_assets (which asset moves in which wave; an asset is in at most one wave per
-- engagement).

CREATE TABLE migration.migration_waves (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id     uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id         uuid NOT NULL,
    planning_flow_id      uuid REFERENCES migration.planning_flows (flow_id),
    wave_number           integer NOT NULL,
    name                  text,
    status                text NOT NULL DEFAULT 'planned',
    planned_start         date,
    planned_end           date,
    asset_count           integer NOT NULL DEFAULT 0,
    total_storage_gb      numeric NOT NULL DEFAULT 0,
    estimated_effort_days numeric,
    estimated_cost        numeric,
    constraints_report    jsonb NOT NULL DEFAULT '{}'::jsonb,   -- rules checked, violations, reasons
    started_at            timestamptz,
    completed_at          timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT migration_waves_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT migration_waves_engagement_id_wave_number_key UNIQUE (engagement_id, wave_number),
    CONSTRAINT migration_waves_wave_number_check CHECK (wave_number >= 0),
    -- vocabulary: WAVE_STATUSES
    CONSTRAINT migration_waves_status_check CHECK (status IN
        ('planned', 'scheduled', 'in_progress', 'completed', 'failed', 'cancelled')),
    CONSTRAINT migration_waves_planned_end_check
        CHECK (planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start),
    CONSTRAINT migration_waves_asset_count_check CHECK (asset_count >= 0),
    CONSTRAINT migration_waves_total_storage_gb_check CHECK (total_storage_gb >= 0),
    CONSTRAINT migration_waves_estimated_effort_days_check CHECK (estimated_effort_days >= 0),
    CONSTRAINT migration_waves_estimated_cost_check CHECK (estimated_cost >= 0),
    CONSTRAINT migration_waves_completed_at_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);

CREATE INDEX ix_migration_waves_client_engagement ON migration.migration_waves (client_account_id, engagement_id);
CREATE INDEX ix_migration_waves_planning_flow_id ON migration.migration_waves (planning_flow_id)
    WHERE planning_flow_id IS NOT NULL;

CREATE TRIGGER migration_waves_touch_updated_at
    BEFORE UPDATE ON migration.migration_waves
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

CREATE TABLE migration.migration_wave_assets (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    wave_id           uuid NOT NULL REFERENCES migration.migration_waves (id) ON DELETE CASCADE,
    asset_id          uuid NOT NULL REFERENCES migration.assets (id) ON DELETE CASCADE,
    move_group        text,
    placement_reason  text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT migration_wave_assets_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT migration_wave_assets_wave_id_asset_id_key UNIQUE (wave_id, asset_id),
    -- an asset moves in at most one wave per engagement
    CONSTRAINT migration_wave_assets_engagement_id_asset_id_key UNIQUE (engagement_id, asset_id)
);

CREATE INDEX ix_migration_wave_assets_client_engagement
    ON migration.migration_wave_assets (client_account_id, engagement_id);
CREATE INDEX ix_migration_wave_assets_asset_id ON migration.migration_wave_assets (asset_id);

CREATE TRIGGER migration_wave_assets_touch_updated_at
    BEFORE UPDATE ON migration.migration_wave_assets
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

GRANT SELECT, INSERT, UPDATE, DELETE ON migration.migration_waves TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.migration_wave_assets TO migration_app;
