-- Monthly run cost of each wave's assets, then of the assets in no wave (wave NULL), by the totals
-- rule of domain.cost_model (as cost_summary): known figures added, assets without one counted.
-- currencies: those of the assets that have any cost figure.
SELECT wave_number AS wave, count(*) AS assets,
       coalesce(sum(coalesce(current_monthly_cost, modelled_monthly_cost)), 0) AS current_monthly,
       coalesce(sum(projected_monthly_cost), 0) AS projected_monthly,
       coalesce(sum(monthly_savings), 0) AS savings_monthly,
       count(*) FILTER (WHERE current_monthly_cost IS NULL AND modelled_monthly_cost IS NULL) AS without_current,
       count(*) FILTER (WHERE projected_monthly_cost IS NULL) AS without_projection,
       coalesce(array_agg(DISTINCT cost_currency::text) FILTER (
           WHERE coalesce(current_monthly_cost, modelled_monthly_cost, projected_monthly_cost) IS NOT NULL), '{}')
           AS currencies
FROM migration.assets
GROUP BY wave_number
ORDER BY wave_number NULLS LAST
