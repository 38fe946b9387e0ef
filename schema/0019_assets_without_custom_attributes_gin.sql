-- 0019_assets_without_custom_attributes_gin: no query searches assets by their custom attributes,
-- and the GIN index on assets.custom_attributes made every imported asset cost an index entry per
-- attribute key and value (a CMDB export keeps 15 unmapped columns per row there; bench/ingest).
-- Custom attributes are read with their asset. The index on tags stays (few entries per asset).
DROP INDEX migration.ix_assets_custom_attributes;
