-- Why the current engagement may not be archived: its status and its newest master flow's status, if any.
SELECT e.status,
       (SELECT f.status FROM migration.crewai_flow_state_extensions f
         WHERE f.engagement_id = e.id ORDER BY f.created_at DESC LIMIT 1) AS flow_status
FROM migration.engagements e WHERE e.id = migration.current_engagement_id()
