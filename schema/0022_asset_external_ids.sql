-- 0022_asset_external_ids: every external id an asset was known by (ADR-0007, later change). When two
-- records of one server merge, the asset keeps one external_id column; the other ids stay here, so a
-- relationship or a later import naming any of them resolves to the merged asset. One asset per id
-- and engagement; filled by the merge (assets_upsert_from_import.sql), read by matching and by the
-- dependency queries.

CREATE TABLE migration.asset_external_ids (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_account_id uuid NOT NULL REFERENCES migration.client_accounts (id),
    engagement_id     uuid NOT NULL,
    external_id       text NOT NULL,
    asset_id          uuid NOT NULL REFERENCES migration.assets (id) ON DELETE CASCADE,
    data_import_id    uuid REFERENCES migration.data_imports (id) ON DELETE SET NULL,  -- first seen in
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT asset_external_ids_engagement_external_id_key UNIQUE (engagement_id, external_id),
    CONSTRAINT asset_external_ids_engagement_fkey FOREIGN KEY (client_account_id, engagement_id)
        REFERENCES migration.engagements (client_account_id, id),
    CONSTRAINT asset_external_ids_external_id_check CHECK (length(btrim(external_id)) > 0)
);

CREATE INDEX ix_asset_external_ids_client_engagement ON migration.asset_external_ids (client_account_id, engagement_id);
CREATE INDEX ix_asset_external_ids_asset_id ON migration.asset_external_ids (asset_id);
-- references resolve case-insensitively (dependencies_from_*.sql)
CREATE INDEX ix_asset_external_ids_lower ON migration.asset_external_ids (engagement_id, lower(external_id));
CREATE INDEX ix_asset_external_ids_data_import_id ON migration.asset_external_ids (data_import_id)
    WHERE data_import_id IS NOT NULL;

-- the ids assets hold today (the owner has no tenant policy: row-level security lifted for this transaction)
ALTER TABLE migration.assets NO FORCE ROW LEVEL SECURITY;
INSERT INTO migration.asset_external_ids (client_account_id, engagement_id, external_id, asset_id, data_import_id)
SELECT a.client_account_id, a.engagement_id, a.external_id, a.id, a.data_import_id
FROM migration.assets a
WHERE a.external_id IS NOT NULL AND btrim(a.external_id) <> '';
ALTER TABLE migration.assets FORCE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE, DELETE ON migration.asset_external_ids TO migration_app;

CREATE TRIGGER audit_insert AFTER INSERT ON migration.asset_external_ids
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_update AFTER UPDATE ON migration.asset_external_ids
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();
CREATE TRIGGER audit_delete AFTER DELETE ON migration.asset_external_ids
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migration.audit_changes();

ALTER TABLE migration.asset_external_ids ENABLE ROW LEVEL SECURITY;
ALTER TABLE migration.asset_external_ids FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON migration.asset_external_ids
    FOR ALL TO migration_app
    USING (client_account_id = migration.current_client_id()
           AND engagement_id = migration.current_engagement_id())
    WITH CHECK (client_account_id = migration.current_client_id()
                AND engagement_id = migration.current_engagement_id());
