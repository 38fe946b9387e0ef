-- The business goals of one engagement (jsonb as entered; validated by domain.strategy_rules.BusinessGoals).
SELECT business_goals FROM migration.engagements WHERE id = $1
