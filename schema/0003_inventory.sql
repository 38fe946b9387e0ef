-- 0003_inventory: discovery inventory. data_imports (one uploaded file), import_field_mappings
-- (source column -> asset column, with source and confidence), assets (the seed's 60+ column
-- asset model: identification, infrastructure, business context, migration planning,
-- performance, cost, tech debt, lineage, flow links), raw_import_records (staged rows, one per
-- input row, bulk-loaded) and asset_dependencies (directed edges between assets).

-- ---------------------------------------------------------------------------------------------
-- data_imports: one ingested file. May precede any flow (master_flow_id nullable).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.data_imports (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id   uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id       uuid NOT NULL,
    master_flow_id      uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
    discovery_flow_id   uuid REFERENCES migration.discovery_flows (flow_id),
    file_name           text NOT NULL,
    source_format       text,              -- detected format, e.g. rvtools_vinfo, aws_ads, servicenow_cmdb
    source_uri          text,
    content_sha256      text,
    file_size_bytes     bigint,
    status              text NOT NULL DEFAULT 'received',
    total_records       integer NOT NULL DEFAULT 0,
    valid_records       integer NOT NULL DEFAULT 0,
    quarantined_records integer NOT NULL DEFAULT 0,
    error_summary       jsonb,
    imported_by         uuid REFERENCES migration.users (id),
    started_at          timestamptz,
    completed_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT data_imports_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT data_imports_file_name_check CHECK (length(btrim(file_name)) > 0),
    CONSTRAINT data_imports_content_sha256_check CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT data_imports_file_size_bytes_check CHECK (file_size_bytes >= 0),
    -- vocabulary: IMPORT_STATUSES
    CONSTRAINT data_imports_status_check CHECK (status IN
        ('received', 'staging', 'mapping_review', 'processing', 'completed', 'failed')),
    CONSTRAINT data_imports_total_records_check CHECK (total_records >= 0),
    CONSTRAINT data_imports_valid_records_check CHECK (valid_records >= 0),
    CONSTRAINT data_imports_quarantined_records_check CHECK (quarantined_records >= 0),
    CONSTRAINT data_imports_completed_at_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);

CREATE INDEX ix_data_imports_client_engagement ON migration.data_imports (client_account_id, engagement_id);
CREATE INDEX ix_data_imports_master_flow_id ON migration.data_imports (master_flow_id)
    WHERE master_flow_id IS NOT NULL;
CREATE INDEX ix_data_imports_discovery_flow_id ON migration.data_imports (discovery_flow_id)
    WHERE discovery_flow_id IS NOT NULL;
CREATE INDEX ix_data_imports_imported_by ON migration.data_imports (imported_by)
    WHERE imported_by IS NOT NULL;
-- "was this exact file imported before?" (not unique: re-importing on purpose is allowed)
CREATE INDEX ix_data_imports_engagement_sha256 ON migration.data_imports (engagement_id, content_sha256)
    WHERE content_sha256 IS NOT NULL;

CREATE TRIGGER data_imports_touch_updated_at
    BEFORE UPDATE ON migration.data_imports
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- import_field_mappings: one row per source column of an import.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.import_field_mappings (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    data_import_id    uuid NOT NULL REFERENCES migration.data_imports (id) ON DELETE CASCADE,
    source_field      text NOT NULL,
    target_field      text,                 -- NULL: not mapped (kept in custom_attributes/raw_data)
    confidence        double precision,
    source            text NOT NULL,
    status            text NOT NULL DEFAULT 'suggested',
    reason            text,
    transformation    jsonb,
    approved_by       uuid REFERENCES migration.users (id),
    approved_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT import_field_mappings_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT import_field_mappings_data_import_id_source_field_key UNIQUE (data_import_id, source_field),
    CONSTRAINT import_field_mappings_confidence_check CHECK (confidence BETWEEN 0 AND 1),
    -- vocabulary: MAPPING_SOURCES
    CONSTRAINT import_field_mappings_source_check CHECK (source IN
        ('exact', 'synonym', 'profile', 'learned', 'llm', 'user')),
    -- vocabulary: MAPPING_STATUSES
    CONSTRAINT import_field_mappings_status_check CHECK (status IN ('suggested', 'approved', 'rejected'))
);

