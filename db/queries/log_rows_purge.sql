-- Delete client $2's rows of log $1 created before $3 (the tenant context's client): how many.
SELECT migration.purge_log_rows($1, $2, $3)
