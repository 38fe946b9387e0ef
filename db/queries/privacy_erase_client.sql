-- Erase a client and its people who work for no other client (platform administrators; schema 0032).
SELECT migration.privacy_erase_client($1)
