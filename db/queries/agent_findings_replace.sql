-- The plan critic's earlier findings of this engagement, removed before its new critique is stored.
DELETE FROM migration.agent_learning_patterns
WHERE engagement_id = $1 AND scope = 'engagement' AND discovered_by = 'plan_critic'
