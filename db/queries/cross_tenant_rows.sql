-- Tenant isolation, checked from the catalogue: every foreign key of schema migration between two tenant tables
-- (both have client_account_id; on a partitioned table, the parent's key only), with how many referencing rows
-- belong to another client than the row they reference, as a query to run (its count must be 0). A key that includes
-- client_account_id on both sides is joined on its other columns, so a row moved to another client (with the
-- key's trigger off) is found too. Run by a role that sees every row (a superuser): forced row-level security
-- hides other tenants' rows from everyone else.
WITH tenant_keys AS (
    SELECT k.conname, child.relname AS child_table, parent.relname AS parent_table,
           (SELECT string_agg(format('c.%I = p.%I', ca.attname, pa.attname), ' AND ' ORDER BY key.position)
              FROM unnest(k.conkey, k.confkey) WITH ORDINALITY AS key(child_attnum, parent_attnum, position)
              JOIN pg_catalog.pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = key.child_attnum
              JOIN pg_catalog.pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = key.parent_attnum
             WHERE (ca.attname, pa.attname) <> ('client_account_id', 'client_account_id')) AS join_condition
      FROM pg_catalog.pg_constraint k
      JOIN pg_catalog.pg_class child ON child.oid = k.conrelid
      JOIN pg_catalog.pg_class parent ON parent.oid = k.confrelid
     WHERE k.contype = 'f'
       AND k.conparentid = 0
       AND child.relnamespace = 'migration'::regnamespace
       AND NOT child.relispartition
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = k.conrelid AND a.attname = 'client_account_id' AND NOT a.attisdropped)
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = k.confrelid AND a.attname = 'client_account_id' AND NOT a.attisdropped)
)
SELECT conname AS name, child_table, parent_table,
       format('SELECT count(*) FROM migration.%I c JOIN migration.%I p ON %s '
              'WHERE c.client_account_id IS DISTINCT FROM p.client_account_id',
              child_table, parent_table, join_condition) AS count_query
  FROM tenant_keys
 WHERE join_condition IS NOT NULL
 ORDER BY child_table, conname
