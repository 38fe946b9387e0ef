SELECT id, client_account_id, name FROM migration.engagements WHERE name = $1
