-- The strategy crew's earlier alternative for an asset ($1) or an application ($2), before its new one.
DELETE FROM migration.agent_recommendations
WHERE (subject_type = 'asset' AND asset_id = $1) OR (subject_type = 'application' AND application_name = $2)
