-- How many of the people a client restore would bring (the staging copy restore_users) this database erased by
-- their e-mail (right to be forgotten); NULL: none.
SELECT nullif(count(*), 0)
  FROM restore_users p
 WHERE EXISTS (SELECT 1 FROM migration.privacy_erasures e
                WHERE e.subject_kind = 'user' AND migration.privacy_hash(p.email) = ANY (e.subject_hashes))
