-- When this database erased a client (right to be forgotten) known by this id ($1), name ($2) or slug ($3) last;
-- NULL: never. A client restore refuses to bring it back.
SELECT max(e.erased_at)
  FROM migration.privacy_erasures e
 WHERE e.subject_kind = 'client'
   AND e.subject_hashes && ARRAY[migration.privacy_hash($1), migration.privacy_hash($2), migration.privacy_hash($3)]
