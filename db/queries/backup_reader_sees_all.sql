-- Whether the connected role reads every row despite forced row-level security: a superuser or a BYPASSRLS role.
SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user
