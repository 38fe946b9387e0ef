-- Every foreign key between tables of schema migration (on a partitioned table, the parent's only): the
-- referencing table and columns, the referenced table and columns, in key order.
SELECT k.conname AS name,
       child.relname AS child_table,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS key(attnum, position)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum
              ORDER BY key.position) AS child_columns,
       parent.relname AS parent_table,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS key(attnum, position)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = key.attnum
              ORDER BY key.position) AS parent_columns
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class child ON child.oid = k.conrelid
  JOIN pg_catalog.pg_class parent ON parent.oid = k.confrelid
 WHERE k.contype = 'f'
   AND k.conparentid = 0
   AND child.relnamespace = 'migration'::regnamespace
   AND NOT child.relispartition
 ORDER BY child.relname, k.conname
