-- The digest of the facts behind each alternative the strategy crew already gave (a retry skips those).
SELECT coalesce(asset_id::text, 'application:' || application_name) AS subject, input_digest
FROM migration.agent_recommendations
