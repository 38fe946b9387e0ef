-- How many client accounts and people a migrated platform database holds.
SELECT (SELECT count(*) FROM migration.client_accounts) AS clients, (SELECT count(*) FROM migration.users) AS people
