-- The applications that save the most a month, best first. $1 how many.
SELECT application_name, six_r_strategy, current_monthly_cost, projected_monthly_cost, monthly_savings,
       assets_without_projection
FROM migration.application_assessments
WHERE monthly_savings IS NOT NULL
ORDER BY monthly_savings DESC, application_name
LIMIT $1
