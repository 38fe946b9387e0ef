-- A person request as the worker verifies it: what was asked, by whom, their role now, and its age.
SELECT r.kind, r.phase, r.requested_by, m.role, now() - r.created_at AS age
  FROM migration.person_requests r
  LEFT JOIN migration.engagement_members m ON m.engagement_id = r.engagement_id AND m.user_id = r.requested_by
 WHERE r.id = $1
