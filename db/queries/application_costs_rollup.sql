-- Each application's summed monthly costs from its assets (the totals rule of domain.cost_model:
-- known figures are added, assets without one counted; savings only where both figures are known).
UPDATE migration.application_assessments p
SET current_monthly_cost = t.current_monthly, projected_monthly_cost = t.projected_monthly,
    monthly_savings = t.savings_monthly, assets_without_current = t.without_current,
    assets_without_projection = t.without_projection
FROM (
    SELECT application_name,
           round(coalesce(sum(coalesce(current_monthly_cost, modelled_monthly_cost)), 0), 2) AS current_monthly,
           round(coalesce(sum(projected_monthly_cost), 0), 2) AS projected_monthly,
           round(coalesce(sum(monthly_savings), 0), 2) AS savings_monthly,
           count(*) FILTER (WHERE current_monthly_cost IS NULL AND modelled_monthly_cost IS NULL) AS without_current,
           count(*) FILTER (WHERE projected_monthly_cost IS NULL) AS without_projection
    FROM migration.assets
    WHERE application_name IS NOT NULL
    GROUP BY application_name
) t
WHERE p.application_name = t.application_name
