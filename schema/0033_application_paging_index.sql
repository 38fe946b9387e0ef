-- 0033_application_paging_index: assessment votes each application's strategy from its assets, read in
-- keyset pages by application. Without an index in that order every page sorted the engagement's whole
-- asset table, so the step's cost per asset grew with the engagement (about 10x from 10,000 to 100,000
-- assets). Pages now follow this index: the application's MD5 digest (a b-tree entry of a raw
-- application name could exceed its 2,704 bytes, ADR-0016; md5 is leakproof, so it is an index condition
-- under forced row-level security), then the asset id. Assets of one application stay together.
CREATE INDEX ix_assets_engagement_application_page
    ON migration.assets (engagement_id, md5(application_name), id)
    WHERE btrim(application_name) <> '';
