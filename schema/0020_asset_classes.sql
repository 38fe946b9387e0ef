-- 0020_asset_classes: every CI class of a CMDB lands as an asset (ADR-0014).
-- The asset types gain `service` (a business, application or technical service) and `cluster` (a
-- grouping of servers: a vCenter or failover cluster), replacing the CHECK as 0011 did for strategies.
-- A virtual machine stays a server (is_virtual says so). `source_class` keeps the type or class as the
-- source spelled it (a ServiceNow sys_class_name, a Type cell) when it says more than asset_type, so
-- an unknown class filed as `other` keeps what it was.
ALTER TABLE migration.assets DROP CONSTRAINT assets_asset_type_check;
-- vocabulary: ASSET_TYPES
ALTER TABLE migration.assets ADD CONSTRAINT assets_asset_type_check CHECK (asset_type IN
    ('server', 'application', 'database', 'network', 'storage', 'load_balancer', 'container', 'service',
     'cluster', 'other'));
ALTER TABLE migration.assets ADD COLUMN source_class text;
