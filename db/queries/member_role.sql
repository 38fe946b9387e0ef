-- The role of a user in the current engagement (NULL: not a member).
SELECT role FROM migration.engagement_members WHERE engagement_id = $1 AND user_id = $2
