-- Hands the role passwords to bootstrap_roles.sql for the rest of this transaction only.
SELECT set_config('bootstrap.owner_password', $1, true), set_config('bootstrap.app_password', $2, true)
