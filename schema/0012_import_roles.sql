-- 0012_import_roles: what each file of a multi-file import is for, and the global learning pool.
--
-- An import may consist of several files (vmInfo + diskInfo, cmdb_ci + cmdb_rel_ci): inventory
-- files become assets, supplements (disks, performance, tags, NICs) are joined into the inventory
-- file they describe, dependency files become edges. `bundle_report` keeps what the join and the
-- recogniser found (format evidence, supplement rows that matched no machine, skipped sheets).

ALTER TABLE migration.data_imports
    ADD COLUMN import_role text NOT NULL DEFAULT 'inventory',
    ADD COLUMN bundle_report jsonb,
    -- vocabulary: IMPORT_ROLES
    ADD CONSTRAINT data_imports_import_role_check CHECK (import_role IN ('inventory', 'supplement', 'dependencies'));

-- Global learning (opt-in per engagement): decisions of engagements whose learning scope is
-- 'global' also go to this pool, which every tenant reads. Only the header and the chosen column
-- leave the client: no client id, no evidence, no values, so it is not a tenant table and has no
-- row-level security. `votes` counts the engagements' decisions for the same pair.
CREATE TABLE migration.shared_mapping_patterns (
    embedding_model text NOT NULL,
    pattern_key     text NOT NULL,
    target_field    text NOT NULL,
    embedding       public.vector(1536) NOT NULL,
    votes           integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT shared_mapping_patterns_pkey PRIMARY KEY (embedding_model, pattern_key, target_field),
    CONSTRAINT shared_mapping_patterns_votes_check CHECK (votes > 0)
);
CREATE INDEX ix_shared_mapping_patterns_embedding
    ON migration.shared_mapping_patterns USING hnsw (embedding public.vector_cosine_ops);
CREATE TRIGGER shared_mapping_patterns_touch_updated_at
    BEFORE UPDATE ON migration.shared_mapping_patterns
    FOR EACH ROW EXECUTE FUNCTION migration.touch_updated_at();
GRANT SELECT, INSERT, UPDATE ON migration.shared_mapping_patterns TO migration_app;