CREATE INDEX ix_import_field_mappings_client_engagement
    ON migration.import_field_mappings (client_account_id, engagement_id);
CREATE INDEX ix_import_field_mappings_approved_by ON migration.import_field_mappings (approved_by)
    WHERE approved_by IS NOT NULL;

CREATE TRIGGER import_field_mappings_touch_updated_at
    BEFORE UPDATE ON migration.import_field_mappings
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- assets: the inventory. Wide on purpose (the seed: every column is a mapping target; most are
-- NULL for any one source). Sizes are in GB (GiB-based exports are converted on the way in),
-- utilisation in percent 0..100, money in cost_currency.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.assets (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id       uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id           uuid NOT NULL,

    -- Identification
    name                    text NOT NULL,
    external_id             text,          -- natural key from the source (sys_id, ExternalId, VM ID ...)
    cmdb_id                 text,
    hostname                text,
    fqdn                    text,
    asset_type              text NOT NULL DEFAULT 'server',
    description             text,
    serial_number           text,
    bios_uuid               text,          -- SMBIOS / VM UUID, a strong de-duplication key
    manufacturer            text,
    model                   text,

    -- Infrastructure
    ip_address              text,          -- primary address
    ip_addresses            jsonb NOT NULL DEFAULT '[]'::jsonb,
    mac_address             text,
    mac_addresses           jsonb NOT NULL DEFAULT '[]'::jsonb,
    operating_system        text,
    os_family               text,
    os_version              text,
    os_architecture         text,
    os_end_of_life          date,
    cpu_cores               integer,
    cpu_sockets             integer,
    cpu_mhz                 integer,
    memory_gb               numeric,
    storage_gb              numeric,
    storage_used_gb         numeric,
    disk_count              integer,
    network_adapters        integer,
    is_virtual              boolean,
    is_template             boolean,
    hypervisor              text,
    power_state             text,
    vm_hardware_version     text,
    datacenter              text,
    cluster                 text,
    host_name               text,          -- physical/hypervisor host the asset runs on
    location                text,
    environment             text,

    -- Business context
    application_name        text,
    business_owner          text,
    technical_owner         text,
    department              text,
    business_unit           text,
    business_criticality    text,
    data_classification     text,
    compliance_requirements jsonb NOT NULL DEFAULT '[]'::jsonb,
    tags                    jsonb NOT NULL DEFAULT '{}'::jsonb,
    custom_attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,

    -- Migration planning (every decision records its source and confidence)
    six_r_strategy          text,
    strategy_source         text,
    strategy_confidence     double precision,
    strategy_rationale      jsonb,
    migration_priority      integer,
    complexity_score        numeric,
    complexity_level        text,
    risk_score              numeric,
    readiness_score         numeric,
    scoring_details         jsonb NOT NULL DEFAULT '{}'::jsonb,   -- factors, sources, confidences
    wave_number             integer,
    migration_status        text NOT NULL DEFAULT 'not_started',
    target_platform         text,
    target_region           text,
    target_instance_type    text,

    -- Performance
    cpu_utilization_avg     double precision,
    cpu_utilization_peak    double precision,
    memory_utilization_avg  double precision,
    memory_utilization_peak double precision,
    disk_iops_avg           double precision,
    disk_iops_peak          double precision,
    disk_throughput_mbps    double precision,
    network_throughput_mbps double precision,

    -- Cost (monthly, in cost_currency)
    current_monthly_cost    numeric,
    projected_monthly_cost  numeric,
    cost_currency           char(3) NOT NULL DEFAULT 'USD',

    -- Technical debt
    tech_debt_flags         jsonb NOT NULL DEFAULT '[]'::jsonb,

    -- Lineage
    raw_data                jsonb,
    data_import_id          uuid REFERENCES migration.data_imports (id) ON DELETE SET NULL,
    source_row_number       integer,
    field_lineage           jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"<column>": {"source": ..., ...}}
    cleansing_changes       jsonb NOT NULL DEFAULT '[]'::jsonb,
    discovered_at           timestamptz,

    -- Flow links (which run of each phase touched the asset)
    master_flow_id          uuid REFERENCES migration.crewai_flow_state_extensions (flow_id),
    discovery_flow_id       uuid REFERENCES migration.discovery_flows (flow_id),
    assessment_flow_id      uuid REFERENCES migration.assessment_flows (flow_id),
    planning_flow_id        uuid REFERENCES migration.planning_flows (flow_id),
    execution_flow_id       uuid REFERENCES migration.execution_flows (flow_id),

    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT assets_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT assets_name_check CHECK (length(btrim(name)) > 0),
    -- vocabulary: ASSET_TYPES
    CONSTRAINT assets_asset_type_check CHECK (asset_type IN
        ('server', 'application', 'database', 'network', 'storage', 'load_balancer', 'container', 'other')),
    -- vocabulary: ENVIRONMENTS
    CONSTRAINT assets_environment_check CHECK (environment IN
        ('production', 'disaster_recovery', 'staging', 'uat', 'test', 'development')),
    -- vocabulary: CRITICALITIES
    CONSTRAINT assets_business_criticality_check CHECK (business_criticality IN
        ('critical', 'high', 'medium', 'low')),
    -- vocabulary: SIX_R_STRATEGIES
    CONSTRAINT assets_six_r_strategy_check CHECK (six_r_strategy IN
        ('rehost', 'replatform', 'refactor', 'repurchase', 'retire', 'retain')),
    -- vocabulary: DECISION_SOURCES
    CONSTRAINT assets_strategy_source_check CHECK (strategy_source IN ('rule', 'learned', 'llm', 'user')),
    -- vocabulary: COMPLEXITY_LEVELS (new)
    CONSTRAINT assets_complexity_level_check CHECK (complexity_level IN ('low', 'medium', 'high')),
    -- vocabulary: MIGRATION_STATUSES
    CONSTRAINT assets_migration_status_check CHECK (migration_status IN
        ('not_started', 'assessed', 'planned', 'in_progress', 'migrated', 'failed', 'skipped')),
    CONSTRAINT assets_strategy_confidence_check CHECK (strategy_confidence BETWEEN 0 AND 1),
    CONSTRAINT assets_complexity_score_check CHECK (complexity_score BETWEEN 0 AND 100),
    CONSTRAINT assets_risk_score_check CHECK (risk_score BETWEEN 0 AND 100),
    CONSTRAINT assets_readiness_score_check CHECK (readiness_score BETWEEN 0 AND 100),
    CONSTRAINT assets_migration_priority_check CHECK (migration_priority >= 0),
    CONSTRAINT assets_wave_number_check CHECK (wave_number >= 0),
    CONSTRAINT assets_cpu_cores_check CHECK (cpu_cores >= 0),
    CONSTRAINT assets_cpu_sockets_check CHECK (cpu_sockets >= 0),
    CONSTRAINT assets_cpu_mhz_check CHECK (cpu_mhz >= 0),
    CONSTRAINT assets_memory_gb_check CHECK (memory_gb >= 0),
    CONSTRAINT assets_storage_gb_check CHECK (storage_gb >= 0),
    CONSTRAINT assets_storage_used_gb_check CHECK (storage_used_gb >= 0),
    CONSTRAINT assets_disk_count_check CHECK (disk_count >= 0),
    CONSTRAINT assets_network_adapters_check CHECK (network_adapters >= 0),
    CONSTRAINT assets_cpu_utilization_avg_check CHECK (cpu_utilization_avg BETWEEN 0 AND 100),
    CONSTRAINT assets_cpu_utilization_peak_check CHECK (cpu_utilization_peak BETWEEN 0 AND 100),
    CONSTRAINT assets_memory_utilization_avg_check CHECK (memory_utilization_avg BETWEEN 0 AND 100),
    CONSTRAINT assets_memory_utilization_peak_check CHECK (memory_utilization_peak BETWEEN 0 AND 100),
    CONSTRAINT assets_disk_iops_avg_check CHECK (disk_iops_avg >= 0),
    CONSTRAINT assets_disk_iops_peak_check CHECK (disk_iops_peak >= 0),
    CONSTRAINT assets_disk_throughput_mbps_check CHECK (disk_throughput_mbps >= 0),
    CONSTRAINT assets_network_throughput_mbps_check CHECK (network_throughput_mbps >= 0),
    CONSTRAINT assets_current_monthly_cost_check CHECK (current_monthly_cost >= 0),
    CONSTRAINT assets_projected_monthly_cost_check CHECK (projected_monthly_cost >= 0),
    CONSTRAINT assets_cost_currency_check CHECK (cost_currency ~ '^[A-Z]{3}$'),
    CONSTRAINT assets_source_row_number_check CHECK (source_row_number >= 0),
    CONSTRAINT assets_ip_addresses_check CHECK (jsonb_typeof(ip_addresses) = 'array'),
    CONSTRAINT assets_mac_addresses_check CHECK (jsonb_typeof(mac_addresses) = 'array'),
    CONSTRAINT assets_custom_attributes_check CHECK (jsonb_typeof(custom_attributes) = 'object'),
    CONSTRAINT assets_tech_debt_flags_check CHECK (jsonb_typeof(tech_debt_flags) = 'array'),
    CONSTRAINT assets_field_lineage_check CHECK (jsonb_typeof(field_lineage) = 'object'),
    CONSTRAINT assets_cleansing_changes_check CHECK (jsonb_typeof(cleansing_changes) = 'array')
);

