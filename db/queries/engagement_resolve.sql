-- Which client an engagement id belongs to (or no row): how a caller enters the right tenant context.
SELECT id, client_account_id, name FROM migration.engagement_directory($1)
