SELECT id FROM migration.users WHERE lower(email) = lower($1)
