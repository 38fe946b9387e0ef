-- A person's own login (a SCRAM verifier as its password); refused unless the caller is an administrator.
SELECT migration.create_person_login($1, $2, $3, $4)
