INSERT INTO migration.engagements
    (id, client_account_id, name, description, status, start_date, approval_policy, business_goals, settings)
VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8)
RETURNING id
