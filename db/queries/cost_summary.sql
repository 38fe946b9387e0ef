-- The engagement's monthly cost totals (the totals rule of domain.cost_model: known figures are
-- added, assets without one counted; savings only where both figures are known).
SELECT round(coalesce(sum(coalesce(current_monthly_cost, modelled_monthly_cost)), 0), 2) AS current_monthly,
       round(coalesce(sum(projected_monthly_cost), 0), 2) AS projected_monthly,
       round(coalesce(sum(monthly_savings), 0), 2) AS savings_monthly,
       count(*) FILTER (WHERE current_monthly_cost IS NULL AND modelled_monthly_cost IS NOT NULL) AS current_modelled,
       count(*) FILTER (WHERE current_monthly_cost IS NULL AND modelled_monthly_cost IS NULL) AS without_current,
       count(*) FILTER (WHERE projected_monthly_cost IS NULL) AS without_projection
FROM migration.assets
