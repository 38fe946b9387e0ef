INSERT INTO migration.engagement_members (client_account_id, engagement_id, user_id, role)
VALUES ($1, $2, $3, $4)
ON CONFLICT (engagement_id, user_id) DO UPDATE SET role = EXCLUDED.role
