-- A person request as the worker verifies it (locked until it is claimed): what was asked, by whom, their
-- role now, its age, and the workflow run that acted on it, if any.
SELECT r.kind, r.phase, r.requested_by, r.payload, r.used_by, m.role, now() - r.created_at AS age
  FROM migration.person_requests r
  LEFT JOIN migration.engagement_members m ON m.engagement_id = r.engagement_id AND m.user_id = r.requested_by
 WHERE r.id = $1
   FOR UPDATE OF r
