-- The platform's tables as a backup sees them: every table of schema migration that is not a partition
-- (a partitioned log is read and written through its parent), whether it is a tenant table (it has
-- client_account_id), its columns in order (generated ones left out: they are computed again), its primary key
-- columns, and whether any column takes its value from a sequence (identity or serial).
SELECT c.relname AS name,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'client_account_id' AND NOT a.attisdropped) AS tenant,
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
              ORDER BY a.attnum) AS columns,
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_constraint k
               JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS key(attnum, position) ON true
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = key.attnum
              WHERE k.conrelid = c.oid AND k.contype = 'p'
              ORDER BY key.position) AS primary_key,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  AND (a.attidentity <> '' OR pg_catalog.pg_get_serial_sequence(c.oid::regclass::text, a.attname)
                                              IS NOT NULL)) AS sequenced
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'migration'::regnamespace
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
 ORDER BY c.relname
