-- Makes a person (by e-mail) an administrator of a client (platform administrators only); their user id.
SELECT migration.add_client_admin($1, $2)
