-- Archive the current engagement at $1 if its newest master flow completed at or before $2: its name, or no row.
UPDATE migration.engagements e SET status = 'archived', archived_at = $1
WHERE e.id = migration.current_engagement_id() AND e.status <> 'archived'
  AND (SELECT f.status = 'completed' AND f.completed_at <= $2
         FROM migration.crewai_flow_state_extensions f
        WHERE f.engagement_id = e.id
        ORDER BY f.created_at DESC LIMIT 1)
RETURNING e.name
