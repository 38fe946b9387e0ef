-- Name, approval policy and member roles of one engagement, for the master workflow's validators.
SELECT e.name, e.approval_policy,
       coalesce(jsonb_object_agg(m.user_id::text, m.role) FILTER (WHERE m.user_id IS NOT NULL), '{}'::jsonb)
           AS member_roles
FROM migration.engagements e
LEFT JOIN migration.engagement_members m ON m.engagement_id = e.id
WHERE e.id = $1
GROUP BY e.id
