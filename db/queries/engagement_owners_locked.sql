-- The engagement's owners, locked until the transaction ends: two people demoting each other at once
-- cannot both see the other still an owner and leave the engagement with none.
SELECT user_id FROM migration.engagement_members WHERE engagement_id = $1 AND role = 'owner' FOR UPDATE