CREATE INDEX ix_assets_client_engagement ON migration.assets (client_account_id, engagement_id);
-- the seed's index, verbatim
CREATE INDEX ix_assets_master_flow_id ON migration.assets (master_flow_id) WHERE master_flow_id IS NOT NULL;
CREATE INDEX ix_assets_discovery_flow_id ON migration.assets (discovery_flow_id) WHERE discovery_flow_id IS NOT NULL;
CREATE INDEX ix_assets_assessment_flow_id ON migration.assets (assessment_flow_id) WHERE assessment_flow_id IS NOT NULL;
CREATE INDEX ix_assets_planning_flow_id ON migration.assets (planning_flow_id) WHERE planning_flow_id IS NOT NULL;
CREATE INDEX ix_assets_execution_flow_id ON migration.assets (execution_flow_id) WHERE execution_flow_id IS NOT NULL;
CREATE INDEX ix_assets_data_import_id ON migration.assets (data_import_id) WHERE data_import_id IS NOT NULL;
-- Natural keys for idempotent upserts: ON CONFLICT (engagement_id, external_id) WHERE external_id IS NOT NULL
CREATE UNIQUE INDEX ux_assets_engagement_external_id ON migration.assets (engagement_id, external_id)
    WHERE external_id IS NOT NULL;
