SELECT round(coalesce(sum(current_monthly_cost), 0), 2) AS current_monthly,
       round(coalesce(sum(projected_monthly_cost), 0), 2) AS projected_monthly,
       count(*) FILTER (WHERE projected_monthly_cost IS NULL) AS without_projection
FROM migration.assets
