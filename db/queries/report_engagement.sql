-- The report's heading: the engagement, its client and start date, and today's date. $1 engagement id.
SELECT e.name AS engagement, c.name AS client, e.start_date, current_date AS today
FROM migration.engagements e
JOIN migration.client_accounts c ON c.id = e.client_account_id
WHERE e.id = $1