-- Hostname matching for de-duplication (not unique: the dedup logic decides)
CREATE INDEX ix_assets_engagement_hostname ON migration.assets (engagement_id, lower(hostname))
    WHERE hostname IS NOT NULL;
CREATE INDEX ix_assets_engagement_asset_type ON migration.assets (engagement_id, asset_type);
CREATE INDEX ix_assets_custom_attributes ON migration.assets USING gin (custom_attributes);
CREATE INDEX ix_assets_tags ON migration.assets USING gin (tags);

CREATE TRIGGER assets_touch_updated_at
    BEFORE UPDATE ON migration.assets
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- raw_import_records: staged input rows, bulk-loaded (COPY); not audited row by row.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.raw_import_records (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    data_import_id    uuid NOT NULL REFERENCES migration.data_imports (id) ON DELETE CASCADE,
    row_number        integer NOT NULL,
    raw_data          jsonb NOT NULL,
    status            text NOT NULL DEFAULT 'pending',
    validation_errors jsonb,
    asset_id          uuid REFERENCES migration.assets (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT raw_import_records_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT raw_import_records_data_import_id_row_number_key UNIQUE (data_import_id, row_number),
    CONSTRAINT raw_import_records_row_number_check CHECK (row_number >= 0),
    -- vocabulary: RAW_RECORD_STATUSES
    CONSTRAINT raw_import_records_status_check CHECK (status IN ('pending', 'valid', 'quarantined', 'processed'))
);

CREATE INDEX ix_raw_import_records_client_engagement
    ON migration.raw_import_records (client_account_id, engagement_id);
CREATE INDEX ix_raw_import_records_asset_id ON migration.raw_import_records (asset_id)
    WHERE asset_id IS NOT NULL;
CREATE INDEX ix_raw_import_records_raw_data ON migration.raw_import_records USING gin (raw_data jsonb_path_ops);

CREATE TRIGGER raw_import_records_touch_updated_at
    BEFORE UPDATE ON migration.raw_import_records
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- asset_dependencies: directed edge source -> target (e.g. app depends_on database).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE migration.asset_dependencies (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    source_asset_id   uuid NOT NULL REFERENCES migration.assets (id) ON DELETE CASCADE,
    target_asset_id   uuid NOT NULL REFERENCES migration.assets (id) ON DELETE CASCADE,
    dependency_type   text NOT NULL DEFAULT 'depends_on',
    strength          text NOT NULL DEFAULT 'hard',
    port              integer,
    protocol          text,
    direction         text,
    evidence_source   text,
    data_import_id    uuid REFERENCES migration.data_imports (id) ON DELETE SET NULL,
    confidence        double precision,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT asset_dependencies_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT asset_dependencies_not_self_check CHECK (source_asset_id <> target_asset_id),
    -- vocabulary: DEPENDENCY_TYPES
    CONSTRAINT asset_dependencies_dependency_type_check CHECK (dependency_type IN
        ('depends_on', 'runs_on', 'hosts', 'consumes', 'communicates_with', 'member_of')),
    -- vocabulary: DEPENDENCY_STRENGTHS
    CONSTRAINT asset_dependencies_strength_check CHECK (strength IN ('hard', 'soft')),
    CONSTRAINT asset_dependencies_port_check CHECK (port BETWEEN 0 AND 65535),
    CONSTRAINT asset_dependencies_confidence_check CHECK (confidence BETWEEN 0 AND 1)
);

CREATE INDEX ix_asset_dependencies_client_engagement
    ON migration.asset_dependencies (client_account_id, engagement_id);
-- one edge per (source, target, type, port); NULL port counts as one value. Leads with source_asset_id.
CREATE UNIQUE INDEX ux_asset_dependencies_edge
    ON migration.asset_dependencies (source_asset_id, target_asset_id, dependency_type, coalesce(port, -1));
CREATE INDEX ix_asset_dependencies_target_asset_id ON migration.asset_dependencies (target_asset_id);
CREATE INDEX ix_asset_dependencies_data_import_id ON migration.asset_dependencies (data_import_id)
    WHERE data_import_id IS NOT NULL;

CREATE TRIGGER asset_dependencies_touch_updated_at
    BEFORE UPDATE ON migration.asset_dependencies
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Privileges of the application role.
-- ---------------------------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.data_imports TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.import_field_mappings TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.assets TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.raw_import_records TO migration_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON migration.asset_dependencies TO migration_app;
