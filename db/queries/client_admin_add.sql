-- Makes a person an administrator of a client (platform administrators only).
SELECT migration.add_client_admin($1, $2)
