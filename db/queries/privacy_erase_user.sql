-- Erase a person by e-mail (platform administrators; schema 0032): rows changed per table, or already_erased_at.
SELECT migration.privacy_erase_user($1, $2)
