-- The applications with the most assets first, $1 of them; total: how many the engagement has.
SELECT application_name, six_r_strategy, strategy_source, strategy_confidence, asset_count,
       current_monthly_cost, projected_monthly_cost, monthly_savings, count(*) OVER () AS total
FROM migration.application_assessments
ORDER BY asset_count DESC, application_name
LIMIT $1
